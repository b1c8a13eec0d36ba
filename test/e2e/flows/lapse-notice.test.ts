/**
 * The lapse notice: a merchant who agreed (wx.requestSubscribeMessage answered `accept`) gets one
 * subscribe message, through the function's own cloud.openapi, when an account they own is revoked
 * or needs re-authorization; once per lapse, never without consent. The local cloud records sends.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(60_000);

const TEMPLATE = 'tmplLapse_0001abcdEF';
const shop = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾鲜花预订')!;
const service = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾生活服务中心')!;
const AGREED = 'o-lapse-agreed';
const SILENT = 'o-lapse-silent';

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack({ functionEnv: { LAPSE_NOTICE_TEMPLATE_ID: TEMPLATE } });
});

afterAll(async () => {
  await flow?.close();
});

const sent = () => flow.stack.cloud.subscribeMessages.sent;
const timer = () => flow.stack.cloud.triggerTimer('authorization') as Promise<Record<string, { ok: boolean; detail: unknown }>>;

async function authorize(openid: string, appid: string, authType: 1 | 2, funcIds: number[]): Promise<void> {
  flow.stack.clock.advance(5);
  const created = await flow.ok(openid, 'createAuthSession', { authType, channel: 'plugin' });
  const confirmed = await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: created.plugin!.preAuthCode,
    authorizerAppid: appid,
    channel: 'plugin',
    funcIds,
  });
  expect(confirmed.push?.infoType).toBe('authorized');
}

test('the config tells the page which template to ask for, and each accept is counted', async () => {
  expect((await flow.ok(AGREED, 'getAppConfig', {})).lapseNotice).toEqual({ templateId: TEMPLATE, credits: 0 });
  expect(await flow.ok(AGREED, 'subscribeLapseNotice', { result: 'reject' })).toEqual({ credits: 0 });
  expect(await flow.ok(AGREED, 'subscribeLapseNotice', { result: 'accept' })).toEqual({ credits: 1 });
  expect((await flow.ok(AGREED, 'getAppConfig', {})).lapseNotice).toEqual({ templateId: TEMPLATE, credits: 1 });
  // Only what WeChat answers is accepted; the OPENID never comes from the payload.
  const bad = await flow.call(AGREED, 'subscribeLapseNotice', { result: 'yes' } as never);
  expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  const spoofed = await flow.call(AGREED, 'subscribeLapseNotice', { result: 'accept', openid: SILENT } as never);
  expect(spoofed).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
});

test('revoked: one notice to the owner who agreed, through cloud.openapi, and only once', async () => {
  await authorize(AGREED, shop.appid, 2, [17, 18]);
  await timer();
  expect(sent()).toEqual([]); // nothing lapsed yet

  const revokedAt = flow.stack.clock.now();
  await flow.stack.openPlatform.revoke(shop.appid);
  const report = await timer();
  expect(report.lapseNotices).toEqual({ ok: true, detail: { sent: 1, withoutConsent: 0, failed: 0 } });
  expect(sent()).toEqual([
    {
      functionName: 'authorization',
      touser: AGREED,
      templateId: TEMPLATE,
      page: `pages/account-detail/index?appid=${shop.appid}`,
      data: {
        thing1: { value: '青禾鲜花预订' },
        phrase2: { value: '已取消' },
        time3: { value: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/) },
      },
      miniprogramState: 'formal',
      at: expect.any(Number),
    },
  ]);
  expect(sent()[0].at).toBeGreaterThanOrEqual(revokedAt);
  expect((await flow.ok(AGREED, 'getAppConfig', {})).lapseNotice?.credits).toBe(0);

  // Later runs, and a second consent, do not announce the same lapse again.
  await flow.ok(AGREED, 'subscribeLapseNotice', { result: 'accept' });
  await timer();
  await timer();
  expect(sent()).toHaveLength(1);
  expect(await flow.docs('lapseNotices', { appid: shop.appid })).toEqual([
    expect.objectContaining({ openid: AGREED, state: 'revoked', outcome: 'sent' }),
  ]);
});

test('needs re-authorization without consent: no message, and none later for that lapse', async () => {
  await authorize(SILENT, service.appid, 1, [1, 15]);
  flow.stack.clock.advance(7200 - 300);
  flow.stack.openPlatform.faults.inject({ api: 'api_authorizer_token', errcode: 61023, times: 1 });
  const before = sent().length;

  const report = await timer();
  expect((await flow.doc('authorizers', service.appid))?.status).toBe('needs_reauth');
  expect(report.lapseNotices).toEqual({ ok: true, detail: { sent: 0, withoutConsent: 1, failed: 0 } });
  expect(sent()).toHaveLength(before);

  await flow.ok(SILENT, 'subscribeLapseNotice', { result: 'accept' });
  await timer();
  expect(sent()).toHaveLength(before);
  expect(await flow.docs('lapseNotices', { appid: service.appid })).toEqual([
    expect.objectContaining({ openid: SILENT, state: 'needs_reauth', outcome: 'no_consent' }),
  ]);
});

test('WeChat refusing for lack of quota (43101): recorded as failed, the count goes to zero, no retry', async () => {
  // The shop comes back for AGREED (authorized again), then is revoked again: a new lapse.
  await authorize(AGREED, shop.appid, 2, [17]);
  expect((await flow.ok(AGREED, 'getAppConfig', {})).lapseNotice?.credits).toBe(1);
  flow.stack.cloud.subscribeMessages.failNext.push(43101);
  flow.stack.clock.advance(5);
  await flow.stack.openPlatform.revoke(shop.appid);
  const before = sent().length;

  const report = await timer();
  expect(report.lapseNotices).toEqual({ ok: true, detail: { sent: 0, withoutConsent: 0, failed: 1 } });
  expect(sent()).toHaveLength(before);
  expect((await flow.ok(AGREED, 'getAppConfig', {})).lapseNotice?.credits).toBe(0);
  const notices = await flow.docs('lapseNotices', { appid: shop.appid });
  expect(notices.map((n) => n.outcome).sort()).toEqual(['failed', 'sent']);
  expect(notices.find((n) => n.outcome === 'failed')).toMatchObject({ errCode: 43101 });
});
