import { buildFunction, FUNCTION_DIR } from '../scripts/build-function';
import { compareRequireTimes, type RequireTimeComparison } from './cold-start';
import { figure, type BenchResult } from './figures';
import type { LogSink } from './log-sink';
import { compiledMiniprogramSize } from './miniprogram-size';
import type { BenchOptions } from './options';
import { median, round1 } from './stats';

/**
 * Benchmark 4: what ships. The function bundle and what it adds to a cold start over
 * wx-server-sdk alone (which the cloud loads for any function); the compiled mini-program.
 */
export const GOALS = { coldStartAddedMs: 60, mainPackageKB: 400 };

const KB = 1024;

/** How the cold-start figure was measured, and how much it moved. */
function coldStartNote(cold: RequireTimeComparison, pairs: number): string {
  const ms = (value: number) => `${round1(value)} ms`;
  return (
    `median of ${pairs} paired differences, each pair a require() of the bundle and one of wx-server-sdk alone in two fresh processes back to back (order alternating); ` +
    `spread of the differences (interquartile) ${ms(cold.spread.low)} to ${ms(cold.spread.high)}, 95 % bootstrap CI of their median ${ms(cold.interval.low)} to ${ms(cold.interval.high)}; ` +
    `the goal is judged on the median, and flagged when the CI lies on both sides of it. ` +
    `Medians per side: bundle ${ms(median(cold.candidateMs))}, wx-server-sdk ${ms(median(cold.baseMs))}`
  );
}

export async function packageSize(options: BenchOptions, sink: LogSink): Promise<BenchResult> {
  const bench = 'Package';
  const { bytes: bundleBytes } = await buildFunction();
  // From the function's folder, as the cloud runs it: the bundle's own require('wx-server-sdk') resolves the same module.
  const cold = compareRequireTimes('wx-server-sdk', './index.js', FUNCTION_DIR, options.coldStarts);
  const mini = await sink.capture(() => compiledMiniprogramSize());
  const vantBytes = mini.byFolder['miniprogram_npm/@vant/weapp'] ?? 0;

  const figures = [
    figure({
      id: 'package.bundle',
      benchmark: bench,
      name: 'Cloud function bundle',
      value: round1(bundleBytes / KB),
      unit: 'KB',
      note: 'esbuild, minified, wx-server-sdk left external',
    }),
    figure({
      id: 'package.coldStart',
      benchmark: bench,
      name: 'Cold start added by the bundle',
      value: round1(cold.addedMs),
      unit: 'ms',
      baseline: { name: "require('wx-server-sdk') alone", value: round1(median(cold.baseMs)), unit: 'ms' },
      goal: { op: '<=', target: GOALS.coldStartAddedMs },
      interval: { name: '95 % CI', low: round1(cold.interval.low), high: round1(cold.interval.high) },
      note: coldStartNote(cold, options.coldStarts),
    }),
    figure({
      id: 'package.miniprogramMain',
      benchmark: bench,
      name: 'Mini-program main package',
      value: round1(mini.mainPackageBytes / KB),
      unit: 'KB',
      goal: { op: '<=', target: GOALS.mainPackageKB },
      note: `compiled offline by scripts/ship (miniprogram-ci, the project's settings, as upload would), ${mini.files} files; Vant ${round1(vantBytes / KB)} KB of it`,
    }),
  ];
  return { figures, details: { bundleBytes, coldStart: cold, miniprogram: mini } };
}
