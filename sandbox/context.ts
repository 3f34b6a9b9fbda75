import type { Runtime } from './runtime';
import type { SandboxState } from './state';

/** What every route module receives: the instance's state and its timers. */
export interface SandboxContext {
  state: SandboxState;
  runtime: Runtime;
}
