import fs from 'node:fs';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import type { Clock } from '../clock';
import { errorMessage } from './error-text';

/**
 * Timer triggers as WeChat defines them in a function's config.json:
 * `{ "triggers": [{ "name", "type": "timer", "config": "<second minute hour day month weekday year>" }] }`,
 * evaluated in UTC+8. Day and weekday both given means either one (cron-parser does the same).
 */

export interface TimerTrigger {
  functionName: string;
  name: string;
  config: string;
  schedule: CronSchedule;
}

/** The event a timer invocation receives (field names as WeChat/SCF send them). */
export interface TimerEvent {
  Type: 'Timer';
  TriggerName: string;
  /** UTC, second precision: "2024-01-01T00:00:00Z". */
  Time: string;
  Message: string;
}

const TIMEZONE = 'Asia/Shanghai';
const UTC8_MS = 8 * 3600 * 1000;
const YEAR_MIN = 1970;
const YEAR_MAX = 2099;
const TRIGGER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;

function yearBounds(token: string): [number, number] {
  if (token === '*') return [YEAR_MIN, YEAR_MAX];
  const [from, to] = token.split('-').map((part) => Number(part));
  const end = token.includes('-') ? to : from;
  if (!Number.isInteger(from) || !Number.isInteger(end) || from < YEAR_MIN || end > YEAR_MAX || from > end) {
    throw new Error(`invalid year "${token}" (years are ${YEAR_MIN}-${YEAR_MAX})`);
  }
  return [from, end];
}

/** The years the 7th field allows: `*`, lists, ranges and steps (`2024`, `2024,2026`, `2024-2030/2`, `*\/2`). */
export function parseYearField(field: string): number[] {
  const years = new Set<number>();
  for (const token of field.split(',')) {
    const [range, stepText] = token.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid year step in "${token}"`);
    const [from, to] = yearBounds(range);
    // "2024/2" means from 2024 on, every second year.
    const end = stepText !== undefined && !range.includes('-') && range !== '*' ? YEAR_MAX : to;
    for (let year = from; year <= end; year += step) years.add(year);
  }
  return [...years].sort((a, b) => a - b);
}

const yearInUtc8 = (ms: number) => new Date(ms + UTC8_MS).getUTCFullYear();
const startOfYearInUtc8 = (year: number) => Date.UTC(year, 0, 1) - UTC8_MS;

export class CronSchedule {
  private readonly sixFields: string;
  private readonly years: number[];

  constructor(readonly expression: string) {
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 7)
      throw new Error(`timer config "${expression}" must have 7 fields: second minute hour day month weekday year`);
    this.sixFields = fields.slice(0, 6).join(' ');
    this.years = parseYearField(fields[6]);
    CronExpressionParser.parse(this.sixFields, { tz: TIMEZONE, strict: false });
  }

  private nextOfSixFields(afterMs: number): number | null {
    try {
      return CronExpressionParser.parse(this.sixFields, { currentDate: new Date(afterMs), tz: TIMEZONE })
        .next()
        .getTime();
    } catch {
      return null;
    }
  }

  /** The first firing time strictly after `afterMs`, or null if there is none. */
  next(afterMs: number): number | null {
    let from = afterMs;
    for (;;) {
      const candidate = this.nextOfSixFields(from);
      if (candidate === null) return null;
      const year = yearInUtc8(candidate);
      if (this.years.includes(year)) return candidate;
      const laterYear = this.years.find((allowed) => allowed > year);
      if (laterYear === undefined) return null;
      from = startOfYearInUtc8(laterYear) - 1;
    }
  }
}

interface RawTrigger {
  name?: unknown;
  type?: unknown;
  config?: unknown;
}

/** The timer trigger declared in `<functionDir>/config.json` (none if it has no such file); WeChat allows one. */
export function readTimerTriggers(functionName: string, functionDir: string): TimerTrigger[] {
  const file = path.join(functionDir, 'config.json');
  if (!fs.existsSync(file)) return [];
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { triggers?: RawTrigger[] };
  const timers = (config.triggers ?? []).filter((trigger) => trigger.type === 'timer');
  if (timers.length > 1) throw new Error(`${file}: a function has at most one timer trigger, found ${timers.length}`);
  return timers.map((trigger) => {
    const name = String(trigger.name);
    if (!TRIGGER_NAME.test(name)) throw new Error(`${file}: invalid trigger name "${name}"`);
    if (typeof trigger.config !== 'string') throw new Error(`${file}: trigger ${name} has no cron config`);
    try {
      return { functionName, name, config: trigger.config, schedule: new CronSchedule(trigger.config) };
    } catch (error) {
      throw new Error(`${file}: trigger ${name}: ${(error as Error).message}`, { cause: error });
    }
  });
}

export function timerEvent(triggerName: string, timeMs: number): TimerEvent {
  return {
    Type: 'Timer',
    TriggerName: triggerName,
    Time: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Message: '',
  };
}

interface ScheduledTrigger {
  trigger: TimerTrigger;
  nextDue: number | null;
  running: Promise<void> | null;
}

export interface TimerSchedulerOptions {
  clock: Clock;
  /** Invokes the function for one firing at `timeMs`. */
  invoke(trigger: TimerTrigger, timeMs: number): Promise<unknown>;
  log(line: string): void;
  /** How often the clock is looked at, in real milliseconds. */
  pollMs?: number;
}

/**
 * Fires triggers when the clock (which tests may move forward) passes their next time. A jump
 * over several firings fires once. A trigger never runs twice at once: a firing that comes due
 * while the previous one still runs is skipped; a manual trigger waits for it. A failing
 * scheduled run is logged, never fatal.
 */
export class TimerScheduler {
  private readonly scheduled: ScheduledTrigger[];
  private interval: NodeJS.Timeout | null = null;

  constructor(
    triggers: TimerTrigger[],
    private readonly options: TimerSchedulerOptions,
  ) {
    this.scheduled = triggers.map((trigger) => ({ trigger, nextDue: null, running: null }));
  }

  get triggers(): TimerTrigger[] {
    return this.scheduled.map((entry) => entry.trigger);
  }

  start(): void {
    const now = this.options.clock.now();
    for (const entry of this.scheduled) entry.nextDue = entry.trigger.schedule.next(now);
    this.interval = setInterval(() => this.tick(), this.options.pollMs ?? 500);
    this.interval.unref();
  }

  private tick(): void {
    const now = this.options.clock.now();
    for (const entry of this.scheduled) {
      if (entry.nextDue === null || now < entry.nextDue) continue;
      const due = entry.nextDue;
      entry.nextDue = entry.trigger.schedule.next(now);
      const { functionName, name } = entry.trigger;
      if (entry.running) {
        this.options.log(`timer ${functionName}/${name}: previous run still going, firing skipped`);
        continue;
      }
      this.run(entry, due).catch((error: unknown) => {
        this.options.log(`timer ${functionName}/${name} failed: ${errorMessage(error)}`);
      });
    }
  }

  private run(entry: ScheduledTrigger, timeMs: number): Promise<unknown> {
    const outcome = this.options.invoke(entry.trigger, timeMs);
    const running: Promise<void> = outcome
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (entry.running === running) entry.running = null;
      });
    entry.running = running;
    return outcome;
  }

  private find(functionName: string, triggerName?: string): ScheduledTrigger {
    const entry = this.scheduled.find(
      ({ trigger }) => trigger.functionName === functionName && (triggerName === undefined || trigger.name === triggerName),
    );
    if (!entry) throw new Error(`no timer trigger ${triggerName ?? '(any)'} on function ${functionName}`);
    return entry;
  }

  /** Fires a trigger now, after its current run if any; resolves or rejects with the function's outcome. */
  async triggerNow(functionName: string, triggerName?: string): Promise<unknown> {
    const entry = this.find(functionName, triggerName);
    while (entry.running) await entry.running;
    return this.run(entry, this.options.clock.now());
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    await Promise.all(this.scheduled.flatMap((entry) => (entry.running ? [entry.running] : [])));
  }
}
