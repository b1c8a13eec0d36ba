import { ConfirmError, startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import {
  authorize,
  callApi,
  CHANNELS,
  componentToken,
  MINI_GAME,
  MINI_PROGRAM,
  preAuthCode,
  SALES_ASSISTANT,
  SERVICE_OA,
  STORE,
  SUBSCRIPTION_OA,
} from './support';

describe('authorization: codes, authorizer tokens, info and list', () => {
  let emu: OpenPlatformEmulator;
  let token: string;

  beforeEach(async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
    token = await componentToken(emu);
  });
  afterEach(() => emu.close());

  const api = (name: string, body: Record<string, unknown>) =>
    callApi(emu, name, { component_appid: emu.component.appId, ...body }, { component_access_token: token });
  const queryAuth = (code: string) => api('api_query_auth', { authorization_code: code });

  it('creates pre_auth_codes of the real shape with expires_in 600', async () => {
    const answer = await callApi(
      emu,
      'api_create_preauthcode',
      { component_appid: emu.component.appId },
      { component_access_token: token },
    );
    expect(answer.pre_auth_code).toMatch(/^preauthcode@@@[A-Za-z0-9_-]{64}$/);
    expect(answer.expires_in).toBe(600);
    expect((await api('api_create_preauthcode', { component_appid: 'wx0000000000000000' })).errcode).toBe(40013);
  });

  it('lets a pre_auth_code be confirmed once only, and not after 600 s', async () => {
    const code = await preAuthCode(emu, token);
    const { authCode } = await emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: SERVICE_OA, channel: 'plugin' });
    expect(authCode).toMatch(/^queryauthcode@@@[A-Za-z0-9_-]{86}$/);
    await expect(
      emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: SERVICE_OA, channel: 'plugin' }),
    ).rejects.toMatchObject({
      code: 'pre_auth_code_used',
    });

    const stale = await preAuthCode(emu, token);
    emu.clock.advance(600);
    const error = await emu
      .confirmAuthorization({ preAuthCode: stale, authorizerAppid: SERVICE_OA, channel: 'plugin' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmError);
    expect((error as ConfirmError).code).toBe('pre_auth_code_expired');
    await expect(
      emu.confirmAuthorization({ preAuthCode: 'preauthcode@@@nope', authorizerAppid: SERVICE_OA, channel: 'plugin' }),
    ).rejects.toMatchObject({
      code: 'invalid_pre_auth_code',
    });
  });

  it('refuses sets the account cannot grant and unknown accounts', async () => {
    const code = await preAuthCode(emu, token);
    await expect(
      emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: SERVICE_OA, funcIds: [18], channel: 'plugin' }),
    ).rejects.toMatchObject({
      code: 'invalid_func_ids',
    });
    await expect(
      emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: 'wx0000000000000000', channel: 'plugin' }),
    ).rejects.toMatchObject({
      code: 'unknown_account',
    });
    await expect(
      emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: SERVICE_OA, authType: 2, channel: 'plugin' }),
    ).rejects.toMatchObject({
      code: 'account_not_eligible',
    });
    // none of the refusals used the code up
    await expect(
      emu.confirmAuthorization({ preAuthCode: code, authorizerAppid: SERVICE_OA, channel: 'plugin' }),
    ).resolves.toHaveProperty('authCode');
  });

  it('exchanges an auth code once: tokens and func_info with confirm_info on exclusive sets', async () => {
    const code = await authorize(emu, token, MINI_PROGRAM, [17, 18, 30]);
    const answer = await queryAuth(code);
    const info = answer.authorization_info;
    expect(info.authorizer_appid).toBe(MINI_PROGRAM);
    expect(info.expires_in).toBe(7200);
    expect(info.authorizer_access_token).toMatch(/^\d+_[A-Za-z0-9_-]+$/);
    expect(info.authorizer_refresh_token).toMatch(/^refreshtoken@@@[A-Za-z0-9_-]{43}$/);
    expect(info.func_info).toEqual([
      { funcscope_category: { id: 17 } },
      { funcscope_category: { id: 18 }, confirm_info: { need_confirm: 0, already_confirm: 0, can_confirm: 0 } },
      { funcscope_category: { id: 30 } },
    ]);
    expect(emu.checkAuthorizerAccessToken(info.authorizer_access_token)).toEqual({ ok: true, authorizerAppid: MINI_PROGRAM });

    const again = await queryAuth(code);
    expect(again.errcode).toBe(61009);
    expect((await queryAuth('queryauthcode@@@unknown')).errcode).toBe(61009);
    expect((await api('api_query_auth', {})).errcode).toBe(47001);
  });

  it('answers 61010 for an auth code older than 3600 s', async () => {
    const code = await authorize(emu, token, SERVICE_OA);
    emu.clock.advance(3600);
    const answer = await queryAuth(code);
    expect(answer.errcode).toBe(61010);
    expect(answer.errmsg).toMatch(/^code is expired rid: /);
  });

  describe('api_authorizer_token', () => {
    const refresh = (appid: string, refreshToken: unknown) =>
      api('api_authorizer_token', { authorizer_appid: appid, authorizer_refresh_token: refreshToken });

    it('returns a new access token and the same refresh token; the old access token keeps a grace', async () => {
      const { authorization_info: first } = await queryAuth(await authorize(emu, token, SERVICE_OA));
      const answer = await refresh(SERVICE_OA, first.authorizer_refresh_token);
      expect(answer.expires_in).toBe(7200);
      expect(answer.authorizer_refresh_token).toBe(first.authorizer_refresh_token);
      expect(answer.authorizer_access_token).not.toBe(first.authorizer_access_token);
      expect(emu.checkAuthorizerAccessToken(first.authorizer_access_token).ok).toBe(true);
      emu.clock.advance(300);
      expect(emu.checkAuthorizerAccessToken(first.authorizer_access_token)).toEqual({ ok: false, errcode: 40001 });
      expect(emu.checkAuthorizerAccessToken(answer.authorizer_access_token).ok).toBe(true);
    });

    it('answers 61023 for a wrong or missing refresh token, 41002 without an appid', async () => {
      await queryAuth(await authorize(emu, token, SERVICE_OA));
      expect((await refresh(SERVICE_OA, 'refreshtoken@@@' + 'x'.repeat(43))).errcode).toBe(61023);
      expect((await refresh(SERVICE_OA, null)).errcode).toBe(61023);
      expect((await api('api_authorizer_token', { authorizer_refresh_token: 'x' })).errcode).toBe(41002);
    });

    it('answers 61003 for an account never authorized and after the merchant revokes', async () => {
      const { authorization_info: info } = await queryAuth(await authorize(emu, token, MINI_PROGRAM));
      expect((await refresh(SUBSCRIPTION_OA, info.authorizer_refresh_token)).errcode).toBe(61003);

      const push = await emu.revoke(MINI_PROGRAM);
      expect(push.infoType).toBe('unauthorized');
      expect(push.fields).toMatchObject({ InfoType: 'unauthorized', AuthorizerAppid: MINI_PROGRAM });
      expect((await refresh(MINI_PROGRAM, info.authorizer_refresh_token)).errcode).toBe(61003);
      expect((await api('api_get_authorizer_info', { authorizer_appid: MINI_PROGRAM })).errcode).toBe(61003);
      expect(emu.checkAuthorizerAccessToken(info.authorizer_access_token)).toEqual({ ok: false, errcode: 40014 });
      await expect(emu.revoke(MINI_PROGRAM)).rejects.toMatchObject({ code: 'not_authorized' });
    });

    it('gives a re-authorization after a revoke a new refresh token', async () => {
      const { authorization_info: before } = await queryAuth(await authorize(emu, token, SERVICE_OA));
      await emu.revoke(SERVICE_OA);
      const { authorization_info: after } = await queryAuth(await authorize(emu, token, SERVICE_OA));
      expect(after.authorizer_refresh_token).not.toBe(before.authorizer_refresh_token);
      expect((await refresh(SERVICE_OA, before.authorizer_refresh_token)).errcode).toBe(61023);
    });

    it('rotates the refresh token when configured, the old one working for 300 s', async () => {
      await emu.close();
      emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, rotateRefreshToken: true });
      token = await componentToken(emu);
      const { authorization_info: info } = await queryAuth(await authorize(emu, token, SERVICE_OA));
      const rotated = await refresh(SERVICE_OA, info.authorizer_refresh_token);
      expect(rotated.authorizer_refresh_token).toMatch(/^refreshtoken@@@/);
      expect(rotated.authorizer_refresh_token).not.toBe(info.authorizer_refresh_token);
      emu.clock.advance(299);
      expect((await refresh(SERVICE_OA, info.authorizer_refresh_token)).authorizer_access_token).toBeDefined();
      emu.clock.advance(1);
      expect((await refresh(SERVICE_OA, info.authorizer_refresh_token)).errcode).toBe(61023);
      expect((await refresh(SERVICE_OA, rotated.authorizer_refresh_token)).authorizer_access_token).toBeDefined();
    });
  });

  describe('api_get_authorizer_info', () => {
    const infoOf = async (appid: string) => {
      await authorize(emu, token, appid);
      return api('api_get_authorizer_info', { authorizer_appid: appid });
    };

    it('describes a verified service account without mini-program or other markers', async () => {
      const answer = await infoOf(SERVICE_OA);
      const info = answer.authorizer_info;
      expect(info).toMatchObject({
        nick_name: '青禾生活服务中心',
        service_type_info: { id: 2 },
        verify_type_info: { id: 0 },
        user_name: expect.stringMatching(/^gh_[0-9a-f]{12}$/),
        principal_name: expect.stringMatching(/有限公司$/),
        alias: 'qinghe_life',
        account_status: 1,
        business_info: expect.objectContaining({ open_pay: 1 }),
      });
      for (const marker of ['MiniProgramInfo', 'channels_info', 'store_info', 'talent_info'])
        expect(info).not.toHaveProperty(marker);
      expect(answer.authorization_info.authorizer_appid).toBe(SERVICE_OA);
      expect(answer.authorization_info.authorizer_refresh_token).toMatch(/^refreshtoken@@@/);
      expect(
        answer.authorization_info.func_info.map((f: { funcscope_category: { id: number } }) => f.funcscope_category.id),
      ).toEqual([1, 2, 3, 4, 7, 11, 15, 24, 54, 89]);
      expect(answer.authorization_info).not.toHaveProperty('authorizer_access_token');
    });

    it('describes an unverified subscription account', async () => {
      const { authorizer_info: info } = await infoOf(SUBSCRIPTION_OA);
      expect(info).toMatchObject({ service_type_info: { id: 0 }, verify_type_info: { id: -1 }, principal_name: '个人' });
    });

    it('gives mini-programs MiniProgramInfo with network and categories, mini-games service type 4', async () => {
      const { authorizer_info: mp } = await infoOf(MINI_PROGRAM);
      expect(mp.MiniProgramInfo.network.RequestDomain).toEqual(['https://api.qinghe-flower.cn']);
      expect(Object.keys(mp.MiniProgramInfo.network)).toEqual([
        'RequestDomain',
        'WsRequestDomain',
        'UploadDomain',
        'DownloadDomain',
        'BizDomain',
        'UDPDomain',
        'TCPDomain',
      ]);
      expect(mp.MiniProgramInfo.categories[0]).toEqual({ first: '生活服务', second: '鲜花' });
      expect(mp.service_type_info).toEqual({ id: 0 });
      expect(mp.register_type).toBe(0);
      const { authorizer_info: game } = await infoOf(MINI_GAME);
      expect(game.service_type_info).toEqual({ id: 4 });
      expect(game.MiniProgramInfo.categories[0].first).toBe('游戏');
    });

    it('marks Channels, WeChat Store and sales-assistant accounts', async () => {
      expect((await infoOf(CHANNELS)).authorizer_info).toHaveProperty('channels_info');
      expect((await infoOf(STORE)).authorizer_info).toHaveProperty('store_info');
      const assistant = (await infoOf(SALES_ASSISTANT)).authorizer_info;
      expect(assistant).toHaveProperty('talent_info');
      expect(assistant).not.toHaveProperty('MiniProgramInfo');
    });

    it('answers 61003 for an appid that never authorized, 41002 without one', async () => {
      expect((await api('api_get_authorizer_info', { authorizer_appid: CHANNELS })).errcode).toBe(61003);
      expect((await api('api_get_authorizer_info', {})).errcode).toBe(41002);
    });
  });

  describe('api_get_authorizer_list', () => {
    const list = (offset: unknown, count: unknown) => api('api_get_authorizer_list', { offset, count });

    it('pages through active authorizations, oldest first, with refresh tokens', async () => {
      const appids = [SERVICE_OA, MINI_PROGRAM, CHANNELS, STORE];
      const refreshTokens: string[] = [];
      for (const appid of appids) {
        refreshTokens.push((await queryAuth(await authorize(emu, token, appid))).authorization_info.authorizer_refresh_token);
        emu.clock.advance(10);
      }
      await emu.revoke(CHANNELS);

      const first = await list(0, 2);
      expect(first.total_count).toBe(3);
      expect(first.list).toEqual([
        { authorizer_appid: SERVICE_OA, refresh_token: refreshTokens[0], auth_time: expect.any(Number) },
        { authorizer_appid: MINI_PROGRAM, refresh_token: refreshTokens[1], auth_time: expect.any(Number) },
      ]);
      expect(first.list[1].auth_time - first.list[0].auth_time).toBe(10);
      const second = await list(2, 2);
      expect(second.list.map((item: { authorizer_appid: string }) => item.authorizer_appid)).toEqual([STORE]);
      expect((await list(10, 2)).list).toEqual([]);
    });

    it('answers 40170 above 500 and 47001 for bad paging', async () => {
      expect((await list(0, 500)).total_count).toBe(0);
      const tooMany = await list(0, 501);
      expect(tooMany.errcode).toBe(40170);
      expect(tooMany.errmsg).toMatch(/^args count exceed count limit rid: /);
      expect((await list(-1, 10)).errcode).toBe(47001);
      expect((await api('api_get_authorizer_list', { offset: 0 })).errcode).toBe(47001);
    });
  });
});
