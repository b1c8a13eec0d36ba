/**
 * The ship runner on the local database (the emulated cloud database, as the core's tests use it)
 * with a fake WeChat that can lose replies and a runner that can die between steps: whatever
 * happens, each merchant is committed, submitted, released and reverted at most once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ShipJobDoc } from '../../../cloudfunctions/authorization/src/model';
import { ShipItemsRepository } from '../../../cloudfunctions/authorization/src/repositories/shipItemsRepository';
import { ShipJobsRepository } from '../../../cloudfunctions/authorization/src/repositories/shipJobsRepository';
import { moveShipItem, type ShipRunnerDeps } from '../../../cloudfunctions/authorization/src/shipping/runner';
import {
  NEVER,
  shipItemIdFor,
  type AuditEvent,
  type ShipPlan,
  type ShipStage,
} from '../../../cloudfunctions/authorization/src/shipping/stages';
import { WAIT } from '../../../cloudfunctions/authorization/src/shipping/transitions';
import { Store, type CloudDb } from '../../../cloudfunctions/authorization/src/store';
import { Database } from '../../../emulator/cloud/sdk/database';
import { DocumentStore } from '../../../emulator/cloud/sdk/store';
import { Crash, FakeWeChat, LostReply, type Method } from './fakeWeChat';
import { PLAN, VERSION } from './plan';

const JOB = 'job-2026-12';
const silentLog = { info: () => undefined, warn: () => undefined };

let dataDir: string;
let documents: DocumentStore;
let now: number;
let store: Store;
let items: ShipItemsRepository;
let jobs: ShipJobsRepository;
let wechat: FakeWeChat;
/** The runner's process: once dead it gives no claim back (its claims run out instead). */
const proc = { dead: false, writes: 0, crashAtWrite: 0 };
let deps: ShipRunnerDeps;
let appSeq = 0;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-runner-'));
  documents = new DocumentStore({ dataDir, strictCollections: false });
  now = Date.UTC(2026, 11, 3, 12, 0, 0);
  store = new Store(new Database({ store: documents, now: () => now }) as unknown as CloudDb);
  items = new ShipItemsRepository(store, 'test-instance', () => now);
  jobs = new ShipJobsRepository(store, () => now);
});

afterAll(async () => {
  await documents.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => fresh());

/** A fresh WeChat and runner process. */
function fresh() {
  wechat = new FakeWeChat(() => now);
  wechat.onCrash = () => (proc.dead = true);
  Object.assign(proc, { dead: false, writes: 0, crashAtWrite: 0 });
  deps = {
    api: wechat,
    grantedSets: async () => [17, 18],
    takeSubmitSlot: (jobId) => jobs.takeSubmitSlot(jobId),
    pauseJob: (jobId, reason) => jobs.pause(jobId, reason),
    items: {
      get: (id) => items.get(id),
      claim: (id, ttl) => items.claim(id, ttl),
      fence: (id, token) => items.fence(id, token),
      write: async (id, token, record) => {
        const held = await items.write(id, token, record);
        if (++proc.writes === proc.crashAtWrite) {
          proc.dead = true;
          throw new Crash(`died after writing ${record.stage}`);
        }
        return held;
      },
      release: async (id, token) => {
        if (!proc.dead) await items.release(id, token);
      },
    },
    log: silentLog,
    now: () => now,
  };
}

/** A fresh job and one merchant in its first wave, due now. */
async function enqueue(plan: Partial<ShipPlan> = {}, values: Record<string, string> = { shopName: '小店' }) {
  const jobId = `${JOB}-${++appSeq}`;
  const appid = `wxmerchant${String(appSeq).padStart(7, '0')}`;
  const job: ShipJobDoc = {
    _id: jobId,
    plan: { ...PLAN, ...plan },
    targets: [appid],
    waveSizes: [1],
    rejectionThreshold: 0.2,
    quotaReserve: 5,
    state: 'running',
    pause: null,
    pausedAt: null,
    openWave: 0,
    submitBudget: 10,
    counts: {},
    createdAt: now,
    updatedAt: now,
  };
  await jobs.create(job);
  const id = shipItemIdFor(jobId, appid);
  await items.enqueue({ id, jobId, appid, wave: 0, plan: job.plan, values, createdAt: now, dueAt: now, stage: 'queued' });
  return { jobId, appid, id };
}

const stageOf = async (id: string) => (await items.get(id))?.record.stage;

/**
 * What the timer will do: every due item of the running jobs gets a turn (a lost reply or a
 * crash ends that turn); the reviewers approve; time passes (past claims, scans and polls).
 */
async function drive(id: string, until: ShipStage[], options: { review?: boolean } = {}) {
  for (let round = 0; round < 30; round++) {
    if (until.includes((await stageOf(id))!)) return;
    proc.dead = false;
    for (const due of await items.findDue(await jobs.idsInState('running', 1000), 100)) {
      await moveShipItem(deps, due).catch((error: unknown) => {
        if (!(error instanceof LostReply || error instanceof Crash)) throw error;
      });
    }
    if (options.review !== false) wechat.review(0);
    now += WAIT.pollMs + 1000;
  }
}

const WRITES = ['commit', 'submitAudit', 'release'] as const;
const onceEach = (appid: string) => Object.fromEntries(WRITES.map((m) => [m, wechat.count(m, appid)]));

test('queued → preflight → committing → committed → ready → submitting → submitted → audit_passed → releasing → released', async () => {
  const { jobId, appid, id } = await enqueue();
  await drive(id, ['released']);
  expect(await items.get(id)).toMatchObject({ record: { stage: 'released', release: { mode: 'full' } } });
  expect(onceEach(appid)).toEqual({ commit: 1, submitAudit: 1, release: 1 });
  expect(wechat.app(appid)).toMatchObject({ releaseVersion: VERSION, expVersion: VERSION });
  expect((await jobs.get(jobId))?.submitBudget).toBe(9);
  expect(wechat.quota.rest).toBe(99);
});

/** The happy path's writes of the item and WeChat's calls, to fail at each in turn. */
async function happyPath() {
  const { appid, id } = await enqueue();
  proc.writes = 0;
  await drive(id, ['released']);
  const writes = proc.writes;
  const calls = wechat.landed.filter((l) => l.appid === appid).map((l) => l.method);
  const nth = calls.map((m, i) => [m, calls.slice(0, i).filter((x) => x === m).length] as [Method, number]);
  return { writes, nth };
}

const HAPPY_WRITES = 9;

describe('a crash between any two steps never ships twice', () => {
  let path_: Awaited<ReturnType<typeof happyPath>>;
  beforeAll(async () => {
    fresh();
    path_ = await happyPath();
  });

  test('the happy path: nine writes of the item, nine calls to WeChat', () => {
    // preflight, committing, committed, ready, submitting, submitted, audit_passed, releasing, released
    expect(path_.writes).toBe(HAPPY_WRITES);
    expect(path_.nth.map(([m]) => m)).toEqual([
      'getCategory',
      'getPrivacySetting',
      'getLatestAuditStatus',
      'getVersionInfo',
      'commit',
      'getCodePrivacyInfo',
      'submitAudit',
      'getAuditStatus',
      'release',
    ]);
  });

  test.each(Array.from({ length: HAPPY_WRITES }, (_, i) => i + 1))('the runner dies after its write #%i', async (k) => {
    const { appid, id } = await enqueue();
    proc.writes = 0;
    proc.crashAtWrite = k;
    await drive(id, ['released']);
    expect(await stageOf(id)).toBe('released');
    expect(onceEach(appid)).toEqual({ commit: 1, submitAudit: 1, release: 1 });
  });
});

describe('a lost reply of any call, or a crash right after it, never ships twice', () => {
  const cases: [Method, number][] = [];
  beforeAll(async () => {
    fresh();
    cases.push(...(await happyPath()).nth);
  });

  test.each(['lost', 'crash'] as const)('%s after each call of the happy path', async (kind) => {
    expect(cases.length).toBeGreaterThan(8);
    for (const [method, nth] of cases) {
      fresh();
      const { appid, id } = await enqueue();
      wechat.failAfter(method, nth, kind);
      await drive(id, ['released']);
      expect({ method, nth, stage: await stageOf(id) }).toEqual({ method, nth, stage: 'released' });
      expect({ method, nth, ...onceEach(appid) }).toEqual({ method, nth, commit: 1, submitAudit: 1, release: 1 });
    }
  });
});

test('85085 pauses the whole job with no submission; the item waits ready and ships once the job resumes', async () => {
  const { jobId, appid, id } = await enqueue();
  wechat.quota.rest = 0;
  await drive(id, ['ready', 'submitted'], { review: false });
  await drive(id, ['released']);
  expect(await stageOf(id)).toBe('ready');
  expect(await jobs.get(jobId)).toMatchObject({ state: 'paused', submitBudget: 0, pause: { errcode: 85085 } });
  expect(wechat.count('submitAudit', appid)).toBe(0);

  wechat.quota.rest = 3;
  expect(await jobs.resume(jobId)).toBe(true);
  expect(await jobs.openWave(jobId, 1, wechat.quota.rest - 2)).toBe(true);
  await drive(id, ['released']);
  expect(await stageOf(id)).toBe('released');
  expect(onceEach(appid)).toEqual({ commit: 1, submitAudit: 1, release: 1 });
});

test('audit events: applied in CreateTime order to the open audit; duplicates and older ones ignored', async () => {
  const { appid, id } = await enqueue({ release: 'command' });
  await drive(id, ['submitted'], { review: false });
  const at = (s: number) => Math.floor(now / 1000) * 1000 + s * 1000;
  const event = (kind: AuditEvent['event'], createdAt: number) => ({
    kind: 'audit_event' as const,
    event: { event: kind, createdAt, reason: kind === 'weapp_audit_success' ? null : '需要补充材料', screenshot: null },
  });
  await moveShipItem(deps, id, event('weapp_audit_delay', at(10)));
  await moveShipItem(deps, id, event('weapp_audit_delay', at(10)));
  expect(await items.get(id)).toMatchObject({ record: { stage: 'submitted', audit: { delayed: true, lastEventAt: at(10) } } });
  await moveShipItem(deps, id, event('weapp_audit_fail', at(5)));
  expect(await stageOf(id)).toBe('submitted');

  wechat.review(0);
  await moveShipItem(deps, id, event('weapp_audit_success', at(20)));
  await moveShipItem(deps, id, event('weapp_audit_success', at(20)));
  expect(await items.get(id)).toMatchObject({ record: { stage: 'audit_passed' }, claim: { leaseUntil: 0 } });
  // Release on command: the timer leaves it alone until the command comes.
  await drive(id, ['released']);
  expect(await stageOf(id)).toBe('audit_passed');
  await moveShipItem(deps, id, { kind: 'release_command', percentage: null });
  expect(await stageOf(id)).toBe('released');
  expect(onceEach(appid)).toEqual({ commit: 1, submitAudit: 1, release: 1 });
});

test('a gray release, raised by command, then rolled back by revertgrayrelease', async () => {
  const { appid, id } = await enqueue({ grayPercentage: 10 });
  await drive(id, ['released']);
  expect(await items.get(id)).toMatchObject({ record: { stage: 'released', release: { mode: 'gray', percentage: 10 } } });
  wechat.failAfter('grayRelease', 0, 'lost');
  await moveShipItem(deps, id, { kind: 'release_command', percentage: 50 }).catch(() => undefined);
  await drive(id, ['released']);
  expect(wechat.app(appid).gray).toEqual({ version: VERSION, percentage: 50 });
  await moveShipItem(deps, id, { kind: 'rollback_command' });
  expect(await stageOf(id)).toBe('rolled_back');
  expect(wechat.app(appid)).toMatchObject({ gray: null, releaseVersion: '1.3.0' });
  expect(wechat.count('release', appid)).toBe(0);
});

test.each(['lost', 'crash'] as const)('rollback with the revert’s reply %s: reverted exactly once', async (kind) => {
  const { appid, id } = await enqueue();
  await drive(id, ['released']);
  wechat.failAfter('revertCodeRelease', 0, kind);
  proc.dead = false;
  await moveShipItem(deps, id, { kind: 'rollback_command' }).catch((error: unknown) => {
    if (!(error instanceof LostReply || error instanceof Crash)) throw error;
  });
  await drive(id, ['rolled_back']);
  expect(await stageOf(id)).toBe('rolled_back');
  expect(wechat.count('revertCodeRelease', appid)).toBe(1);
  expect(wechat.app(appid).releaseVersion).toBe('1.3.0');
});

test('a merchant without the values its ext_json needs is skipped with the missing keys, with no call', async () => {
  const { appid, id } = await enqueue({}, {});
  await drive(id, ['skipped']);
  expect(await items.get(id)).toMatchObject({
    record: { stage: 'skipped', reason: { message: '缺少商家配置项：shopName' } },
    claim: { claimState: 'done' },
  });
  expect(wechat.landed.filter((l) => l.appid === appid)).toEqual([]);
});

test('a merchant that did not grant set 18 is skipped before anything is written to its app', async () => {
  deps.grantedSets = async () => [17];
  const { appid, id } = await enqueue();
  await drive(id, ['skipped']);
  expect(await items.get(id)).toMatchObject({ record: { stage: 'skipped', reason: { errcode: 61007 } } });
  expect(wechat.landed.filter((l) => l.appid === appid)).toEqual([]);
});

test('the finders: an open audit by app; silent audits by the time WeChat last spoke', async () => {
  const { appid, id } = await enqueue();
  await drive(id, ['submitted'], { review: false });
  expect(await items.findOpenAudit(appid)).toEqual([id]);
  const heardAt = (await items.get(id))!.record.stage === 'submitted' ? now : 0;
  expect(await items.findSilentAudits(heardAt - WAIT.pollMs, 10)).toEqual([id]);
  expect(await items.countByStage(id.split(':')[0])).toEqual({ submitted: 1 });
});

describe('a gray schedule: each step sent once, 100 completes the plan, whatever is lost or crashes', () => {
  const SCHEDULE: Partial<ShipPlan> = { grayPercentage: 10, graySchedule: { steps: [10, 50, 100], intervalMs: 3600_000 } };
  const completed = async (appid: string, id: string) => {
    expect(await items.get(id)).toMatchObject({ record: { stage: 'released', release: { mode: 'full' }, dueAt: NEVER } });
    expect(wechat.app(appid)).toMatchObject({ releaseVersion: VERSION, gray: { percentage: 100 }, history: ['1.2.0', '1.3.0'] });
    expect(wechat.count('release', appid)).toBe(0);
  };

  test.each([0, 1, 2].flatMap((nth) => (['lost', 'crash'] as const).map((kind) => [nth, kind] as const)))(
    'grayrelease #%i %s',
    async (nth, kind) => {
      const { appid, id } = await enqueue(SCHEDULE);
      wechat.failAfter('grayRelease', nth, kind);
      await drive(id, []);
      await completed(appid, id);
      // A step below 100 sent again answers 85082 (landed); 100 is checked with getversioninfo first.
      expect(wechat.count('grayRelease', appid)).toBe(3);
    },
  );

  test('a paused job holds its merchants at their step; resumed, the due steps follow', async () => {
    const { jobId, appid, id } = await enqueue(SCHEDULE);
    await drive(id, ['released']);
    const step = (await items.get(id))!.record;
    expect(step).toMatchObject({ release: { mode: 'gray', percentage: 10 } });
    expect(step.stage === 'released' && step.dueAt - step.releasedAt).toBe(3600_000);
    await jobs.pause(jobId, { errcode: null, message: '人工暂停：观察', action: '处理后恢复任务' });
    await drive(id, []);
    expect(wechat.app(appid).gray).toEqual({ version: VERSION, percentage: 10 });
    expect(await jobs.resume(jobId)).toBe(true);
    await drive(id, []);
    await completed(appid, id);
  });
});
