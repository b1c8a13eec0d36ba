/**
 * `npm run bench`: the four benchmarks on the local stack, each figure beside its baseline and
 * goal. Prints a table; after a full run writes bench/results.json and bench/RESULTS.md.
 */
import os from 'node:os';
import path from 'node:path';
import { buildFunction } from '../scripts/build-function';
import { authorizationLatency } from './authorization-latency';
import { brokerBench } from './broker';
import { fleetBench } from './fleet';
import type { BenchResult, Figure } from './figures';
import { LogSink, say } from './log-sink';
import { machineFacts } from './machine';
import {
  BENCH_NAMES,
  DEFAULT_FLEET_SIZES,
  DEFAULT_SCALE_SIZES,
  parseOptions,
  USAGE,
  type BenchName,
  type BenchOptions,
} from './options';
import { packageSize } from './package-size';
import { pushPipeline } from './push-pipeline';
import { intervalNotes, recordScale, scaleMarkdown, textTable, writeReport, type BenchReport } from './report';
import { scaleBench } from './scale';
import { tokenEconomy } from './token-economy';

type Benchmark = (options: BenchOptions, sink: LogSink) => Promise<BenchResult>;

const BENCHMARKS: Record<BenchName, { title: string; run: Benchmark }> = {
  push: { title: 'Push pipeline', run: pushPipeline },
  tokens: { title: 'Token economy', run: tokenEconomy },
  auth: { title: 'Authorization latency', run: authorizationLatency },
  package: { title: 'Package', run: packageSize },
  broker: { title: 'Broker', run: brokerBench },
};

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    say(USAGE);
    return 0;
  }
  const options = parsed;
  const machine = machineFacts();
  const busy = machine.loadAverageAtStart / machine.cores;
  if (busy > 0.5)
    say(
      `note: the machine is busy (load average ${machine.loadAverageAtStart} on ${machine.cores} cores); figures will be skewed`,
    );
  const sink = new LogSink(path.join(os.tmpdir(), `bench-${machine.date.replace(/[:.]/g, '-')}.log`));
  if (options.scale) return runScale(options.scale, machine, sink);
  if (options.fleet) return runScale(options.fleet, machine, sink, 'fleet');
  const started = performance.now();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const failed: string[] = [];
  try {
    const { bytes } = await buildFunction();
    say(`function bundle built (${(bytes / 1024).toFixed(1)} KB); logs of the stack: ${sink.file}`);
    for (const name of BENCH_NAMES.filter((n) => options.only.includes(n))) {
      const { title, run } = BENCHMARKS[name];
      say(`running ${title}…`);
      const benchStarted = performance.now();
      try {
        const result = await sink.capture(() => run(options, sink));
        figures.push(...result.figures);
        details[name] = result.details;
        say(`  done in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
      } catch (error) {
        failed.push(name);
        say(`  ${title} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    await sink.close();
  }

  const report: BenchReport = { machine, options, durationSeconds: (performance.now() - started) / 1000, figures, details };
  say('');
  say(textTable(figures));
  say('');
  for (const note of intervalNotes(figures)) say(`${note}\n`);
  if (failed.length === 0 && options.only.length === BENCH_NAMES.length) {
    const written = writeReport(report, __dirname);
    say(`wrote ${path.relative(process.cwd(), written.json)} and ${path.relative(process.cwd(), written.md)}`);
  } else {
    say('partial run: bench/results.json and bench/RESULTS.md were left as they were');
  }
  const missed = figures.filter((f) => f.pass === false).length;
  const unsure = figures.filter((f) => f.unsure).length;
  say(
    `${figures.filter((f) => f.pass === true).length} goals met, ${missed} missed${unsure ? ` (${unsure} too spread to judge)` : ''}${failed.length ? `, ${failed.length} benchmarks failed` : ''}`,
  );
  return failed.length > 0 ? 1 : 0;
}

/** `--scale` or `--fleet`: that benchmark alone; recorded when it ran the standard sizes. */
async function runScale(
  sizes: number[],
  machine: ReturnType<typeof machineFacts>,
  sink: LogSink,
  key: 'scale' | 'fleet' = 'scale',
): Promise<number> {
  const started = performance.now();
  const bench = key === 'fleet' ? fleetBench : scaleBench;
  const unit = key === 'fleet' ? 'mini-programs' : 'authorizers';
  let result: BenchResult;
  try {
    const { bytes } = await buildFunction();
    say(`function bundle built (${(bytes / 1024).toFixed(1)} KB); logs of the stack: ${sink.file}`);
    say(`running ${key === 'fleet' ? 'Fleet' : 'Scale'} at ${sizes.join(', ')} ${unit}…`);
    result = await sink.capture(() => bench(sizes, sink, say));
  } finally {
    await sink.close();
  }
  say('');
  say(textTable(result.figures));
  say('');
  const standard = sizes.join(',') === (key === 'fleet' ? DEFAULT_FLEET_SIZES : DEFAULT_SCALE_SIZES).join(',');
  if (standard) {
    const scale = { machine, sizes, durationSeconds: (performance.now() - started) / 1000, ...result };
    const written = recordScale(scale, __dirname, key);
    say(`wrote "${key}" in ${path.relative(process.cwd(), written)}; for the README:\n\n${scaleMarkdown(scale, key)}`);
  } else {
    say('other sizes than the standard ones: bench/results.json was left as it was');
  }
  const missed = result.figures.filter((f) => f.pass === false).length;
  say(`${result.figures.filter((f) => f.pass === true).length} goals met, ${missed} missed`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
