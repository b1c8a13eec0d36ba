/**
 * Who sees what: a merchant sees only their own sessions and accounts; the platform's staff
 * (ADMIN_OPENIDS) alone list every account, read the platform's health and reconcile.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import type { ActionName } from '../../../typings/api';
import { pushesSettled, startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const ADMIN = 'o-platform-admin';
const A = 'o-merchant-a';
const B = 'o-merchant-b';
const oa = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾生活服务中心')!;
const mp = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾鲜花预订')!;
const store = DEFAULT_ACCOUNTS.find((a) => a.kind === 'store')!;

let flow: FlowStack;
let sessionOfA: string;

beforeAll(async () => {
  flow = await startFlowStack({ adminOpenIds: [ADMIN] });
  const created = await flow.ok(A, 'createAuthSession', { authType: 1, channel: 'plugin' });
  sessionOfA = created.sessionId;
  await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: created.plugin!.preAuthCode,
    authorizerAppid: oa.appid,
    channel: 'plugin',
  });
});

afterAll(async () => {
  await flow?.close();
});

describe('merchants see only their own', () => {
  test('merchant A sees the session and the account', async () => {
    expect(await flow.ok(A, 'getAuthSession', { sessionId: sessionOfA })).toMatchObject({
      status: 'authorized',
      authorizer: { appid: oa.appid },
    });
    expect((await flow.ok(A, 'getAuthorizer', { appid: oa.appid })).authorizer.appid).toBe(oa.appid);
    expect((await flow.ok(A, 'listMyAuthorizers', {})).authorizers.map((a) => a.appid)).toEqual([oa.appid]);
  });

  test("merchant B gets NOT_FOUND for A's session and account, the same answer as for ones that do not exist", async () => {
    const session = await flow.call(B, 'getAuthSession', { sessionId: sessionOfA });
    const noSession = await flow.call(B, 'getAuthSession', { sessionId: '0'.repeat(32) });
    expect(session).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
    expect(session).toEqual(noSession);

    const account = await flow.call(B, 'getAuthorizer', { appid: oa.appid });
    const noAccount = await flow.call(B, 'getAuthorizer', { appid: 'wx0000000000000000' });
    expect(account).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });
    expect(account).toEqual(noAccount);

    expect(await flow.ok(B, 'listMyAuthorizers', {})).toEqual({ authorizers: [] });
  });

  test('an identity in the payload is refused and nothing is written', async () => {
    const sessions = (await flow.docs('authSessions')).length;
    const forged = await flow.call(B, 'createAuthSession', { authType: 1, channel: 'plugin', openid: A } as never);
    expect(forged).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await flow.docs('authSessions')).toHaveLength(sessions);
    expect(await flow.call(B, 'getAuthSession', { sessionId: sessionOfA, openid: A } as never)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  test('when B authorizes the same account, both own it and each still sees only their sessions', async () => {
    const created = await flow.ok(B, 'createAuthSession', { authType: 1, channel: 'plugin' });
    await flow.stack.openPlatform.confirmAuthorization({
      preAuthCode: created.plugin!.preAuthCode,
      authorizerAppid: oa.appid,
      channel: 'plugin',
      funcIds: [1, 2],
    });
    expect((await flow.doc('authorizers', oa.appid))!.owners).toEqual([A, B]);
    expect((await flow.ok(B, 'listMyAuthorizers', {})).authorizers.map((a) => a.appid)).toEqual([oa.appid]);
    expect(await flow.call(A, 'getAuthSession', { sessionId: created.sessionId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('admin actions', () => {
  const adminActions: [ActionName, Record<string, never>][] = [
    ['listAuthorizers', {}],
    ['platformHealth', {}],
    ['reconcile', {}],
  ];

  test.each(adminActions)('%s is FORBIDDEN for merchants', async (action, payload) => {
    for (const merchant of [A, B]) {
      expect(await flow.call(merchant, action, payload as never)).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.any(String) },
      });
    }
  });

  test('getAppConfig tells the admin apart', async () => {
    expect((await flow.ok(ADMIN, 'getAppConfig', {})).isAdmin).toBe(true);
    expect((await flow.ok(A, 'getAppConfig', {})).isAdmin).toBe(false);
  });

  test('listAuthorizers lists every account, with filters', async () => {
    const created = await flow.ok(B, 'createAuthSession', { authType: 2, channel: 'plugin' });
    await flow.stack.openPlatform.confirmAuthorization({
      preAuthCode: created.plugin!.preAuthCode,
      authorizerAppid: mp.appid,
      channel: 'plugin',
    });

    const all = await flow.ok(ADMIN, 'listAuthorizers', {});
    expect(all.total).toBe(2);
    expect(all.authorizers.map((a) => a.appid).sort()).toEqual([oa.appid, mp.appid].sort());
    const onlyMp = await flow.ok(ADMIN, 'listAuthorizers', { kind: 'mini_program' });
    expect(onlyMp).toMatchObject({ total: 1, authorizers: [{ appid: mp.appid, kind: 'mini_program' }] });
    const page = await flow.ok(ADMIN, 'listAuthorizers', { limit: 1, offset: 1 });
    expect(page.total).toBe(2);
    expect(page.authorizers).toHaveLength(1);
    expect((await flow.ok(ADMIN, 'getAuthorizer', { appid: mp.appid })).authorizer.appid).toBe(mp.appid);
  });

  test('platformHealth reports the ticket age, the token expiry and the counts', async () => {
    const platform = (await flow.docs('platform'))[0];
    expect(platform.componentToken).toBeTruthy();
    flow.stack.clock.advance(300);
    const now = flow.stack.clock.now();

    const health = await flow.ok(ADMIN, 'platformHealth', {});
    expect(health.ok).toBe(true);
    expect(health.ticket.ok).toBe(true);
    expect(health.ticket.receivedAt).toBe(platform.ticketReceivedAt);
    expect(health.ticket.ageSeconds).toBe(Math.round((now - platform.ticketCreatedAt) / 1000));
    expect(health.ticket.ageSeconds).toBeGreaterThanOrEqual(300);
    expect(health.componentToken).toEqual({ ok: true, expiresAt: platform.componentTokenExpiresAt });
    expect(health.componentToken.expiresAt! - now).toBeLessThanOrEqual(7200_000 - 300_000);
    expect(health.componentToken.expiresAt! - now).toBeGreaterThan(0);
    expect(health.authorizers).toEqual({ total: 2, active: 2, needsReauth: 0, revoked: 0 });
    expect(health.needsAttention).toEqual([]);
    expect(health.recentPushFailures).toEqual([]);
    expect(health.lastUpstreamError).toBeNull();
  });

  test('reconcile: a missed unauthorized push is caught up, a missed authorized one restored', async () => {
    const { openPlatform } = flow.stack;
    // WeChat's pushes get lost: the revocation of the mini-program, and a store's authorization.
    openPlatform.faults.inject({ api: 'push', drop: true, times: 2 });
    await openPlatform.revoke(mp.appid);
    const created = await flow.ok(A, 'createAuthSession', { authType: 2, channel: 'plugin' });
    await openPlatform.confirmAuthorization({
      preAuthCode: created.plugin!.preAuthCode,
      authorizerAppid: store.appid,
      channel: 'plugin',
    });
    await pushesSettled(flow.stack);
    expect(openPlatform.pushes.slice(-2).map((p) => [p.infoType, p.dropped])).toEqual([
      ['unauthorized', true],
      ['authorized', true],
    ]);
    expect((await flow.doc('authorizers', mp.appid))!.status).toBe('active');
    expect(await flow.doc('authorizers', store.appid)).toBeNull();
    expect((await flow.ok(A, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('pending');

    const report = await flow.ok(ADMIN, 'reconcile', {});
    expect(report).toEqual({ listed: 2, restored: 1, markedRevoked: 1 });
    expect(await flow.doc('authorizers', mp.appid)).toMatchObject({ status: 'revoked' });
    expect(await flow.doc('authorizerTokens', mp.appid)).toBeNull();
    const restored = await flow.doc('authorizers', store.appid);
    expect(restored).toMatchObject({ kind: 'store', status: 'active', owners: [], grantedSets: store.grantableFuncIds });
    expect(restored!.history).toEqual([expect.objectContaining({ event: 'reconciled' })]);
    expect(await flow.doc('authorizerTokens', store.appid)).toMatchObject({
      refreshToken: expect.stringMatching(/^refreshtoken@@@/),
    });

    const health = await flow.ok(ADMIN, 'platformHealth', {});
    expect(health.authorizers).toEqual({ total: 3, active: 2, needsReauth: 0, revoked: 1 });
    // Reconciling again finds nothing to do.
    expect(await flow.ok(ADMIN, 'reconcile', {})).toEqual({ listed: 2, restored: 0, markedRevoked: 0 });
  });
});
