import type { DashboardRuns } from './dashboard';
import type { Machine } from './lib/machine';
import type { MemoryReport } from './memory';
import type { ProfileReport } from './profile';
import type { RoundTripReport } from './round-trips';
import type { BenchSettings } from './settings';
import type { StartupRun } from './startup';
import type { StormReport } from './storm';
import type { SyscallReport } from './syscalls';

/** Everything one `npm run bench` measured (also written as JSON next to the profile). */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationSec: number;
  readonly machine: Machine;
  readonly settings: BenchSettings;
  readonly dashboard: DashboardRuns[];
  /** strace counts, or the reason they were not taken. */
  readonly syscalls: SyscallReport | string;
  readonly roundTrips: RoundTripReport[];
  readonly storm: StormReport;
  readonly startup: StartupRun[];
  readonly memory: MemoryReport;
  readonly profile: ProfileReport | null;
}
