/**
 * Reads V8's `--trace-gc` lines, e.g.
 *   [123:0x5d1]  6424 ms: Mark-Compact 107.4 (134.4) -> 25.7 (135.4) MB, 13.65 / 1.00 ms ...
 * to tell live data (what a full GC keeps) from garbage waiting to be collected.
 */

export interface GcSummary {
  readonly scavenges: number;
  readonly markCompacts: number;
  /** Largest heap in use when a full GC started (MB). */
  readonly maxUsedBeforeFullGcMb: number;
  /** Heap in use after the last full GC: the live data (MB). */
  readonly liveAfterLastFullGcMb: number;
  /** Largest heap committed (reserved from the OS) seen (MB). */
  readonly maxCommittedMb: number;
}

const LINE =
  /: (Scavenge|Mark-Compact|Mark-sweep|Mark-Compact \(reduce\))[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

export class GcTrace {
  private scavenges = 0;
  private markCompacts = 0;
  private maxUsedBefore = 0;
  private liveAfter = Number.NaN;
  private maxCommitted = 0;

  readonly onLine = (line: string): void => {
    const m = LINE.exec(line);
    if (!m) return;
    const [, kind, usedBefore, committedBefore, usedAfter, committedAfter] = m;
    this.maxCommitted = Math.max(
      this.maxCommitted,
      Number(committedBefore),
      Number(committedAfter),
    );
    if (kind === 'Scavenge') {
      this.scavenges++;
      return;
    }
    this.markCompacts++;
    this.maxUsedBefore = Math.max(this.maxUsedBefore, Number(usedBefore));
    this.liveAfter = Number(usedAfter);
  };

  summary(): GcSummary {
    return {
      scavenges: this.scavenges,
      markCompacts: this.markCompacts,
      maxUsedBeforeFullGcMb: this.maxUsedBefore,
      liveAfterLastFullGcMb: this.liveAfter,
      maxCommittedMb: this.maxCommitted,
    };
  }
}
