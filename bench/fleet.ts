import { createApp, type App } from '../cloudfunctions/authorization/src/app';
import { createLogger } from '../cloudfunctions/authorization/src/logger';
import type { ShipJobDoc } from '../cloudfunctions/authorization/src/model';
import { createShipJob, type ShipJobInput } from '../cloudfunctions/authorization/src/shipping/createJob';
import type { CloudDb } from '../cloudfunctions/authorization/src/store';
import { seedAuthorizers } from '../emulator/scale-seed';
import { FUNCTION_NAME, type LocalStack } from '../emulator/stack';
import { withBenchStack } from './bench-stack';
import { figure, type BenchResult, type Figure } from './figures';
import type { LogSink } from './log-sink';

/**
 * `npm run bench -- --fleet` (issue 19): one shipping job over N mini-programs that granted code
 * management (set 18), on the local stack with 5 ms per database round trip, 30 ms per WeChat
 * call and the function's 20 s timeout. The job is created with the function's own code in this
 * process; the five-minute timer (through the runtime) moves it on a simulated clock, and the
 * emulator's audit events are delivered to the message URL after each run. 2 % of the merchants
 * lose their audit event, 1 % are rejected by the audit. A job over more merchants than the
 * month's quota shows what waits for the next month, and a second, smaller job runs with the
 * warm instance killed at a random database operation in every other timer run.
 */

const DB_LATENCY_MS = 5;
const WECHAT_LATENCY_MS = 30;
const TIMEOUT_SECONDS = 20;
const TIMER_PERIOD_SECONDS = 300;
const CODE_MANAGEMENT = 18;
const LOST_EVERY = 50;
const REJECTED_EVERY = 100;
/** Merchants in the kill soak (a job of its own, on a stack of its own). */
const SOAK_MERCHANTS = 100;
/** Timer runs the kill soak gives the job at most. */
const SOAK_MAX_RUNS = 120;
/** A killed instance's claims run out (the longest is 20 s) before anyone tries again. */
const CLAIMS_RUN_OUT_SECONDS = 21;
const MAX_RUNS = 5_000;
/** The limited-quota case: a job over more merchants than the month allows. */
const QUOTA_MERCHANTS = 1_000;
const QUOTA = 600;
const UNSUBMITTED = ['queued', 'preflight', 'committing', 'committed', 'ready'];
/** The shared calls a job makes (not any one merchant's step). */
const SHARED_PATHS = ['/wxa/queryquota'];
const POLL_PATH = '/wxa/get_auditstatus';

export interface FleetSample {
  n: number;
  lost: number;
  rejected: number;
  /** Calls per merchant by API path (refusals such as 86001 "no audit yet" included), over the clean merchants. */
  callsPerMerchant: Record<string, number>;
  /** Merchants (clean) that made a step's call more than once. */
  repeatedSteps: number;
  /** Status polls among the merchants whose event was lost: the most for any one of them. */
  maxPollsLost: number;
  /** Polls of merchants whose event arrived. */
  pollsDelivered: number;
  sharedCalls: Record<string, number>;
  /** Calls WeChat answered with an errcode (all merchants). */
  refusedCalls: number;
  tokenCalls: number;
  create: { roundTrips: number; ms: number };
  timer: { runs: number; roundTrips: number; maxMs: number; maxRunRoundTrips: number };
  eventRoundTrips: number;
  /** Simulated seconds from the job's creation to every merchant submitted, and to done. */
  submittedSeconds: number | null;
  doneSeconds: number | null;
  counts: Record<string, number>;
  seedSeconds: number;
  realSeconds: number;
}

export interface QuotaSample {
  n: number;
  /** Submissions the month allows (queryquota's rest at the start, and again after the month turns). */
  quota: number;
  /** Merchants submitted when the month's quota was spent, and the simulated seconds it took. */
  submittedOnQuota: number;
  spentSeconds: number | null;
  /** Simulated seconds from the quota's return (the month turned) to every merchant submitted. */
  restSeconds: number | null;
  runs: number;
  pausedFor85085: boolean;
}

export interface SoakSample {
  merchants: number;
  runs: number;
  kills: number;
  doubleSubmissions: number;
  doubleCommits: number;
  done: boolean;
  counts: Record<string, number>;
}

const stackOptions = {
  cloudLimits: { dbLatencyMs: DB_LATENCY_MS, timeoutSeconds: { [FUNCTION_NAME]: TIMEOUT_SECONDS } },
};

/** `count` authorized ordinary mini-programs with set 18, written straight into the database. */
async function seedMerchants(stack: LocalStack, count: number, label: string): Promise<string[]> {
  const grants = stack.openPlatform.bulkAuthorize(
    count,
    label,
    (t) => t.kind === 'mini_program' && t.serviceTypeId === 0 && t.grantableFuncIds.includes(CODE_MANAGEMENT),
  );
  await seedAuthorizers(stack.cloud.db, grants, stack.clock.now());
  return grants.map((g) => g.account.appid);
}

/** The function's code in this process on the stack's database, each database call counted and as slow as a round trip. */
function inProcessApp(stack: LocalStack, counter: { roundTrips: number }): App {
  return createApp({
    env: stack.functionEnv,
    db: countingDb(stack.cloud.db, counter) as unknown as CloudDb,
    now: () => stack.clock.now(),
    log: createLogger(() => undefined),
  });
}

/** A call on the SDK's chain that returns a promise reaches the database: one round trip. */
function countingDb<T extends object>(target: T, counter: { roundTrips: number }): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value: unknown = Reflect.get(object, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (result instanceof Promise) {
          counter.roundTrips += 1;
          return new Promise((resolve) => setTimeout(resolve, DB_LATENCY_MS)).then(() => result);
        }
        return result !== null && typeof result === 'object' ? countingDb(result, counter) : result;
      };
    },
  });
}

function plan(stack: LocalStack, targets: string[], userVersion: string): ShipJobInput {
  const { templateId } = stack.openPlatform.codeManagement.uploadDraft({ userVersion, userDesc: 'fleet', toTemplate: true });
  const first = Math.max(1, Math.ceil(targets.length / 10));
  return {
    templateId: templateId!,
    userVersion,
    userDesc: '全量发布',
    versionDesc: '测试账号：见备注',
    extJsonTemplate: { extEnable: true, extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } },
    targets,
    waveSizes: targets.length > 1 ? [first, targets.length - first] : [1],
  };
}

async function putValues(app: App, appids: string[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < appids.length) {
      const appid = appids[next++];
      await app.repositories.merchantShipValues.put(appid, { shopName: `店${appid.slice(-6)}` });
    }
  };
  await Promise.all(Array.from({ length: 32 }, lane));
}

async function jobDoc(stack: LocalStack, jobId: string): Promise<ShipJobDoc> {
  const { data } = (await stack.cloud.db.collection('shipJobs').doc(jobId).get()) as unknown as { data: ShipJobDoc };
  return data;
}

async function unsubmitted(stack: LocalStack, jobId: string): Promise<number> {
  const _ = stack.cloud.db.command;
  const { total } = (await stack.cloud.db
    .collection('shipItems')
    .where({ jobId, stage: _.in(UNSUBMITTED) })
    .count()) as { total: number };
  return total;
}

const roundTrips = (stack: LocalStack) => {
  const c = stack.cloud.dbCalls();
  return c.reads + c.writes;
};

export async function fleetSample(n: number, sink: LogSink): Promise<FleetSample> {
  const realStarted = performance.now();
  return withBenchStack(`fleet-${n}`, sink, stackOptions, async (stack) => {
    const seedStarted = performance.now();
    const appids = await seedMerchants(stack, n, `fleet-${n}`);
    const counter = { roundTrips: 0 };
    const app = inProcessApp(stack, counter);
    await putValues(app, appids);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const cm = stack.openPlatform.codeManagement;
    cm.setQuota({ limit: 2 * n + 100, rest: 2 * n + 100 });
    const lost = appids.filter((_, i) => i % LOST_EVERY === 7);
    const rejected = appids.filter((_, i) => i % REJECTED_EVERY === 3);
    for (const appid of lost) cm.injectEventFault({ appid, drop: true, times: 1 });
    for (const appid of rejected) cm.configure(appid, { outcome: 'fail', failReason: '功能不完整' });
    stack.openPlatform.faults.inject({ api: '*', delayMs: WECHAT_LATENCY_MS });
    const callsBefore = stack.openPlatform.authorizerCalls.length;
    const componentBefore = stack.openPlatform.calls.length;

    counter.roundTrips = 0;
    const createStarted = performance.now();
    const startedAt = stack.clock.now();
    const { jobId } = await createShipJob(app, plan(stack, appids, `9.${n}.0`));
    const create = { roundTrips: counter.roundTrips, ms: performance.now() - createStarted };

    const timerBefore = roundTrips(stack);
    let eventRoundTrips = 0;
    let maxMs = 0;
    let maxRunRoundTrips = 0;
    let runs = 0;
    let submittedSeconds: number | null = null;
    let doneSeconds: number | null = null;
    while (runs < MAX_RUNS) {
      stack.clock.advance(TIMER_PERIOD_SECONDS);
      const before = roundTrips(stack);
      const started = performance.now();
      await stack.cloud.triggerTimer(FUNCTION_NAME);
      maxMs = Math.max(maxMs, performance.now() - started);
      runs += 1;
      const afterRun = roundTrips(stack);
      maxRunRoundTrips = Math.max(maxRunRoundTrips, afterRun - before);
      await cm.settle();
      eventRoundTrips += roundTrips(stack) - afterRun;
      const elapsed = (stack.clock.now() - startedAt) / 1000;
      if (submittedSeconds === null && (await unsubmitted(stack, jobId)) === 0) submittedSeconds = elapsed;
      const job = await jobDoc(stack, jobId);
      if (job.state === 'done') {
        doneSeconds = elapsed;
        break;
      }
      if (job.state !== 'running') throw new Error(`the job stopped: ${JSON.stringify(job.pause)}`);
    }
    const timerRoundTrips = roundTrips(stack) - timerBefore - eventRoundTrips;

    const callFigures = countCalls(stack, callsBefore, appids, lost, rejected);
    const job = await jobDoc(stack, jobId);
    return {
      n,
      lost: lost.length,
      rejected: rejected.length,
      ...callFigures,
      tokenCalls: stack.openPlatform.calls.slice(componentBefore).filter((c) => c.api === 'api_authorizer_token').length,
      create,
      timer: { runs, roundTrips: timerRoundTrips, maxMs, maxRunRoundTrips },
      eventRoundTrips,
      submittedSeconds,
      doneSeconds,
      counts: job.counts,
      seedSeconds,
      realSeconds: (performance.now() - realStarted) / 1000,
    };
  });
}

type CallFigures = Pick<
  FleetSample,
  'callsPerMerchant' | 'repeatedSteps' | 'maxPollsLost' | 'pollsDelivered' | 'sharedCalls' | 'refusedCalls'
>;

/** The authorizer API calls since `callsBefore`, per merchant and step, from the emulator's call log. */
function countCalls(stack: LocalStack, callsBefore: number, appids: string[], lost: string[], rejected: string[]): CallFigures {
  const calls = stack.openPlatform.authorizerCalls.slice(callsBefore);
  const special = new Set([...lost, ...rejected]);
  const perApp = new Map<string, Map<string, number>>();
  const sharedCalls: Record<string, number> = {};
  let refusedCalls = 0;
  for (const call of calls) {
    if (call.errcode !== 0) refusedCalls += 1;
    if (SHARED_PATHS.includes(call.path)) {
      sharedCalls[call.path] = (sharedCalls[call.path] ?? 0) + 1;
      continue;
    }
    const byPath = perApp.get(call.appid ?? '') ?? new Map<string, number>();
    byPath.set(call.path, (byPath.get(call.path) ?? 0) + 1);
    perApp.set(call.appid ?? '', byPath);
  }
  const clean = appids.filter((appid) => !special.has(appid));
  const callsPerMerchant: Record<string, number> = {};
  let repeatedSteps = 0;
  for (const appid of clean) {
    const byPath = perApp.get(appid) ?? new Map<string, number>();
    if ([...byPath.values()].some((count) => count > 1)) repeatedSteps += 1;
    for (const [path, count] of byPath) callsPerMerchant[path] = (callsPerMerchant[path] ?? 0) + count / clean.length;
  }
  const polls = (appid: string) => perApp.get(appid)?.get(POLL_PATH) ?? 0;
  return {
    callsPerMerchant,
    repeatedSteps,
    maxPollsLost: Math.max(0, ...lost.map(polls)),
    pollsDelivered: appids.filter((appid) => !lost.includes(appid)).reduce((sum, appid) => sum + polls(appid), 0),
    sharedCalls,
    refusedCalls,
  };
}

/** Runs without a new submission before the quota is taken as spent. */
const STILL_RUNS = 3;

/** How many calls in a row were given the same value. */
function stillCounter(): (value: number) => number {
  let last: number | null = null;
  let still = 0;
  return (value) => {
    still = value === last ? still + 1 : 0;
    last = value;
    return still;
  };
}

/**
 * A job over more merchants than the month's quota: the timer submits what the quota allows and
 * the rest wait (ready) until `queryquota` shows quota again; then the month turns (the emulator's
 * quota set back) and the rest go. Every merchant passes, every event arrives.
 */
export async function quotaSample(n: number, quota: number, sink: LogSink): Promise<QuotaSample> {
  return withBenchStack(`fleet-quota-${n}`, sink, stackOptions, async (stack) => {
    const appids = await seedMerchants(stack, n, `fleet-quota-${n}`);
    const app = inProcessApp(stack, { roundTrips: 0 });
    await putValues(app, appids);
    const cm = stack.openPlatform.codeManagement;
    cm.setQuota({ limit: quota, rest: quota });
    stack.openPlatform.faults.inject({ api: '*', delayMs: WECHAT_LATENCY_MS });
    const startedAt = stack.clock.now();
    const { jobId } = await createShipJob(app, plan(stack, appids, `9.quota.${n}`));
    const elapsed = () => (stack.clock.now() - startedAt) / 1000;
    let runs = 0;
    let spent: { seconds: number; submitted: number } | null = null;
    let turnedAt = 0;
    const stillFor = stillCounter();
    for (; runs < MAX_RUNS; runs++) {
      stack.clock.advance(TIMER_PERIOD_SECONDS);
      await stack.cloud.triggerTimer(FUNCTION_NAME);
      await cm.settle();
      const left = await unsubmitted(stack, jobId);
      if (left === 0) break;
      if (!spent && stillFor(left) >= STILL_RUNS && cm.quota().rest === 0) {
        spent = { seconds: elapsed() - STILL_RUNS * TIMER_PERIOD_SECONDS, submitted: n - left };
        // The month turns: the same quota again.
        cm.setQuota({ limit: quota, rest: quota });
        turnedAt = elapsed();
      }
    }
    const restSeconds = spent && runs < MAX_RUNS ? elapsed() - turnedAt : null;
    return {
      n,
      quota,
      submittedOnQuota: spent?.submitted ?? 0,
      spentSeconds: spent?.seconds ?? null,
      restSeconds,
      runs: runs + 1,
      pausedFor85085: (await jobDoc(stack, jobId)).pause?.errcode === 85085,
    };
  });
}

/** A job whose timer runs lose their warm instance at a random database operation, every other run. */
export async function killSoak(merchants: number, sink: LogSink, seed = 19): Promise<SoakSample> {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return withBenchStack('fleet-soak', sink, stackOptions, async (stack) => {
    const appids = await seedMerchants(stack, merchants, 'fleet-soak');
    const app = inProcessApp(stack, { roundTrips: 0 });
    await putValues(app, appids);
    const cm = stack.openPlatform.codeManagement;
    cm.setQuota({ limit: 2 * merchants + 100, rest: 2 * merchants + 100 });
    for (const appid of appids.filter((_, i) => i % LOST_EVERY === 7)) cm.injectEventFault({ appid, drop: true, times: 1 });
    stack.openPlatform.faults.inject({ api: '*', delayMs: WECHAT_LATENCY_MS });
    const { jobId } = await createShipJob(app, plan(stack, appids, '9.soak.0'));
    let kills = 0;
    let runs = 0;
    let done = false;
    for (; runs < SOAK_MAX_RUNS && !done; runs++) {
      stack.clock.advance(TIMER_PERIOD_SECONDS);
      let killed = false;
      if (runs % 2 === 0) {
        let countdown = 1 + Math.floor(random() * 60);
        stack.cloud.crashWarmInstance(FUNCTION_NAME, () => (killed ||= --countdown === 0));
      } else {
        stack.cloud.crashWarmInstance(FUNCTION_NAME, () => false);
      }
      await stack.cloud.triggerTimer(FUNCTION_NAME).catch(() => undefined);
      if (killed) {
        kills += 1;
        // Here, between runs: moved from inside the dying run (a setImmediate), the clock jumped
        // in the middle of the next run and spent its whole time budget.
        stack.clock.advance(CLAIMS_RUN_OUT_SECONDS);
      }
      await cm.settle();
      done = (await jobDoc(stack, jobId)).state === 'done';
    }
    stack.cloud.crashWarmInstance(FUNCTION_NAME, () => false);
    const views = appids.map((appid) => cm.app(appid));
    return {
      merchants,
      runs,
      kills,
      doubleSubmissions: views.filter((v) => (v?.submissions ?? 0) > 1).length,
      doubleCommits: views.filter((v) => (v?.commits ?? 0) > 1).length,
      done,
      counts: (await jobDoc(stack, jobId)).counts,
    };
  });
}

const fmt = (n: number) => n.toLocaleString('en-US');
const perMerchantRoundTrips = (s: FleetSample) => (s.create.roundTrips + s.timer.roundTrips + s.eventRoundTrips) / s.n;
const perMerchantCalls = (s: FleetSample) => Object.values(s.callsPerMerchant).reduce((a, b) => a + b, 0);

function sizeFigures(bench: string, s: FleetSample): Figure[] {
  const label = `N = ${fmt(s.n)}`;
  const id = (name: string) => `fleet.${s.n}.${name}`;
  const steps = Object.keys(s.callsPerMerchant).length;
  const shared = Object.entries(s.sharedCalls)
    .map(([path, count]) => `${path.replace('/wxa/', '')} ${count}`)
    .join(', ');
  return [
    figure({
      id: id('wechatCalls'),
      benchmark: bench,
      name: `${label}: WeChat calls per merchant (audit passed, event delivered)`,
      value: Math.round(perMerchantCalls(s) * 100) / 100,
      unit: 'calls',
      goal: { op: '<=', target: steps, text: `one per step (${steps} steps)` },
      note:
        `${Object.entries(s.callsPerMerchant)
          .map(([path, n]) => `${path.split('/').pop()} ${n.toFixed(2)}`)
          .join(', ')}; merchants with a step called twice: ${s.repeatedSteps}; ` +
        `shared: ${shared || 'none'}; api_authorizer_token: ${s.tokenCalls}; answered with an errcode: ${s.refusedCalls} ` +
        '(get_latest_auditstatus 86001 "no audit yet" in the preflight is one per merchant)',
    }),
    figure({
      id: id('lostPolls'),
      benchmark: bench,
      name: `${label}: status polls, merchant whose audit event was lost (max)`,
      value: s.maxPollsLost,
      unit: 'polls',
      goal: { op: '<=', target: 1 },
      note: `${s.lost} merchants lost their event; polls of merchants whose event arrived: ${s.pollsDelivered}`,
    }),
    figure({
      id: id('dbRoundTrips'),
      benchmark: bench,
      name: `${label}: DB round trips per merchant`,
      value: Math.round(perMerchantRoundTrips(s) * 100) / 100,
      unit: 'round trips',
      note:
        `creating the job ${fmt(s.create.roundTrips)} (${(s.create.ms / 1000).toFixed(1)} s), ${s.timer.runs} timer runs ` +
        `${fmt(s.timer.roundTrips)}, audit events ${fmt(s.eventRoundTrips)}; the most in one run: ${fmt(s.timer.maxRunRoundTrips)}`,
    }),
    figure({
      id: id('tokenCalls'),
      benchmark: bench,
      name: `${label}: api_authorizer_token calls per merchant`,
      value: Math.round((s.tokenCalls / s.n) * 100) / 100,
      unit: 'calls',
      note:
        `${fmt(s.tokenCalls)} in all; every seeded token was issued at the same moment, valid 2 h; ` +
        `a job's calls refresh a token only when it is used with less than a minute left, and are not uses (no hot set)`,
    }),
    figure({
      id: id('timerLongest'),
      benchmark: bench,
      name: `${label}: longest timer run, share of the ${TIMEOUT_SECONDS} s timeout`,
      value: Math.round((s.timer.maxMs / (TIMEOUT_SECONDS * 1000)) * 1000) / 10,
      unit: '%',
      goal: { op: '<=', target: 50 },
      note: `${(s.timer.maxMs / 1000).toFixed(2)} s with ${DB_LATENCY_MS} ms per DB round trip and ${WECHAT_LATENCY_MS} ms per WeChat call`,
    }),
    figure({
      id: id('submittedHours'),
      benchmark: bench,
      name: `${label}: job start to every merchant submitted (simulated)`,
      value: s.submittedSeconds === null ? -1 : Math.round((s.submittedSeconds / 3600) * 100) / 100,
      unit: 'h',
      note:
        `quota ${fmt(2 * s.n + 100)} submissions (enough); waves of 10 % and 90 %; five-minute timer runs; ` +
        `job done after ${s.doneSeconds === null ? 'never' : (s.doneSeconds / 3600).toFixed(2)} h: ${JSON.stringify(s.counts)}`,
    }),
  ];
}

function quotaFigure(bench: string, q: QuotaSample): Figure {
  const hours = (seconds: number | null) => (seconds === null ? 'never' : `${(seconds / 3600).toFixed(2)} h`);
  return figure({
    id: `fleet.quota.${q.n}.submitted`,
    benchmark: bench,
    name: `N = ${fmt(q.n)}, a month's quota of ${fmt(q.quota)}: merchants submitted before it ran out`,
    value: q.submittedOnQuota,
    unit: 'merchants',
    goal: { op: '=', target: q.quota, text: 'the whole quota' },
    note:
      `quota spent ${hours(q.spentSeconds)} after the job's start; the other ${fmt(q.n - q.submittedOnQuota)} waited ` +
      `(ready) and were all submitted ${hours(q.restSeconds)} after the quota came back; ` +
      `85085 pause: ${q.pausedFor85085 ? 'yes' : 'none'}; ${q.runs} timer runs`,
  });
}

export function fleetFigures(samples: FleetSample[], soak: SoakSample, quota?: QuotaSample): Figure[] {
  const bench = 'Fleet';
  const figures = samples.flatMap((s) => sizeFigures(bench, s));
  const [small, large] = [samples[0], samples[samples.length - 1]];
  if (small && large && small !== large) {
    figures.push(
      figure({
        id: 'fleet.costRatio',
        benchmark: bench,
        name: `Per-merchant cost, ${fmt(large.n)} ÷ ${fmt(small.n)}`,
        value: Math.round((perMerchantRoundTrips(large) / perMerchantRoundTrips(small)) * 100) / 100,
        unit: '×',
        goal: { op: '<=', target: 1.2 },
        note:
          'DB round trips per merchant; WeChat calls per merchant: ' +
          `${(perMerchantCalls(large) / perMerchantCalls(small)).toFixed(2)}×`,
      }),
    );
  }
  if (quota) figures.push(quotaFigure(bench, quota));
  figures.push(
    figure({
      id: 'fleet.soak.doubleSubmissions',
      benchmark: bench,
      // Judged only when the job finished: a stalled job submits nothing, so its 0 proves nothing.
      name: `Kill soak (${soak.merchants} merchants): double submissions${soak.done ? '' : ' (job did not finish: not judged)'}`,
      value: soak.doubleSubmissions,
      unit: 'merchants',
      ...(soak.done ? { goal: { op: '=' as const, target: 0 } } : {}),
      note:
        `${soak.kills} instance kills over ${soak.runs} timer runs (a random DB operation of every other run); ` +
        `double commits: ${soak.doubleCommits}; job ${soak.done ? 'done' : 'NOT done'}: ${JSON.stringify(soak.counts)}`,
    }),
  );
  return figures;
}

export async function fleetBench(sizes: readonly number[], sink: LogSink, say: (line: string) => void): Promise<BenchResult> {
  const samples: FleetSample[] = [];
  for (const n of sizes) {
    samples.push(await fleetSample(n, sink));
    say(`  N = ${n}: ${samples[samples.length - 1].realSeconds.toFixed(1)} s`);
  }
  let started = performance.now();
  const quota = await quotaSample(QUOTA_MERCHANTS, QUOTA, sink);
  say(`  limited quota: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  const soak = await killSoak(SOAK_MERCHANTS, sink);
  say(`  kill soak: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { figures: fleetFigures(samples, soak, quota), details: { samples, quota, soak } };
}
