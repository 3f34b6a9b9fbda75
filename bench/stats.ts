/** Nearest-rank percentile (p in 0..100) of latencies; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? Number.NaN;
}

/** Every repeated figure is reported as its median with the spread of the runs. */
export function spread(values: readonly number[]) {
  return { median: percentile(values, 50), min: Math.min(...values), max: Math.max(...values) };
}

export type Spread = ReturnType<typeof spread>;
