import { ensureBuilt } from '../harness/build';

/** For projects whose tests start the production server or a command from dist/. */
export default function globalSetup(): void {
  ensureBuilt();
}
