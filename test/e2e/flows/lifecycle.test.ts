/**
 * What happens after the first authorization: `updateauthorized` when the merchant confirms again
 * with other sets (none when the sets are the same), and `unauthorized` when they revoke.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import type { AuthChannel, AuthorizerChange } from '../../../typings/api';
import { pushesSettled, startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const shop = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾鲜花预订')!;
const merchant = 'o-lifecycle-merchant';

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack();
});

afterAll(async () => {
  await flow?.close();
});

/** One plugin authorization of the shop with these sets; the clock moves so history entries sort. */
async function authorizeWithPlugin(funcIds: number[]) {
  flow.stack.clock.advance(5);
  const created = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'plugin' });
  const confirmed = await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: created.plugin!.preAuthCode,
    authorizerAppid: shop.appid,
    channel: 'plugin',
    funcIds,
  });
  return { created, confirmed };
}

const queryAuthCalls = () => flow.stack.openPlatform.calls.filter((c) => c.api === 'api_query_auth').length;
const pushCount = () => flow.stack.openPlatform.pushes.length;
const latestChange = async (): Promise<AuthorizerChange> =>
  (await flow.ok(merchant, 'getAuthorizer', { appid: shop.appid })).authorizer.history[0];

describe('updateauthorized', () => {
  test('first authorization with three sets', async () => {
    const { created, confirmed } = await authorizeWithPlugin([17, 18, 19]);
    expect(confirmed.push?.infoType).toBe('authorized');
    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('authorized');
    const { authorizer } = await flow.ok(merchant, 'getAuthorizer', { appid: shop.appid });
    expect(authorizer.grantedSets.map((s) => s.id)).toEqual([17, 18, 19]);
    expect(authorizer.history).toEqual([{ at: expect.any(Number), event: 'authorized', added: [17, 18, 19], removed: [] }]);
  });

  test('more sets: an updateauthorized push, the sets grow, the change is recorded, new tokens kept', async () => {
    const tokensBefore = await flow.doc('authorizerTokens', shop.appid);
    const exchangesBefore = queryAuthCalls();
    const { created, confirmed } = await authorizeWithPlugin([17, 18, 19, 30, 31]);

    expect(confirmed.push).toMatchObject({ infoType: 'updateauthorized', delivered: true });
    expect(confirmed.push!.fields).toMatchObject({ PreAuthCode: created.plugin!.preAuthCode, AuthorizerAppid: shop.appid });
    expect(queryAuthCalls()).toBe(exchangesBefore + 1);

    const view = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
    expect(view.status).toBe('authorized');
    expect(view.authorizer!.grantedSets).toEqual([
      { id: 17, name: '获取小程序码' },
      { id: 18, name: '小程序开发与数据分析' },
      { id: 19, name: '小程序客服管理' },
      { id: 30, name: '小程序基本信息管理' },
      { id: 31, name: '小程序认证名称检测' },
    ]);
    expect(await latestChange()).toEqual({ at: expect.any(Number), event: 'updateauthorized', added: [30, 31], removed: [] });
    const stored = await flow.doc('authorizers', shop.appid);
    expect(stored).toMatchObject({ grantedSets: [17, 18, 19, 30, 31], status: 'active', owners: [merchant] });
    expect(stored!.history).toHaveLength(2);

    // Re-authorization issues new tokens; the stored access token is the one WeChat now accepts.
    const tokensAfter = await flow.doc('authorizerTokens', shop.appid);
    expect(tokensAfter!.accessToken).not.toBe(tokensBefore!.accessToken);
    expect(flow.stack.openPlatform.checkAuthorizerAccessToken(tokensAfter!.accessToken!)).toMatchObject({ ok: true });
    expect(await flow.docs('pushLog', { infoType: 'updateauthorized' })).toEqual([expect.objectContaining({ outcome: 'ok' })]);
  });

  test('fewer sets: the removed ones are recorded', async () => {
    const { confirmed } = await authorizeWithPlugin([17, 30]);
    expect(confirmed.push?.infoType).toBe('updateauthorized');
    expect(await latestChange()).toEqual({ at: expect.any(Number), event: 'updateauthorized', added: [], removed: [18, 19, 31] });
    // The page can still name the sets that are gone.
    const { authorizer } = await flow.ok(merchant, 'getAuthorizer', { appid: shop.appid });
    expect(authorizer.historySets).toEqual(
      expect.arrayContaining([
        { id: 19, name: '小程序客服管理' },
        { id: 31, name: '小程序认证名称检测' },
      ]),
    );
    const { authorizers } = await flow.ok(merchant, 'listMyAuthorizers', {});
    expect(authorizers).toEqual([
      expect.objectContaining({
        appid: shop.appid,
        grantedSets: [
          { id: 17, name: '获取小程序码' },
          { id: 30, name: '小程序基本信息管理' },
        ],
      }),
    ]);
  });

  test('the same sets again through the plugin: no push, nothing changes', async () => {
    const before = await flow.doc('authorizers', shop.appid);
    const [pushes, exchanges] = [pushCount(), queryAuthCalls()];
    const { created, confirmed } = await authorizeWithPlugin([30, 17]);

    expect(confirmed.push).toBeUndefined();
    expect(pushCount()).toBe(pushes);
    expect(queryAuthCalls()).toBe(exchanges);
    expect(await flow.doc('authorizers', shop.appid)).toEqual(before);
    // The plugin returns nothing and WeChat pushes nothing: the session can only stay pending.
    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('pending');
  });

  test.each<[AuthChannel]>([['h5']])(
    'the same sets again through an %s link: the callback says nothing changed, no push, no change recorded',
    async (channel) => {
      const before = await flow.doc('authorizers', shop.appid);
      const pushes = pushCount();
      flow.stack.clock.advance(5);
      const created = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel });
      const { push, redirectUrl } = await flow.stack.openPlatform.confirmAuthorization({
        preAuthCode: new URL(created.h5Url!).searchParams.get('pre_auth_code')!,
        authorizerAppid: shop.appid,
        channel,
        funcIds: [17, 30],
        redirectUri: `${flow.stack.publicBaseUrl}/callback?sid=${created.sessionId}`,
      });
      expect(push).toBeUndefined();
      expect(pushCount()).toBe(pushes);

      // The merchant already owns the account and WeChat confirmed it: the page says so. Without a
      // signed push the unsigned callback never completes the session (it expires unchanged).
      const callback = await flow.page(redirectUrl!);
      expect(callback.html).toContain('授权未变更');
      expect((await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('pending');
      const after = await flow.doc('authorizers', shop.appid);
      expect(after!.grantedSets).toEqual(before!.grantedSets);
      expect(after!.status).toBe('active');
      expect(after!.history).toEqual(before!.history);
    },
  );
});

describe('unauthorized', () => {
  test('revoke: status revoked, tokens deleted, history entry, old token dead', async () => {
    const tokens = await flow.doc('authorizerTokens', shop.appid);
    expect(tokens).not.toBeNull();
    const before = await flow.doc('authorizers', shop.appid);
    flow.stack.clock.advance(5);

    // WeChat's retry of the same push must not record the revocation twice.
    flow.stack.openPlatform.faults.inject({ api: 'push', duplicate: true, times: 1 });
    const push = await flow.stack.openPlatform.revoke(shop.appid);
    expect(push).toMatchObject({ infoType: 'unauthorized', delivered: true, duplicated: true });
    expect(Object.keys(push.fields)).not.toContain('AuthorizationCode');
    await pushesSettled(flow.stack);

    expect(await flow.doc('authorizerTokens', shop.appid)).toBeNull();
    const stored = await flow.doc('authorizers', shop.appid);
    expect(stored).toMatchObject({ status: 'revoked', owners: [merchant] });
    expect(stored!.history).toHaveLength(before!.history.length + 1);

    const { authorizer } = await flow.ok(merchant, 'getAuthorizer', { appid: shop.appid });
    expect(authorizer.status).toBe('revoked');
    expect(authorizer.grantedSets).toEqual([]);
    expect(authorizer.history[0]).toEqual({ at: expect.any(Number), event: 'unauthorized', added: [], removed: [17, 30] });
    expect(authorizer.history[0].at).toBeGreaterThan(before!.updatedAt);
    expect((await flow.ok(merchant, 'listMyAuthorizers', {})).authorizers).toEqual([
      expect.objectContaining({ appid: shop.appid, status: 'revoked', grantedSets: [] }),
    ]);
    expect(flow.stack.openPlatform.checkAuthorizerAccessToken(tokens!.accessToken!)).toMatchObject({ ok: false });
    expect(await flow.docs('pushLog', { infoType: 'unauthorized' })).toEqual([
      expect.objectContaining({ outcome: 'ok', authorizerAppid: shop.appid }),
    ]);
  });

  test('authorizing again after a revocation is a fresh authorized with every set added', async () => {
    const { created, confirmed } = await authorizeWithPlugin([17, 18]);
    expect(confirmed.push?.infoType).toBe('authorized');
    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId })).authorizer).toMatchObject({
      status: 'active',
      grantedSets: [{ id: 17 }, { id: 18 }],
    });
    expect(await latestChange()).toEqual({ at: expect.any(Number), event: 'authorized', added: [17, 18], removed: [] });
    expect(await flow.doc('authorizerTokens', shop.appid)).toMatchObject({
      refreshToken: expect.stringMatching(/^refreshtoken@@@/),
    });
  });
});
