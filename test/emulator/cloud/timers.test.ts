import fs from 'node:fs';
import path from 'node:path';
import { Clock } from '../../../emulator/clock';
import { startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import {
  CronSchedule,
  parseYearField,
  readTimerTriggers,
  TimerScheduler,
  timerEvent,
  type TimerTrigger,
} from '../../../emulator/cloud/timers';
import { eventually, makeFixtureDirs, type FixtureDirs } from './fixtures';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('cron expressions (7 fields, UTC+8)', () => {
  test('the year field: *, lists, ranges, steps', () => {
    expect(parseYearField('2024')).toEqual([2024]);
    expect(parseYearField('2024,2026')).toEqual([2024, 2026]);
    expect(parseYearField('2025-2027')).toEqual([2025, 2026, 2027]);
    expect(parseYearField('2024-2030/3')).toEqual([2024, 2027, 2030]);
    expect(parseYearField('2090/4')).toEqual([2090, 2094, 2098]);
    expect(parseYearField('*')).toHaveLength(2099 - 1970 + 1);
    expect(parseYearField('*/50')).toEqual([1970, 2020, 2070]);
    for (const bad of ['1969', '2100', 'abc', '2026-2024', '2024/0']) expect(() => parseYearField(bad)).toThrow();
  });

  test('an expression needs exactly seven fields', () => {
    expect(() => new CronSchedule('0 0 2 1 * *')).toThrow(/7 fields/);
    expect(() => new CronSchedule('0 0 2 1 * * * *')).toThrow(/7 fields/);
    expect(() => new CronSchedule('0 0 25 1 * * *')).toThrow();
  });

  test('times are WeChat trigger times, in UTC+8', () => {
    // 02:00 on the 1st of each month, Beijing time.
    const monthly = new CronSchedule('0 0 2 1 * * *');
    expect(iso(monthly.next(Date.parse('2024-01-01T00:00:00Z')))).toBe('2024-01-31T18:00:00.000Z');
    const everyTenMinutesFromOne = new CronSchedule('0 1/10 * * * * *');
    expect(iso(everyTenMinutesFromOne.next(Date.parse('2024-01-01T00:01:30Z')))).toBe('2024-01-01T00:11:00.000Z');
    const everyFiveSeconds = new CronSchedule('*/5 * * * * * *');
    expect(iso(everyFiveSeconds.next(Date.parse('2024-01-01T00:00:00.500Z')))).toBe('2024-01-01T00:00:05.000Z');
  });

  test('day and weekday together mean either', () => {
    const schedule = new CronSchedule('0 0 10 15 * MON *');
    let at = Date.parse('2024-01-01T03:00:00Z'); // Monday 1 Jan, 11:00 Beijing
    const fired: string[] = [];
    for (let i = 0; i < 4; i += 1) fired.push(iso((at = schedule.next(at)!))!);
    expect(fired).toEqual([
      '2024-01-08T02:00:00.000Z',
      '2024-01-15T02:00:00.000Z',
      '2024-01-22T02:00:00.000Z',
      '2024-01-29T02:00:00.000Z',
    ]);
  });

  test('the year field limits firings and skips to the next allowed year', () => {
    const newYear2030 = new CronSchedule('0 0 0 1 1 * 2030');
    expect(iso(newYear2030.next(Date.parse('2024-06-01T00:00:00Z')))).toBe('2029-12-31T16:00:00.000Z');
    expect(newYear2030.next(Date.parse('2030-06-01T00:00:00Z'))).toBeNull();
    const gapYears = new CronSchedule('0 0 12 * * * 2024,2026');
    expect(iso(gapYears.next(Date.parse('2024-12-31T05:00:00Z')))).toBe('2026-01-01T04:00:00.000Z');
  });
});

describe('config.json', () => {
  let dirs: FixtureDirs;
  afterEach(() => dirs.remove());

  test('reads timer triggers, ignores other types, rejects bad names and configs', () => {
    dirs = makeFixtureDirs({
      ok: {
        index: '',
        config: {
          triggers: [
            { name: 'daily', type: 'timer', config: '0 0 3 * * * *' },
            { name: 'x', type: 'other' },
          ],
        },
      },
      badName: { index: '', config: { triggers: [{ name: '9lives', type: 'timer', config: '0 0 3 * * * *' }] } },
      badCron: { index: '', config: { triggers: [{ name: 'six', type: 'timer', config: '0 0 3 * * *' }] } },
      two: {
        index: '',
        config: {
          triggers: [
            { name: 'a', type: 'timer', config: '0 0 3 * * * *' },
            { name: 'b', type: 'timer', config: '0 0 4 * * * *' },
          ],
        },
      },
      none: { index: '' },
    });
    const dir = (name: string) => path.join(dirs.functionsRoot, name);
    expect(readTimerTriggers('ok', dir('ok')).map(({ functionName, name, config }) => ({ functionName, name, config }))).toEqual([
      { functionName: 'ok', name: 'daily', config: '0 0 3 * * * *' },
    ]);
    expect(readTimerTriggers('none', dir('none'))).toEqual([]);
    expect(() => readTimerTriggers('badName', dir('badName'))).toThrow(/invalid trigger name/);
    expect(() => readTimerTriggers('badCron', dir('badCron'))).toThrow(/7 fields/);
    // WeChat allows one timer trigger per function.
    expect(() => readTimerTriggers('two', dir('two'))).toThrow(/at most one timer trigger, found 2/);
  });
});

test("the timer event is SCF's: capital-T Type", () => {
  expect(timerEvent('daily', Date.parse('2024-02-21T11:49:00.123Z'))).toEqual({
    Type: 'Timer',
    TriggerName: 'daily',
    Time: '2024-02-21T11:49:00Z',
    Message: '',
  });
});

describe('scheduler', () => {
  const trigger = (config: string): TimerTrigger => ({
    functionName: 'fn',
    name: 't',
    config,
    schedule: new CronSchedule(config),
  });
  let scheduler: TimerScheduler;
  afterEach(() => scheduler.stop());

  test('fires when the clock passes the time; a jump over many firings fires once', async () => {
    const clock = new Clock();
    const fired: number[] = [];
    scheduler = new TimerScheduler([trigger('0 0 3 * * * *')], {
      clock,
      pollMs: 5,
      log: () => undefined,
      invoke: async (_t, timeMs) => void fired.push(timeMs),
    });
    scheduler.start();
    const firstDue = trigger('0 0 3 * * * *').schedule.next(clock.now())!;
    clock.advance(3 * 86400);
    await eventually(async () => (fired.length >= 1 ? true : undefined));
    clock.advance(86400);
    await eventually(async () => (fired.length >= 2 ? true : undefined));
    expect(fired[0]).toBe(firstDue);
    // The second firing is the first one after the jump, not a missed one.
    expect(fired[1]).toBeGreaterThan(firstDue + 2 * 86400 * 1000);
  });

  test('never overlaps itself; a manual trigger waits; a failing run is logged and not fatal', async () => {
    const clock = new Clock();
    const logs: string[] = [];
    let release!: () => void;
    const firstRunBlocks = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    scheduler = new TimerScheduler([trigger('0 0 * * * * *')], {
      clock,
      pollMs: 5,
      log: (line) => logs.push(line),
      invoke: async () => {
        started += 1;
        if (started === 1) await firstRunBlocks;
        if (started === 3) throw new Error('tick failed');
        return started;
      },
    });
    scheduler.start();
    clock.advance(3600);
    await eventually(async () => (started === 1 ? true : undefined));
    clock.advance(3600);
    await eventually(async () => (logs.some((line) => line.includes('skipped')) ? true : undefined));
    const manual = scheduler.triggerNow('fn');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(started).toBe(1);
    release();
    await expect(manual).resolves.toBe(2);
    clock.advance(3600);
    await eventually(async () => (logs.some((line) => line.includes('fn/t failed: tick failed')) ? true : undefined));
    clock.advance(3600);
    await eventually(async () => (started === 4 ? true : undefined));
  });
});

/** Records each timer run in the database and answers with what it saw. */
const TICKER = `
const cloud = require('wx-server-sdk');
const db = cloud.database();
exports.main = async (event) => {
  if (process.env.FAIL_TIMER === '1') throw new Error('timer broke');
  await db.collection('runs').add({ data: { event, source: cloud.getWXContext().SOURCE, seen: Date.now() } });
  return { got: event.TriggerName, source: cloud.getWXContext().SOURCE };
};
`;

describe('timers in the runtime', () => {
  let dirs: FixtureDirs;
  let clock: Clock;
  let runtime: CloudRuntime;
  const logs: string[] = [];

  beforeAll(async () => {
    dirs = makeFixtureDirs({
      ticker: { index: TICKER, config: { triggers: [{ name: 'nightly', type: 'timer', config: '0 30 2 * * * *' }] } },
      failing: { index: TICKER, config: { triggers: [{ name: 'often', type: 'timer', config: '0 0 * * * * *' }] } },
    });
    clock = new Clock();
    runtime = await startCloudRuntime({
      functionsRoot: dirs.functionsRoot,
      dataDir: dirs.dataDir,
      clock,
      timerPollMs: 10,
      env: { failing: { FAIL_TIMER: '1' } },
      log: (line) => logs.push(line),
    });
    await runtime.db.createCollection('runs');
  });

  afterAll(async () => {
    await runtime.close();
    dirs.remove();
  });

  test('lists the triggers found in config.json', () => {
    expect(runtime.timerTriggers()).toEqual(
      expect.arrayContaining([
        { functionName: 'ticker', name: 'nightly', config: '0 30 2 * * * *' },
        { functionName: 'failing', name: 'often', config: '0 0 * * * * *' },
      ]),
    );
  });

  test('a manual trigger passes the timer event and wx_trigger source', async () => {
    await expect(runtime.triggerTimer('ticker', 'nightly')).resolves.toEqual({ got: 'nightly', source: 'wx_trigger' });
    await expect(runtime.triggerTimer('ticker')).resolves.toEqual({ got: 'nightly', source: 'wx_trigger' });
    const { data } = await runtime.db.collection('runs').orderBy('seen', 'desc').limit(1).get();
    expect(data[0].event).toEqual({
      Type: 'Timer',
      TriggerName: 'nightly',
      Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      Message: '',
    });
    await expect(runtime.triggerTimer('ticker', 'nope')).rejects.toThrow(/no timer trigger/);
    await expect(runtime.newInstance('ticker').triggerTimer()).resolves.toEqual({ got: 'nightly', source: 'wx_trigger' });
  });

  test('POST /__runtime/timer/:fn/:trigger fires it now', async () => {
    const ok = await fetch(`${runtime.url}/__runtime/timer/ticker/nightly`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: { got: 'nightly', source: 'wx_trigger' } });
    const failing = await fetch(`${runtime.url}/__runtime/timer/failing/often`, { method: 'POST' });
    expect(failing.status).toBe(500);
    expect(await failing.json()).toEqual({ errMsg: 'timer broke' });
    expect((await fetch(`${runtime.url}/__runtime/timer/ticker/nope`, { method: 'POST' })).status).toBe(404);
  });

  test('scheduled firings follow the clock; a failing timer is logged, not fatal', async () => {
    const before = (await runtime.db.collection('runs').where({ 'event.TriggerName': 'nightly' }).count()).total;
    const due = new CronSchedule('0 30 2 * * * *').next(clock.now())!;
    clock.advance(86400);
    const run = await eventually(async () => {
      const { data } = await runtime.db
        .collection('runs')
        .where({ 'event.Time': timerEvent('nightly', due).Time })
        .get();
      return data[0];
    });
    expect(run.source).toBe('wx_trigger');
    expect((await runtime.db.collection('runs').where({ 'event.TriggerName': 'nightly' }).count()).total).toBe(before + 1);
    await eventually(async () =>
      logs.some((line) => line.includes('timer failing/often failed: timer broke')) ? true : undefined,
    );
    await expect(runtime.triggerTimer('ticker')).resolves.toMatchObject({ got: 'nightly' });
  });
});

test('a runtime with timers off does not schedule, but manual triggers work', async () => {
  const dirs = makeFixtureDirs({
    ticker: { index: TICKER, config: { triggers: [{ name: 'n', type: 'timer', config: '* * * * * * *' }] } },
  });
  const clock = new Clock();
  const runtime = await startCloudRuntime({
    functionsRoot: dirs.functionsRoot,
    dataDir: dirs.dataDir,
    clock,
    timers: false,
    timerPollMs: 5,
    log: () => undefined,
  });
  await runtime.db.createCollection('runs');
  try {
    clock.advance(3600);
    // Scheduled, it would have fired many polls ago.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await runtime.db.collection('runs').count()).total).toBe(0);
    await runtime.triggerTimer('ticker');
    expect((await runtime.db.collection('runs').count()).total).toBe(1);
  } finally {
    await runtime.close();
    dirs.remove();
  }
  expect(fs.existsSync(dirs.root)).toBe(false);
});
