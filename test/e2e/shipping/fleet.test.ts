/**
 * Shipping the template to every merchant (issue 19), end to end on the local stack: a job is
 * created, the timer opens its wave and moves each merchant through WeChat's code management
 * (the emulator's), audit results arrive on the message URL, a lost one is recovered by polling,
 * and a month without quota pauses the job until `queryquota` shows some again.
 */
import { createApp, type App } from '../../../cloudfunctions/authorization/src/app';
import { createLogger } from '../../../cloudfunctions/authorization/src/logger';
import type { ShipJobDoc } from '../../../cloudfunctions/authorization/src/model';
import { createShipJob, type ShipJobInput } from '../../../cloudfunctions/authorization/src/shipping/createJob';
import { shipItemIdFor } from '../../../cloudfunctions/authorization/src/shipping/stages';
import type { CloudDb } from '../../../cloudfunctions/authorization/src/store';
import type { BulkAuthorization } from '../../../emulator/open-platform';
import { seedAuthorizers } from '../../../emulator/scale-seed';
import { captureOutputOfFile, docById, startRulesStack, type RulesStack } from '../helpers/rules-stack';

const output = captureOutputOfFile();

jest.setTimeout(120_000);

const CODE_MANAGEMENT = 18;

let stack: RulesStack;
afterEach(() => stack?.close());

/** The function's code in this process, on the same database and clock (what the next session's action will call). */
function inProcessApp(): App {
  return createApp({
    env: stack.functionEnv,
    db: stack.cloud.db as unknown as CloudDb,
    now: () => stack.clock.now(),
    log: createLogger(() => undefined),
  });
}

/** `count` authorized mini-programs (not games), each as if it had authorized long ago; `without18` lack set 18 in our record. */
async function merchants(count: number, without18 = 0): Promise<BulkAuthorization[]> {
  const grants = stack.openPlatform
    .bulkAuthorize(count * 12, 'fleet')
    .filter((g) => g.account.kind === 'mini_program' && g.account.serviceTypeId === 0)
    .slice(0, count);
  expect(grants).toHaveLength(count);
  const seeded: BulkAuthorization[] = grants.map((g, i) =>
    i >= count - without18 ? { ...g, funcIds: g.funcIds.filter((id) => id !== CODE_MANAGEMENT) } : g,
  );
  await seedAuthorizers(stack.cloud.db, seeded, stack.clock.now());
  return grants;
}

async function timer(): Promise<Record<string, { ok: boolean; detail: any }>> {
  const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: any }>;
  expect(report.shipping).toMatchObject({ ok: true });
  return report;
}

const job = async (id: string) => (await docById<ShipJobDoc>(stack, 'shipJobs', id))!;
const item = async (jobId: string, appid: string) => (await docById(stack, 'shipItems', shipItemIdFor(jobId, appid)))!;
const code = (appid: string) => stack.openPlatform.codeManagement.app(appid)!;
const callsTo = (appid: string, path: string) =>
  stack.openPlatform.authorizerCalls.filter((c) => c.appid === appid && c.path === path && c.errcode === 0);

function plan(targets: string[], userVersion: string): ShipJobInput {
  const { templateId } = stack.openPlatform.codeManagement.uploadDraft({ userVersion, userDesc: 'spring', toTemplate: true });
  return {
    templateId: templateId!,
    userVersion,
    userDesc: '春季上新',
    versionDesc: '测试账号：见备注',
    extJsonTemplate: { extEnable: true, extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } },
    targets,
  };
}

const rendered = (appid: string, shopName: string) => JSON.stringify({ extEnable: true, extAppid: appid, ext: { shopName } });

/** Past the privacy scan (60 s) after the commits, the submissions go. */
async function commitAndSubmit(): Promise<void> {
  await timer();
  stack.clock.advance(61);
  await timer();
}

test('a job over mixed merchants: passed, rejected, delayed, a lost event polled, skipped ones; one submission each', async () => {
  stack = await startRulesStack();
  const app = inProcessApp();
  const grants = await merchants(6, 1);
  const [passes, fails, delayed, lost, noValues, no18] = grants.map((g) => g.account.appid);
  for (const [appid, shopName] of [
    [passes, '青禾鲜花'],
    [fails, '花间小铺'],
    [delayed, '拾光花房'],
    [lost, '一束花'],
    [no18, '无权限店'],
  ])
    await app.repositories.merchantShipValues.put(appid, { shopName });
  const cm = stack.openPlatform.codeManagement;
  cm.configure(fails, { outcome: 'fail', failReason: '小程序名称与内容不符<br>请修改' });
  cm.configure(delayed, { delay: { afterSeconds: 300, reason: '审核排队中' }, reviewSeconds: 900 });
  cm.injectEventFault({ appid: lost, drop: true, times: 1 });
  // WeChat rejects the token once: dropped, refreshed, the commit sent again with the new one.
  cm.injectError(passes, '/wxa/commit', 40001, 1);
  cm.injectEventFault({ appid: passes, duplicate: true, times: 1 });
  const { jobId } = await createShipJob(app, plan([passes, fails, delayed, lost, noValues, no18], '2.0.0'));
  await expect(createShipJob(app, plan([passes], '2.0.0'))).rejects.toThrow(/已有发布任务/);

  await commitAndSubmit();
  for (const appid of [passes, fails, delayed, lost]) expect(await item(jobId, appid)).toMatchObject({ stage: 'submitted' });
  expect(await item(jobId, noValues)).toMatchObject({
    stage: 'skipped',
    reason: { message: expect.stringContaining('shopName') },
  });
  expect(await item(jobId, no18)).toMatchObject({ stage: 'skipped', reason: { errcode: 61007 } });
  expect(code(no18)?.commits ?? 0).toBe(0);

  stack.clock.advance(901);
  const events = await cm.settle();
  const sent = (appid: string) => events.filter((e) => e.appid === appid).map((e) => e.event);
  expect(sent(delayed)).toEqual(['weapp_audit_delay', 'weapp_audit_success']);
  expect(events.find((e) => e.appid === passes)).toMatchObject({ duplicated: true, delivered: true });
  expect(events.find((e) => e.appid === lost)).toMatchObject({ dropped: true, delivered: false });
  expect(await item(jobId, passes)).toMatchObject({ stage: 'released' });
  expect(await item(jobId, fails)).toMatchObject({
    stage: 'rejected',
    reason: { message: expect.stringContaining('名称与内容不符') },
  });
  expect(await item(jobId, delayed)).toMatchObject({ stage: 'released' });
  // Its event was lost: it stays open until the timer polls it.
  expect(await item(jobId, lost)).toMatchObject({ stage: 'submitted' });

  stack.clock.advance(31 * 60);
  await timer();
  expect(await item(jobId, lost)).toMatchObject({ stage: 'released' });
  await timer();
  expect(await job(jobId)).toMatchObject({
    state: 'done',
    counts: { released: 3, rejected: 1, skipped: 2 },
  });

  for (const [appid, shopName] of [
    [passes, '青禾鲜花'],
    [fails, '花间小铺'],
    [delayed, '拾光花房'],
    [lost, '一束花'],
  ]) {
    expect(code(appid).trial?.extJson).toBe(rendered(appid, shopName));
    expect(code(appid)).toMatchObject({ commits: 1, submissions: 1 });
  }
  // The rejected token cost one refused commit, not a second accepted one.
  expect(stack.openPlatform.authorizerCalls.filter((c) => c.path === '/wxa/commit' && c.errcode === 40001)).toHaveLength(1);
  // The duplicated success event changed nothing: one release.
  expect(callsTo(passes, '/wxa/release')).toHaveLength(1);
  for (const appid of [passes, delayed, lost]) expect(code(appid).online?.userVersion).toBe('2.0.0');
  expect(code(fails).online).toBeUndefined();
  // A job's calls are not uses: its merchants do not join the hot set the timer keeps refreshing.
  for (const appid of [passes, fails, delayed, lost]) {
    expect(await docById(stack, 'authorizerTokens', appid)).not.toHaveProperty('lastUsedAt');
  }
  expect(output.text()).not.toMatch(/access_token=/);
  for (const grant of grants) expect(output.text()).not.toContain(grant.accessToken);
  // The timer's and the events' reads of the items each walked an index (none grows with the job).
  expect(stack.cloud.dbCalls().unindexed.filter((read) => read.startsWith('shipItems'))).toEqual([]);
});

test('85085 pauses the job; it resumes when queryquota shows quota again', async () => {
  stack = await startRulesStack();
  const app = inProcessApp();
  const appids = (await merchants(2)).map((g) => g.account.appid);
  for (const appid of appids) await app.repositories.merchantShipValues.put(appid, { shopName: `店${appid.slice(-4)}` });
  const cm = stack.openPlatform.codeManagement;
  const { jobId } = await createShipJob(app, plan(appids, '3.0.0'));

  await timer();
  expect(await job(jobId)).toMatchObject({ state: 'running', openWave: 0, submitBudget: 2 });
  cm.setQuota({ rest: 0 });
  stack.clock.advance(61);
  await timer();
  expect(await job(jobId)).toMatchObject({ state: 'paused', pause: { errcode: 85085 }, submitBudget: 0 });
  for (const appid of appids) expect(await item(jobId, appid)).toMatchObject({ stage: 'ready' });

  // Still no quota: the job stays paused.
  stack.clock.advance(300);
  await timer();
  expect(await job(jobId)).toMatchObject({ state: 'paused' });

  cm.setQuota({ rest: 10 });
  const resumed = await timer();
  expect(resumed.shipping.detail).toMatchObject({ resumed: 1 });
  expect(await job(jobId)).toMatchObject({ state: 'running', pause: null, submitBudget: 2 });

  stack.clock.advance(31 * 60);
  await timer();
  for (const appid of appids) expect(await item(jobId, appid)).toMatchObject({ stage: 'submitted' });
  stack.clock.advance(601);
  await cm.settle();
  await timer();
  expect(await job(jobId)).toMatchObject({ state: 'done', counts: { released: 2 } });
  for (const appid of appids) expect(code(appid)).toMatchObject({ commits: 1, submissions: 1 });
});

test('a wave rejected beyond the threshold stops the job before the next wave', async () => {
  stack = await startRulesStack();
  const app = inProcessApp();
  const appids = (await merchants(3)).map((g) => g.account.appid);
  for (const appid of appids) await app.repositories.merchantShipValues.put(appid, { shopName: '花店' });
  const cm = stack.openPlatform.codeManagement;
  cm.configure(appids[0], { outcome: 'fail', failReason: '功能不完整' });
  const { jobId } = await createShipJob(app, { ...plan(appids, '4.0.0'), waveSizes: [1, 2], rejectionThreshold: 0.5 });

  await commitAndSubmit();
  expect(await job(jobId)).toMatchObject({ openWave: 0, submitBudget: 0 });
  expect(await item(jobId, appids[1])).toMatchObject({ stage: 'queued' });
  stack.clock.advance(601);
  await cm.settle();
  expect(await item(jobId, appids[0])).toMatchObject({ stage: 'rejected' });

  await timer();
  expect(await job(jobId)).toMatchObject({
    state: 'paused',
    openWave: 0,
    pause: { errcode: null, message: expect.stringContaining('100%') },
  });
  stack.clock.advance(3600);
  await timer();
  for (const appid of appids.slice(1)) {
    expect(await item(jobId, appid)).toMatchObject({ stage: 'queued' });
    expect(code(appid)?.commits ?? 0).toBe(0);
  }
});

/** The stack's database, except that the `failAt`-th batch write of ship items fails (the network dropped it). */
function failingItemWrites(failAt: number): CloudDb {
  const db = stack.cloud.db as unknown as CloudDb;
  let adds = 0;
  return {
    command: db.command,
    collection: (name) => {
      const collection = db.collection(name);
      if (name !== 'shipItems') return collection;
      return Object.assign(Object.create(collection) as typeof collection, {
        add: (options: Parameters<typeof collection.add>[0]) => {
          if (Array.isArray(options.data) && ++adds === failAt) return Promise.reject(new Error('network error'));
          return collection.add(options);
        },
      });
    },
  };
}

test('a creation that failed half-way is finished by the same call again: every merchant once, in its wave', async () => {
  stack = await startRulesStack();
  const app = inProcessApp();
  const appids = (await merchants(250)).map((g) => g.account.appid);
  for (const appid of appids) await app.repositories.merchantShipValues.put(appid, { shopName: `店${appid.slice(-4)}` });
  const input = { ...plan(appids, '5.0.0'), waveSizes: [25, 225] };
  const broken = createApp({
    env: stack.functionEnv,
    db: failingItemWrites(2),
    now: () => stack.clock.now(),
    log: createLogger(() => undefined),
  });
  await expect(createShipJob(broken, input)).rejects.toThrow('network error');
  expect((await stack.cloud.db.collection('shipItems').count()).total).toBe(100);

  const { jobId, targets } = await createShipJob(app, input);
  expect(targets).toBe(250);
  expect((await stack.cloud.db.collection('shipItems').count()).total).toBe(250);
  expect(await job(jobId)).toMatchObject({ state: 'running', counts: { queued: 250 } });
  expect(await item(jobId, appids[24])).toMatchObject({ wave: 0, values: { shopName: `店${appids[24].slice(-4)}` } });
  expect(await item(jobId, appids[25])).toMatchObject({ wave: 1 });
  expect(await item(jobId, appids[249])).toMatchObject({ wave: 1, stage: 'queued' });
  await expect(createShipJob(app, input)).rejects.toThrow(/已有发布任务/);
});

test('a wave opened on the job whose items were not made due yet (a crash between) is made due by the next run', async () => {
  stack = await startRulesStack();
  const app = inProcessApp();
  const appids = (await merchants(3)).map((g) => g.account.appid);
  for (const appid of appids) await app.repositories.merchantShipValues.put(appid, { shopName: '花店' });
  const { jobId } = await createShipJob(app, plan(appids, '6.0.0'));
  // The run that opened the wave died right after writing the job.
  expect(await app.repositories.shipJobs.openWave(jobId, 0, 3)).toBe(true);
  for (const appid of appids) expect(await item(jobId, appid)).toMatchObject({ stage: 'queued' });

  const report = await timer();
  expect(report.shipping.detail).toMatchObject({ wavesOpened: 0, moved: 3 });
  for (const appid of appids) expect(await item(jobId, appid)).toMatchObject({ stage: 'committed' });
});
