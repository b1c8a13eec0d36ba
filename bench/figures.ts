/**
 * One measured figure, its baseline and its goal: the unit every benchmark reports in, and what
 * the table, results.json and RESULTS.md are made of.
 */

export type Comparison = '>=' | '<=' | '=';

export interface Goal {
  op: Comparison;
  target: number;
  /** How the goal reads when the number alone does not say it, e.g. "exactly 1 per authorizer". */
  text?: string;
}

export interface Baseline {
  /** What was measured instead, e.g. "bare @wecom/crypto decrypt". */
  name: string;
  value: number;
  unit: string;
}

/** The range a measured value is known to lie in, e.g. the 95 % confidence interval of a median. */
export interface FigureInterval {
  /** How it reads in the table, e.g. "95 % CI". */
  name: string;
  low: number;
  high: number;
}

export interface Figure {
  /** Stable key, e.g. "push.throughput". */
  id: string;
  benchmark: string;
  name: string;
  value: number;
  unit: string;
  baseline?: Baseline;
  /** value ÷ baseline.value. */
  ratio?: number;
  goal?: Goal;
  interval?: FigureInterval;
  /** Whether the goal is met (by the value itself); absent when the figure has no goal. */
  pass?: boolean;
  /** The interval lies on both sides of the goal's target: too spread to be sure of `pass`. */
  unsure?: boolean;
  /** Anything that changes how to read the number (conditions, a check that failed, why). */
  note?: string;
}

export interface FigureInput extends Omit<Figure, 'ratio' | 'pass' | 'unsure'> {
  /** A figure can fail beyond its number: e.g. an answer that was not `success`. */
  valid?: boolean;
}

/** Computes ratio and pass, so no benchmark judges its own goal by hand. */
export function figure(input: FigureInput): Figure {
  const { valid = true, ...rest } = input;
  const result: Figure = { ...rest };
  if (input.baseline && input.baseline.value !== 0 && Number.isFinite(input.baseline.value)) {
    result.ratio = input.value / input.baseline.value;
  }
  if (input.goal) result.pass = valid && meets(input.value, input.goal);
  else if (!valid) result.pass = false;
  if (input.goal && input.interval && valid) result.unsure = straddles(input.interval, input.goal);
  return result;
}

/** Whether one end of the interval meets the goal and the other does not. */
function straddles(interval: FigureInterval, goal: Goal): boolean {
  return meets(interval.low, goal) !== meets(interval.high, goal);
}

export function meets(value: number, goal: Goal): boolean {
  if (!Number.isFinite(value)) return false;
  switch (goal.op) {
    case '>=':
      return value >= goal.target;
    case '<=':
      return value <= goal.target;
    case '=':
      return value === goal.target;
  }
}

const OP_TEXT: Record<Comparison, string> = { '>=': '≥', '<=': '≤', '=': '=' };

export function goalText(goal: Goal, unit: string): string {
  if (goal.text) return goal.text;
  return goal.op === '=' ? `exactly ${formatNumber(goal.target)}` : `${OP_TEXT[goal.op]} ${formatNumber(goal.target)} ${unit}`;
}

/** Thousands separators for big numbers, one decimal for small ones (two below 1). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) || abs >= 100 ? 0 : abs >= 1 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatValue(value: number, unit: string): string {
  return `${formatNumber(value)} ${value === 1 && unit === 'calls' ? 'call' : unit}`;
}

/** What each benchmark hands back: its figures and the raw measurements behind them. */
export interface BenchResult {
  figures: Figure[];
  details: unknown;
}
