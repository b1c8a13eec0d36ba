/**
 * Issue 19, the merchant's side: `getMiniProgramVersions` on the local stack (the built function,
 * the emulator's code management, real HTTP). A merchant sees their own mini-program's online and
 * trial versions, the latest audit and, when it was refused, WeChat's reason and who fixes it;
 * another merchant's appid is not found; answers come from a 60 s cache; a missing set 18 or a
 * refused read is a plain notice, never an error; no token is ever in the answer.
 */
import type { ShipCreateInput } from '../../../clients/broker-client/src';
import type { MiniProgramVersions } from '../../../typings/api';
import type { BulkAuthorization } from '../../../emulator/open-platform';
import { seedAuthorizers } from '../../../emulator/scale-seed';
import { httpClient } from '../../e2e/helpers/broker-stack';
import { act, ADMIN, captureOutputOfFile, dataOf, startRulesStack, type RulesStack } from '../../e2e/helpers/rules-stack';

jest.setTimeout(180_000);
const output = captureOutputOfFile();

const SHIP_KEY = {
  id: 'releases',
  secret: 'releases-secret-0123456789abcdef0123456789abcdef',
  scope: { ops: ['ship'], appids: '*' },
};
/** seedAuthorizers makes the i-th grant's owner `oBULK-merchant-<i>`. */
const OWNER = 'oBULK-merchant-0';
const OTHER = 'oBULK-merchant-1';

let stack: RulesStack;
afterEach(() => stack?.close());

async function miniPrograms(count: number): Promise<BulkAuthorization[]> {
  const grants = stack.openPlatform
    .bulkAuthorize(count * 12, 'versions')
    .filter((g) => g.account.kind === 'mini_program' && g.account.serviceTypeId === 0)
    .slice(0, count);
  expect(grants).toHaveLength(count);
  await seedAuthorizers(stack.cloud.db, grants, stack.clock.now());
  return grants;
}

async function timer(): Promise<void> {
  await stack.cloud.triggerTimer('authorization');
}

/** Commit, the privacy scan's minute, the submission; then the review ends and its event arrives. */
async function throughAudit(): Promise<void> {
  await timer();
  stack.clock.advance(61);
  await timer();
  await timer();
  stack.clock.advance(901);
  await stack.openPlatform.codeManagement.settle();
  await timer();
}

function plan(userVersion: string, targets: string[]): ShipCreateInput {
  const { templateId } = stack.openPlatform.codeManagement.uploadDraft({ userVersion, userDesc: '上新', toTemplate: true });
  return {
    templateId: templateId!,
    userVersion,
    userDesc: `版本 ${userVersion}`,
    extJsonTemplate: { extAppid: '{{appid}}' },
    targets,
  };
}

/** The emulator records a refused call (86001: never audited) without its appid. */
const versionReads = (appid: string) =>
  stack.openPlatform.authorizerCalls.filter(
    (c) =>
      (c.appid === appid || c.appid === null) && (c.path === '/wxa/getversioninfo' || c.path === '/wxa/get_latest_auditstatus'),
  ).length;

async function versions(openid: string, appid: string): Promise<MiniProgramVersions> {
  return dataOf(await act(stack, openid, 'getMiniProgramVersions', { appid })) as MiniProgramVersions;
}

test('the owner sees online, trial and a refused audit with who fixes it; others see nothing; answers are cached', async () => {
  stack = await startRulesStack({ functionEnv: { BROKER_CLIENT_KEYS: JSON.stringify([SHIP_KEY]) } });
  const [mine, theirs] = await miniPrograms(2);
  const appid = mine.account.appid;
  const ship = httpClient(stack, SHIP_KEY).ship;

  // Nothing shipped yet: no versions, no audit; two reads of WeChat.
  const before = await versions(OWNER, appid);
  expect(before).toMatchObject({
    appid,
    availability: 'ok',
    notice: null,
    live: null,
    trial: null,
    audit: null,
    advice: null,
    shipment: null,
  });
  expect(versionReads(appid)).toBe(2);
  // Within the minute the kept answer is given however often the page asks: WeChat is not asked again.
  stack.clock.advance(59);
  expect(await versions(OWNER, appid)).toEqual(before);
  expect(await versions(OWNER, appid)).toEqual(before);
  expect(versionReads(appid)).toBe(2);

  // 1.0.0 goes online; 2.0.0 is refused by the reviewers for its category.
  await ship.create(plan('1.0.0', [appid]));
  await throughAudit();
  stack.openPlatform.codeManagement.configure(appid, {
    outcome: 'fail',
    failReason: '小程序服务类目与实际运营内容不符<br>请补充相应类目',
  });
  const { jobId } = await ship.create(plan('2.0.0', [appid]));
  await throughAudit();

  // The minute is long over: WeChat is read again.
  const reads = versionReads(appid);
  const after = await versions(OWNER, appid);
  expect(versionReads(appid)).toBe(reads + 2);
  expect(after).toMatchObject({
    availability: 'ok',
    live: { version: '1.0.0', description: '版本 1.0.0', at: expect.any(Number) },
    trial: { version: '2.0.0', description: '版本 2.0.0' },
    audit: { version: '2.0.0', state: 'rejected', reason: '小程序服务类目与实际运营内容不符；请补充相应类目' },
    advice: {
      fixer: 'merchant',
      message: '审核未通过：小程序服务类目与实际运营内容不符；请补充相应类目',
      action: expect.stringContaining('设置 → 基本设置 → 服务类目'),
    },
    shipment: { jobId, version: '2.0.0', stage: 'rejected' },
  });
  expect(after.advice?.action).toContain('服务商会重新提交审核');
  // The admin sees the same kept answer; another merchant is told the account does not exist.
  expect(await versions(ADMIN, appid)).toEqual(after);
  expect(await act(stack, OTHER, 'getMiniProgramVersions', { appid })).toEqual({
    ok: false,
    error: { code: 'NOT_FOUND', message: '没有找到这个账号' },
  });
  // …and their own app is theirs to see.
  expect((await versions(OTHER, theirs.account.appid)).availability).toBe('ok');
  expect(await act(stack, OWNER, 'getMiniProgramVersions', { appid: 'not-an-appid' })).toMatchObject({
    ok: false,
    error: { code: 'INVALID_INPUT' },
  });

  // A reason the provider fixes (the code, not the merchant's settings) says so.
  stack.openPlatform.codeManagement.configure(appid, { outcome: 'fail', failReason: '小程序存在无法正常使用的功能' });
  await ship.create(plan('3.0.0', [appid]));
  await throughAudit();
  stack.clock.advance(61);
  expect((await versions(OWNER, appid)).advice).toEqual({
    fixer: 'provider',
    message: '审核未通过：小程序存在无法正常使用的功能',
    action: '服务商会处理并重新提交审核，你无需操作。',
  });

  const kept = JSON.stringify(await stack.cloud.db.collection('merchantVersions').where({ _id: appid }).get());
  expect(kept).not.toContain(mine.accessToken);
  expect(JSON.stringify(after)).not.toContain(mine.accessToken);
  expect(output.text()).not.toMatch(/access_token=/);
});

test('set 18 missing, WeChat refusing it, or the authorization lapsed: a plain notice, no error', async () => {
  stack = await startRulesStack();
  const [noSet, refused] = await miniPrograms(2);

  // The record says set 18 was not granted: WeChat is not asked.
  const sets = noSet.funcIds.filter((id) => id !== 18);
  await stack.cloud.db
    .collection('authorizers')
    .doc(noSet.account.appid)
    .update({ data: { grantedSets: sets } });
  const missing = await versions(OWNER, noSet.account.appid);
  expect(missing).toMatchObject({ availability: 'missing_set', live: null, audit: null, advice: null });
  expect(missing.notice).toContain('开发管理');
  expect(versionReads(noSet.account.appid)).toBe(0);

  // WeChat says the set is gone (61007): the same notice, kept for the minute like any answer.
  stack.openPlatform.codeManagement.injectError(refused.account.appid, '/wxa/getversioninfo', 61007, 1);
  const other = await versions(OTHER, refused.account.appid);
  expect(other).toMatchObject({ availability: 'missing_set', notice: expect.stringContaining('重新授权') });
  const reads = versionReads(refused.account.appid);
  expect(await versions(OTHER, refused.account.appid)).toEqual(other);
  expect(versionReads(refused.account.appid)).toBe(reads);

  // WeChat does not answer sensibly (an errcode we do not expect): try again later, still no error.
  stack.clock.advance(61);
  stack.openPlatform.codeManagement.injectError(refused.account.appid, '/wxa/get_latest_auditstatus', 89999, 1);
  expect(await versions(OTHER, refused.account.appid)).toMatchObject({
    availability: 'unreachable',
    notice: '暂时没能从微信读到版本信息，请稍后刷新。',
  });

  // A lapsed authorization: re-authorize first.
  await stack.cloud.db
    .collection('authorizers')
    .doc(noSet.account.appid)
    .update({ data: { status: 'needs_reauth' } });
  expect(await versions(OWNER, noSet.account.appid)).toMatchObject({ availability: 'reauthorize' });
});

test("the admin's job status looks ahead: quota needed against WeChat's, the open wave's budget, the next wave", async () => {
  stack = await startRulesStack({ functionEnv: { BROKER_CLIENT_KEYS: JSON.stringify([SHIP_KEY]) } });
  const apps = (await miniPrograms(3)).map((g) => g.account.appid);
  stack.openPlatform.codeManagement.setQuota({ rest: 40, limit: 50 });
  const { jobId } = await httpClient(stack, SHIP_KEY).ship.create({ ...plan('1.0.0', apps), waveSizes: [1, 1], quotaReserve: 5 });

  // Nothing opened yet: three merchants to submit, the first wave (the canary) next.
  const created = dataOf(await act(stack, ADMIN, 'shipJobStatus', { jobId }));
  expect(created.outlook).toEqual({
    quotaNeeded: 3,
    quota: { rest: 40, limit: 50 },
    reserve: 5,
    submitBudget: 0,
    waves: 3,
    nextWave: { index: 0, merchants: 1 },
    rejectionThreshold: expect.any(Number),
  });

  // The canary is submitted: two merchants left to submit, the second wave next.
  await timer();
  stack.clock.advance(61);
  await timer();
  await timer();
  const opened = dataOf(await act(stack, ADMIN, 'shipJobStatus', { jobId }));
  expect(opened.outlook).toMatchObject({ quotaNeeded: 2, waves: 3, nextWave: { index: 1, merchants: 1 } });
  expect(opened.outlook.quota.rest).toBeLessThan(40);
  expect(await act(stack, OWNER, 'shipJobStatus', { jobId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
});
