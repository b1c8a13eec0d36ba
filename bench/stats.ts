import { seededRandom } from '../emulator/open-platform/state/random';

/** Small statistics over latency samples (milliseconds). */

export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array: a value that was actually observed. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? total / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Milliseconds `work` took, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Counts of each distinct value, e.g. API names. */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** One decimal: enough for milliseconds in a table. */
export const round1 = (value: number) => Math.round(value * 10) / 10;

/** A range a figure is known to lie in, e.g. a confidence interval. */
export interface Interval {
  low: number;
  high: number;
}

/** The middle half of the values: first to third quartile (nearest rank). */
export function interquartileRange(values: readonly number[]): Interval {
  const sorted = [...values].sort((a, b) => a - b);
  return { low: percentile(sorted, 25), high: percentile(sorted, 75) };
}

/**
 * Percentile bootstrap confidence interval of the median: the median of `resamples` draws (with
 * replacement) of the samples, and the middle `level` of those medians.
 */
export function bootstrapMedianInterval(samples: readonly number[], level = 0.95, resamples = 2_000): Interval {
  if (samples.length === 0) return { low: Number.NaN, high: Number.NaN };
  const random = seededRandom(samples.length);
  const medians: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const draw = Array.from({ length: samples.length }, () => samples[Math.floor(random() * samples.length)]);
    medians.push(median(draw));
  }
  medians.sort((a, b) => a - b);
  const tail = ((1 - level) / 2) * 100;
  return { low: percentile(medians, tail), high: percentile(medians, 100 - tail) };
}
