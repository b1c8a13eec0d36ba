import fs from 'node:fs';
import path from 'node:path';
import { formatNumber, formatValue, goalText, type Figure } from './figures';
import { describeMachine, type MachineFacts } from './machine';
import type { BenchOptions } from './options';

/** The three renderings of a run: a terminal table, results.json and RESULTS.md. */

export interface BenchReport {
  machine: MachineFacts;
  options: BenchOptions;
  durationSeconds: number;
  figures: Figure[];
  /** Raw measurements per benchmark (summaries, call tallies, conditions). */
  details: Record<string, unknown>;
}

interface Row {
  benchmark: string;
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
  result: string;
}

const HEADERS: Row = {
  benchmark: 'Benchmark',
  figure: 'Figure',
  value: 'Value',
  baseline: 'Baseline',
  ratio: 'Ratio',
  goal: 'Goal',
  result: 'Result',
};

function rowOf(figure: Figure): Row {
  const baseline = figure.baseline
    ? `${formatValue(figure.baseline.value, figure.baseline.unit)} (${figure.baseline.name})`
    : '—';
  const interval = figure.interval
    ? ` (${figure.interval.name} ${formatNumber(figure.interval.low)} to ${formatNumber(figure.interval.high)})`
    : '';
  return {
    benchmark: figure.benchmark,
    figure: figure.name,
    value: `${formatValue(figure.value, figure.unit)}${interval}`,
    baseline,
    ratio: figure.ratio === undefined ? '—' : formatRatio(figure.ratio),
    goal: figure.goal ? goalText(figure.goal, figure.unit) : '—',
    result: resultText(figure),
  };
}

function resultText(figure: Figure): string {
  if (figure.pass === undefined) return '—';
  const verdict = figure.pass ? 'PASS' : 'FAIL';
  return figure.unsure ? `${verdict}? (too spread to judge)` : verdict;
}

/** How the figures that carry an interval were measured: printed under the terminal table. */
export function intervalNotes(figures: Figure[]): string[] {
  return figures.filter((f) => f.interval && f.note).map((f) => `${f.benchmark} — ${f.name}: ${f.note}`);
}

/** Small ratios read better as a share: the push pipeline runs at 0.7 % of the bare decrypt rate. */
function formatRatio(ratio: number): string {
  if (ratio < 0.1) return `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)} %`;
  return `${ratio.toFixed(ratio >= 10 ? 1 : 2)}×`;
}

export function textTable(figures: Figure[]): string {
  const rows = [HEADERS, ...figures.map(rowOf)];
  const columns = Object.keys(HEADERS) as (keyof Row)[];
  const widths = columns.map((column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: Row) =>
    columns
      .map((column, i) => row[column].padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(HEADERS), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The figures as a markdown table, then their notes. */
export function figuresMarkdown(figures: Figure[]): string[] {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const columns = Object.keys(HEADERS) as (keyof Row)[];
  const table = [
    `| ${columns.map((c) => HEADERS[c]).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...figures.map(rowOf).map((row) => `| ${columns.map((c) => escape(row[c])).join(' | ')} |`),
  ];
  const notes = figures.filter((f) => f.note).map((f) => `- **${f.benchmark} — ${f.name}**: ${f.note}`);
  return [...table, '', ...(notes.length > 0 ? ['Notes:', '', ...notes, ''] : [])];
}

export function markdown(report: BenchReport): string {
  const o = report.options;
  return [
    '# Benchmark results',
    '',
    `Measured ${report.machine.date.slice(0, 10)} on ${describeMachine(report.machine)}, in ${Math.round(report.durationSeconds)} s,`,
    `with \`npm run bench -- --pushes ${o.pushes} --warmup ${o.warmup} --concurrency ${o.concurrency} --instances ${o.instances} --calls ${o.calls}` +
      ` --authorizers ${o.authorizers} --auths ${o.auths} --cold-starts ${o.coldStarts}\`.`,
    'Everything runs on one machine on 127.0.0.1: the Open Platform emulator, the local cloud runtime running the built',
    'function bundle, and the load generator. Raw numbers: `bench/results.json`.',
    '',
    ...figuresMarkdown(report.figures),
  ].join('\n');
}

/** The scale (or fleet) run as the README shows it. */
export function scaleMarkdown(scale: ScaleReport, key: 'scale' | 'fleet' = 'scale'): string {
  return [
    `Measured ${scale.machine.date.slice(0, 10)} on ${describeMachine(scale.machine)}, in ${Math.round(scale.durationSeconds)} s,`,
    `with \`npm run bench -- --${key}\` (sizes ${scale.sizes.map((n) => n.toLocaleString('en-US')).join(', ')}). Raw numbers: \`bench/results.json\` ("${key}").`,
    '',
    ...figuresMarkdown(scale.figures),
  ].join('\n');
}

export function writeReport(report: BenchReport, dir: string): { json: string; md: string } {
  const json = path.join(dir, 'results.json');
  const md = path.join(dir, 'RESULTS.md');
  // The scale and fleet benchmarks are run on their own (--scale, --fleet): keep their last figures.
  const { scale, fleet } = readSeparate(json);
  fs.writeFileSync(json, `${JSON.stringify({ ...report, ...(scale ? { scale } : {}), ...(fleet ? { fleet } : {}) }, null, 2)}\n`);
  fs.writeFileSync(md, markdown(report));
  return { json, md };
}

/** What `npm run bench -- --scale` records: its own run, beside the main report in results.json. */
export interface ScaleReport {
  machine: MachineFacts;
  sizes: number[];
  durationSeconds: number;
  figures: Figure[];
  details: unknown;
}

function readSeparate(json: string): { scale?: ScaleReport; fleet?: ScaleReport } {
  if (!fs.existsSync(json)) return {};
  return JSON.parse(fs.readFileSync(json, 'utf8')) as { scale?: ScaleReport; fleet?: ScaleReport };
}

/** Puts the scale (or fleet) run into results.json under its key, leaving the rest as it was. */
export function recordScale(scale: ScaleReport, dir: string, key: 'scale' | 'fleet' = 'scale'): string {
  const json = path.join(dir, 'results.json');
  const current = fs.existsSync(json) ? (JSON.parse(fs.readFileSync(json, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(json, `${JSON.stringify({ ...current, [key]: scale }, null, 2)}\n`);
  return json;
}
