/**
 * The mini-program plugin flow end to end: the plugin gives no result, so the backend learns of
 * the authorization only from WeChat's `authorized` push, matched to the session by PreAuthCode.
 */
import { AUTH_TYPE_KINDS, DEFAULT_ACCOUNTS, PERMISSION_SETS, type TestAccount } from '../../../emulator/open-platform';
import type { AuthorizerKind, AuthType } from '../../../typings/api';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const byKind = (kind: TestAccount['kind'], serviceTypeId?: number) =>
  DEFAULT_ACCOUNTS.find((a) => a.kind === kind && (serviceTypeId === undefined || a.serviceTypeId === serviceTypeId))!;

// Copies with their own appids, so these tests authorize accounts the per-kind tests have not.
const pluginMp: TestAccount = {
  ...byKind('mini_program', 0),
  appid: 'wx6b93d0f2a7c4e901',
  nickName: '青禾插件测试小程序',
  userName: 'gh_c2e84b1f6a01',
};
const adminOa: TestAccount = {
  ...byKind('official_account', 2),
  appid: 'wx8c41f2a9e6d07b02',
  nickName: '青禾插件测试服务号',
  userName: 'gh_5a2e9c7d4102',
};

/** What our backend calls each fixture: a mini-program with service type 4 is a mini-game. */
function expectedKind(account: TestAccount): AuthorizerKind {
  if (account.kind === 'mini_program') return account.serviceTypeId === 4 ? 'mini_game' : 'mini_program';
  if (account.kind === 'promoter') return 'unknown';
  return account.kind;
}

/** The first auth_type whose page lists this kind of account. */
function authTypeFor(account: TestAccount): AuthType {
  const found = Object.entries(AUTH_TYPE_KINDS).find(([, kinds]) => kinds.includes(account.kind));
  if (!found) throw new Error(`no auth_type lists ${account.kind}`);
  return Number(found[0]) as AuthType;
}

const setsWithNames = (ids: number[]) =>
  [...ids].sort((a, b) => a - b).map((id) => ({ id, name: PERMISSION_SETS.get(id)!.name }));

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack({ openPlatform: { accounts: [...DEFAULT_ACCOUNTS.map((a) => ({ ...a })), pluginMp, adminOa] } });
});

afterAll(async () => {
  await flow?.close();
});

describe('plugin flow', () => {
  test('createAuthSession → plugin parameters → push → session authorized → listed and stored', async () => {
    const { stack } = flow;
    stack.openPlatform.resetCalls();
    const merchant = 'o-plugin-merchant';
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'plugin', bizAppid: pluginMp.appid });

    expect(created.channel).toBe('plugin');
    expect(created.pcEntryUrl).toBeUndefined();
    expect(created.h5Url).toBeUndefined();
    expect(created.plugin).toEqual({
      platformAppID: stack.openPlatform.component.appId,
      preAuthCode: expect.stringMatching(/^preauthcode@@@[A-Za-z0-9_-]+$/),
      authType: 2,
      bizAppid: pluginMp.appid,
    });
    const { preAuthCode } = created.plugin!;

    const before = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
    expect(before).toMatchObject({ sessionId: created.sessionId, status: 'pending' });
    expect(before.authorizer).toBeUndefined();

    // What the plugin does inside WeChat once the admin confirms.
    const grant = [17, 18, 30];
    const confirmed = await stack.openPlatform.confirmAuthorization({
      preAuthCode,
      authorizerAppid: pluginMp.appid,
      channel: 'plugin',
      funcIds: grant,
      authType: 2,
      bizAppid: pluginMp.appid,
    });
    expect(confirmed.redirectUrl).toBeUndefined();
    expect(confirmed.push).toMatchObject({ infoType: 'authorized', delivered: true });
    expect(confirmed.push!.fields).toMatchObject({ PreAuthCode: preAuthCode, AuthorizerAppid: pluginMp.appid });
    expect(confirmed.push!.attempts.at(-1)).toMatchObject({ status: 200, body: 'success' });

    const view = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
    expect(view.status).toBe('authorized');
    expect(view.failure).toBeUndefined();
    expect(view.authorizer).toMatchObject({
      appid: pluginMp.appid,
      kind: 'mini_program',
      name: '青禾插件测试小程序',
      principalName: pluginMp.principalName,
      userName: pluginMp.userName,
      // WeChat's http://wx.qlogo.cn avatar, served as HTTPS (pages allow only https images).
      avatarUrl: pluginMp.headImg.replace(/^http:/, 'https:'),
      status: 'active',
      grantedSets: setsWithNames(grant),
      missingSets: [],
    });
    expect(view.authorizer!.grantedSets.map((s) => s.name)).toEqual([
      '获取小程序码',
      '小程序开发与数据分析',
      '小程序基本信息管理',
    ]);

    const mine = await flow.ok(merchant, 'listMyAuthorizers', {});
    expect(mine.authorizers.map((a) => a.appid)).toEqual([pluginMp.appid]);

    // The documents behind it.
    const session = await flow.doc('authSessions', created.sessionId);
    expect(session).toMatchObject({
      openid: merchant,
      channel: 'plugin',
      status: 'authorized',
      authorizerAppid: pluginMp.appid,
      bizAppid: pluginMp.appid,
    });
    const authorizer = await flow.doc('authorizers', pluginMp.appid);
    expect(authorizer).toMatchObject({
      owners: [merchant],
      kind: 'mini_program',
      status: 'active',
      grantedSets: grant,
      serviceTypeId: 0,
    });
    expect(authorizer!.history).toEqual([{ at: expect.any(Number), event: 'authorized', added: grant, removed: [] }]);
    const tokens = await flow.doc('authorizerTokens', pluginMp.appid);
    expect(tokens!.refreshToken).toMatch(/^refreshtoken@@@/);
    expect(stack.openPlatform.checkAuthorizerAccessToken(tokens!.accessToken!)).toEqual({
      ok: true,
      authorizerAppid: pluginMp.appid,
    });
    const codes = await flow.docs('authCodes', { authorizerAppid: pluginMp.appid });
    expect(codes).toEqual([expect.objectContaining({ claimState: 'done', code: null, sessionId: created.sessionId })]);
    const log = await flow.docs('pushLog', { infoType: 'authorized' });
    expect(log).toEqual([expect.objectContaining({ outcome: 'ok', authorizerAppid: pluginMp.appid })]);

    // One pre_auth_code, one exchange, one profile fetch.
    const apis = stack.openPlatform.calls.map((c) => `${c.api}:${c.errcode}`);
    expect(apis.filter((a) => a.startsWith('api_create_preauthcode'))).toEqual(['api_create_preauthcode:0']);
    expect(apis.filter((a) => a.startsWith('api_query_auth'))).toEqual(['api_query_auth:0']);
    expect(apis.filter((a) => a.startsWith('api_get_authorizer_info'))).toEqual(['api_get_authorizer_info:0']);
  });

  test('the plugin stand-in confirms through POST /__emulator/plugin/confirm', async () => {
    const { stack } = flow;
    const merchant = 'o-plugin-standin';
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'plugin' });
    expect(created.plugin!.bizAppid).toBeUndefined();
    const pushesBefore = stack.openPlatform.pushes.length;

    const post = (body: unknown) =>
      fetch(`${stack.openPlatform.url}/__emulator/plugin/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const response = await post({
      preAuthCode: created.plugin!.preAuthCode,
      authorizerAppid: adminOa.appid,
      funcIds: [1, 15],
      authType: 1,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });

    const pushed = stack.openPlatform.pushes.slice(pushesBefore);
    expect(pushed.map((p) => [p.infoType, p.delivered, p.fields.PreAuthCode])).toEqual([
      ['authorized', true, created.plugin!.preAuthCode],
    ]);

    const view = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
    expect(view.status).toBe('authorized');
    expect(view.authorizer).toMatchObject({
      appid: adminOa.appid,
      kind: 'official_account',
      name: '青禾插件测试服务号',
      grantedSets: [
        { id: 1, name: '消息管理' },
        { id: 15, name: '菜单管理' },
      ],
    });
    expect((await flow.ok(merchant, 'listMyAuthorizers', {})).authorizers.map((a) => a.appid)).toEqual([adminOa.appid]);

    // The same pre_auth_code again: WeChat refuses, nothing is pushed, the session stays as it was.
    const again = await post({ preAuthCode: created.plugin!.preAuthCode, authorizerAppid: adminOa.appid });
    expect(await again.json()).toMatchObject({ ok: false, error: 'pre_auth_code_used' });
    expect(stack.openPlatform.pushes.length).toBe(pushesBefore + 1);
    expect((await flow.doc('authSessions', created.sessionId))!.status).toBe('authorized');
  });

  describe('every default account kind is stored as the right kind', () => {
    const merchant = 'o-plugin-kinds';

    test.each(DEFAULT_ACCOUNTS.map((a) => [`${a.nickName} (${a.kind}, service type ${a.serviceTypeId})`, a] as const))(
      '%s',
      async (_label, account) => {
        const authType = authTypeFor(account);
        const created = await flow.ok(merchant, 'createAuthSession', { authType, channel: 'plugin' });
        const { push } = await flow.stack.openPlatform.confirmAuthorization({
          preAuthCode: created.plugin!.preAuthCode,
          authorizerAppid: account.appid,
          channel: 'plugin',
          authType,
        });
        expect(push).toMatchObject({ infoType: 'authorized', delivered: true });

        const view = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
        expect(view.status).toBe('authorized');
        expect(view.authorizer).toMatchObject({ appid: account.appid, kind: expectedKind(account), name: account.nickName });
        expect(view.authorizer!.grantedSets).toEqual(setsWithNames(account.grantableFuncIds));
        expect(view.authorizer!.grantedSets.every((s) => /[\u4e00-\u9fff]/.test(s.name))).toBe(true);

        const stored = await flow.doc('authorizers', account.appid);
        expect(stored).toMatchObject({
          kind: expectedKind(account),
          owners: [merchant],
          serviceTypeId: account.serviceTypeId,
          status: 'active',
        });
      },
    );

    test('the merchant lists every one of them, each with its kind', async () => {
      const { authorizers } = await flow.ok(merchant, 'listMyAuthorizers', {});
      const listed = Object.fromEntries(authorizers.map((a) => [a.appid, a.kind]));
      expect(listed).toEqual(Object.fromEntries(DEFAULT_ACCOUNTS.map((a) => [a.appid, expectedKind(a)])));
      expect(new Set(Object.values(listed))).toEqual(
        new Set(['official_account', 'mini_program', 'mini_game', 'channels', 'store', 'sales_assistant']),
      );
    });
  });
});
