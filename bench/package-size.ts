import type { Plugin } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { buildFunction, FUNCTION_DIR } from '../scripts/build-function';
import { compareRequireTimes, type PairedTimes, type RequireTimeComparison } from './cold-start';
import { figure, type BenchResult, type Figure } from './figures';
import type { LogSink } from './log-sink';
import { compiledMiniprogramSize } from './miniprogram-size';
import type { BenchOptions } from './options';
import { median, round1 } from './stats';

/**
 * Benchmark 4: what ships. The function bundle and what it adds to a cold start over
 * wx-server-sdk alone (which the cloud loads for any function); the compiled mini-program.
 */
export const GOALS = { coldStartAddedMs: 60, mainPackageKB: 400, consoleColdStartAddedMs: 10 };

/** The bundle without the PC console, built beside the real one (removed after). */
const WITHOUT_CONSOLE = '.bench/index-without-console.js';

/** Replaces the console's HTTP module with one that answers 404: the function as it was before issue 20. */
const withoutConsole: Plugin = {
  name: 'without-console',
  setup(build) {
    build.onResolve({ filter: /\/console\/route$/ }, () => ({ path: 'console-route', namespace: 'without-console' }));
    build.onLoad({ filter: /.*/, namespace: 'without-console' }, () => ({
      contents:
        'export async function handleConsoleHttp() { return { statusCode: 404, headers: {}, body: "", isBase64Encoded: false }; }',
      loader: 'ts',
    }));
  },
};

const KB = 1024;

const ms = (value: number) => `${round1(value)} ms`;

/** How a cold-start figure was measured, and how much it moved. */
function pairedNote(times: PairedTimes, pairs: number, measure: string, sides = SDK_SIDES): string {
  return (
    `${measure}: median of ${pairs} paired differences, each pair a require() of ${sides.candidate} and one of ${sides.base}, in two fresh processes back to back (which goes first alternates); ` +
    `interquartile spread of the differences ${ms(times.spread.low)} to ${ms(times.spread.high)}, 95 % bootstrap CI of their median ${ms(times.interval.low)} to ${ms(times.interval.high)}; ` +
    `medians per side: ${sides.candidate} ${ms(median(times.candidateMs))}, ${sides.base} ${ms(median(times.baseMs))}`
  );
}

const SDK_SIDES = { candidate: 'the bundle', base: 'wx-server-sdk alone' };
const CONSOLE_SIDES = { candidate: 'the bundle', base: 'the same bundle built without the console' };

/** What the PC console (issue 20) adds to what ships and to a cold start. */
function consoleFigures(bench: string, addedBytes: number, cold: RequireTimeComparison): Figure[] {
  const { wall, cpu, pairs } = cold;
  return [
    figure({
      id: 'package.consoleBytes',
      benchmark: bench,
      name: 'Bundle added by the console',
      value: round1(addedBytes / KB),
      unit: 'KB',
      note: 'the bundle minus the same build with console/route.ts replaced by a 404 (its screens, QR code library and styles go with it)',
    }),
    figure({
      id: 'package.consoleColdStart',
      benchmark: bench,
      name: 'Cold start added by the console',
      value: round1(wall.addedMs),
      unit: 'ms',
      baseline: { name: 'the bundle without the console', value: round1(median(wall.baseMs)), unit: 'ms' },
      goal: { op: '<=', target: GOALS.consoleColdStartAddedMs },
      interval: intervalOf(wall),
      note: `${pairedNote(wall, pairs, 'wall time', CONSOLE_SIDES)}. The goal (not noticeably longer) is judged on the median`,
    }),
    figure({
      id: 'package.consoleColdStartCpu',
      benchmark: bench,
      name: 'Cold start added by the console, CPU time',
      value: round1(cpu.addedMs),
      unit: 'ms',
      baseline: { name: 'the bundle without the console', value: round1(median(cpu.baseMs)), unit: 'ms' },
      interval: intervalOf(cpu),
      note: `${pairedNote(cpu, pairs, 'CPU time (user + system, all threads)', CONSOLE_SIDES)}. A cross-check, not the goal`,
    }),
  ];
}

const intervalOf = (times: PairedTimes) => ({
  name: '95 % CI',
  low: round1(times.interval.low),
  high: round1(times.interval.high),
});

/** The goal, judged on the median wall time (flagged when its CI lies on both sides of it); CPU time beside it. */
function coldStartFigures(bench: string, cold: RequireTimeComparison): Figure[] {
  const { wall, cpu, pairs } = cold;
  return [
    figure({
      id: 'package.coldStart',
      benchmark: bench,
      name: 'Cold start added by the bundle',
      value: round1(wall.addedMs),
      unit: 'ms',
      baseline: { name: "require('wx-server-sdk') alone", value: round1(median(wall.baseMs)), unit: 'ms' },
      goal: { op: '<=', target: GOALS.coldStartAddedMs },
      interval: intervalOf(wall),
      note: `${pairedNote(wall, pairs, 'wall time')}. The goal is judged on the median; a CI on both sides of it is flagged as too spread to judge`,
    }),
    figure({
      id: 'package.coldStartCpu',
      benchmark: bench,
      name: 'Cold start added by the bundle, CPU time',
      value: round1(cpu.addedMs),
      unit: 'ms',
      baseline: { name: "require('wx-server-sdk') alone", value: round1(median(cpu.baseMs)), unit: 'ms' },
      interval: intervalOf(cpu),
      note: `${pairedNote(cpu, pairs, 'CPU time (user + system, all threads)')}. A busy machine usually sways it less than wall time: a cross-check, not the goal`,
    }),
  ];
}

export async function packageSize(options: BenchOptions, sink: LogSink): Promise<BenchResult> {
  const bench = 'Package';
  const { bytes: bundleBytes } = await buildFunction();
  // From the function's folder, as the cloud runs it: the bundle's own require('wx-server-sdk') resolves the same module.
  const cold = compareRequireTimes('wx-server-sdk', './index.js', FUNCTION_DIR, options.coldStarts);
  const { bytes: withoutConsoleBytes } = await buildFunction({ outfile: WITHOUT_CONSOLE, plugins: [withoutConsole] });
  const consoleCold = compareRequireTimes(`./${WITHOUT_CONSOLE}`, './index.js', FUNCTION_DIR, options.coldStarts);
  fs.rmSync(path.join(FUNCTION_DIR, path.dirname(WITHOUT_CONSOLE)), { recursive: true, force: true });
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
    ...coldStartFigures(bench, cold),
    ...consoleFigures(bench, bundleBytes - withoutConsoleBytes, consoleCold),
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
  return {
    figures,
    details: { bundleBytes, withoutConsoleBytes, coldStart: cold, consoleColdStart: consoleCold, miniprogram: mini },
  };
}
