/**
 * Small statistics for the benchmarks: medians, percentiles, and interleaved rounds of a floor and its subjects so
 * that every variant sees the same machine noise.
 */

/** The value at quantile `q` (0–1) of `values`, by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median of `values` (mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, spread and count of a sample. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Summarises a sample. */
export function summarize(values: readonly number[]): Summary {
  return {
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    n: values.length,
  };
}

/**
 * Runs `rounds` rounds of every task; within a round the order rotates, so no task always runs first (right after a
 * pause or a garbage collection) or last. Returns each task's per-round results.
 */
export async function interleave<T>(rounds: number, tasks: Record<string, () => Promise<T> | T>,
  onRound?: (round: number) => void): Promise<Record<string, T[]>> {
  const names = Object.keys(tasks);
  const results: Record<string, T[]> = Object.fromEntries(names.map((name) => [name, [] as T[]]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      results[name].push(await tasks[name]());
    }
    onRound?.(round);
  }
  return results;
}

/**
 * The median over rounds of subject / floor, pairing the values of the same round (both ran back to back, under the
 * same noise). More robust to drift during a run than the ratio of the two medians.
 */
export function pairedRatio(subject: readonly number[], floor: readonly number[]): number {
  if (subject.length !== floor.length) throw new Error('pairedRatio: samples of different sizes');
  return median(subject.map((value, i) => value / floor[i]));
}

/** Milliseconds since `start` (from `process.hrtime.bigint()`). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Rounds to `digits` significant-looking decimals for reports (keeps integers above 100 as integers). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
