import { DEFAULT_COMPONENT, startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver';
import {
  adminJson,
  callApi,
  CHANNELS,
  componentToken,
  MINI_PROGRAM,
  preAuthCode,
  request,
  SERVICE_OA,
  SUBSCRIPTION_OA,
} from './support';

describe('admin API under /__emulator/', () => {
  let emu: OpenPlatformEmulator;
  let receiver: PushReceiver;

  beforeEach(async () => {
    receiver = await startPushReceiver(DEFAULT_COMPONENT);
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, pushRetryDelayMs: 10 });
  });
  afterEach(async () => {
    await emu.close();
    await receiver.close();
  });

  it('reports and changes the configuration', async () => {
    const info = await adminJson(emu, 'GET', '/__emulator/info');
    expect(info.json).toMatchObject({
      ok: true,
      componentAppId: DEFAULT_COMPONENT.appId,
      authEventUrl: null,
      initiationDomain: null,
    });
    expect(JSON.stringify(info.json)).not.toContain(DEFAULT_COMPONENT.appSecret);
    await adminJson(emu, 'POST', '/__emulator/config', { authEventUrl: receiver.url, initiationDomain: 'platform.example.com' });
    expect(emu.component.authEventUrl).toBe(receiver.url);
    expect(emu.component.initiationDomain).toBe('platform.example.com');
    await adminJson(emu, 'POST', '/__emulator/config', { initiationDomain: null });
    expect(emu.component.initiationDomain).toBeUndefined();
    expect((await adminJson(emu, 'POST', '/__emulator/config', { authEventUrl: 'not a url' })).status).toBe(400);
  });

  it('authorizes synthetic accounts in bulk, each with its own working refresh token, no push', async () => {
    emu.setAuthEventUrl(receiver.url);
    const pushesBefore = emu.pushes.length;
    const answer = await adminJson(emu, 'POST', '/__emulator/bulk-authorizations', { count: 600, seed: 'admin-test' });
    expect(answer.json.ok).toBe(true);
    const granted = answer.json.authorizations as {
      authorizerAppid: string;
      refreshToken: string;
      funcIds: number[];
      nickName: string;
    }[];
    expect(granted).toHaveLength(600);
    expect(new Set(granted.map((g) => g.authorizerAppid)).size).toBe(600);
    expect(granted[0].authorizerAppid).toMatch(/^wx[0-9a-f]{16}$/);
    expect(granted[0].nickName).not.toBe(granted[1].nickName);
    expect(emu.pushes.length).toBe(pushesBefore);
    // WeChat's list pages through all of them; the tokens and the account info work as for any authorizer.
    const token = await componentToken(emu);
    const query = { component_access_token: token };
    const pages = [0, 500].map((offset) =>
      callApi(emu, 'api_get_authorizer_list', { component_appid: emu.component.appId, offset, count: 500 }, query),
    );
    const [first, second] = await Promise.all(pages);
    expect(first.total_count).toBe(600);
    expect([...(first.list as unknown[]), ...(second.list as unknown[])]).toHaveLength(600);
    const one = granted[599];
    const refreshed = await callApi(
      emu,
      'api_authorizer_token',
      { component_appid: emu.component.appId, authorizer_appid: one.authorizerAppid, authorizer_refresh_token: one.refreshToken },
      query,
    );
    expect(refreshed.authorizer_access_token).toEqual(expect.any(String));
    const info = await callApi(
      emu,
      'api_get_authorizer_info',
      { component_appid: emu.component.appId, authorizer_appid: one.authorizerAppid },
      query,
    );
    expect(info.authorizer_info).toMatchObject({ nick_name: one.nickName });
    expect((await adminJson(emu, 'POST', '/__emulator/bulk-authorizations', { count: 0 })).status).toBe(400);
  });

  it('pushes a ticket on demand', async () => {
    emu.setAuthEventUrl(receiver.url);
    const answer = await adminJson(emu, 'POST', '/__emulator/ticket');
    expect(answer.json.ok).toBe(true);
    expect(answer.json.push).toMatchObject({ infoType: 'component_verify_ticket', delivered: true });
    expect((await receiver.waitFor(1))[0].fields.ComponentVerifyTicket).toBe(emu.latestTicket());
  });

  it('lists eligible accounts for the plugin stand-in', async () => {
    const oa = await adminJson(emu, 'GET', '/__emulator/accounts?authType=1');
    expect(oa.json.accounts.map((account: { appid: string }) => account.appid)).toEqual([SERVICE_OA, SUBSCRIPTION_OA]);
    expect(oa.json.accounts[0]).toMatchObject({
      kind: 'official_account',
      typeLabel: '服务号',
      nickName: '青禾生活服务中心',
      authorized: false,
    });
    expect(oa.json.accounts[0].funcSets[0]).toEqual({ id: 1, name: '消息管理', exclusive: false });
    const biz = await adminJson(emu, 'GET', `/__emulator/accounts?authType=1&bizAppid=${CHANNELS}&categoryIdList=143%7C177`);
    expect(biz.json.accounts).toHaveLength(1);
    expect(biz.json.accounts[0].funcSets.map((set: { id: number }) => set.id)).toEqual([143, 177]);
    expect((await adminJson(emu, 'GET', '/__emulator/accounts?authType=7')).json).toEqual({
      ok: false,
      error: 'invalid_auth_type',
    });
    expect((await adminJson(emu, 'GET', '/__emulator/accounts?bizAppid=wx0000000000000000')).json).toEqual({
      ok: false,
      error: 'unknown_biz_appid',
    });
  });

  it('confirms like the plugin: push with PreAuthCode, no redirect; refuses reuse', async () => {
    emu.setAuthEventUrl(receiver.url);
    const token = await componentToken(emu);
    const code = await preAuthCode(emu, token);
    const confirmed = await adminJson(emu, 'POST', '/__emulator/plugin/confirm', {
      preAuthCode: code,
      authorizerAppid: MINI_PROGRAM,
      funcIds: [17, 18],
      authType: 2,
    });
    expect(confirmed.json).toEqual({ ok: true });
    const pushes = await receiver.waitFor(2);
    const authorized = pushes.find((push) => push.fields.InfoType === 'authorized')!;
    expect(authorized.fields).toMatchObject({ PreAuthCode: code, AuthorizerAppid: MINI_PROGRAM });
    const exchanged = await callApi(
      emu,
      'api_query_auth',
      { component_appid: emu.component.appId, authorization_code: authorized.fields.AuthorizationCode },
      { component_access_token: token },
    );
    expect(exchanged.authorization_info.authorizer_appid).toBe(MINI_PROGRAM);

    const reused = await adminJson(emu, 'POST', '/__emulator/plugin/confirm', {
      preAuthCode: code,
      authorizerAppid: MINI_PROGRAM,
    });
    expect(reused.status).toBe(200);
    expect(reused.json).toMatchObject({ ok: false, error: 'pre_auth_code_used', message: expect.stringContaining('已被使用') });
    expect((await adminJson(emu, 'POST', '/__emulator/plugin/confirm', { preAuthCode: code })).status).toBe(400);
    const notJson = await request('POST', new URL('/__emulator/plugin/confirm', emu.url).href, {
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);

    const authorizations = await adminJson(emu, 'GET', '/__emulator/authorizations');
    expect(authorizations.json.authorizations).toEqual([
      { authorizerAppid: MINI_PROGRAM, funcIds: [17, 18], authTime: expect.any(Number) },
    ]);
  });

  it('revokes', async () => {
    const token = await componentToken(emu);
    await emu.confirmAuthorization({ preAuthCode: await preAuthCode(emu, token), authorizerAppid: CHANNELS, channel: 'plugin' });
    const revoked = await adminJson(emu, 'POST', '/__emulator/revoke', { authorizerAppid: CHANNELS });
    expect(revoked.json).toMatchObject({ ok: true, push: { infoType: 'unauthorized' } });
    expect((await adminJson(emu, 'POST', '/__emulator/revoke', { authorizerAppid: CHANNELS })).json).toMatchObject({
      ok: false,
      error: 'not_authorized',
    });
  });

  it('advances the shared clock', async () => {
    const before = emu.clock.now();
    const answer = await adminJson(emu, 'POST', '/__emulator/clock/advance', { seconds: 7200 });
    expect(answer.json.now - before).toBeGreaterThanOrEqual(7200 * 1000);
    expect((await adminJson(emu, 'POST', '/__emulator/clock/advance', { seconds: -1 })).status).toBe(400);
  });

  it('injects, lists and clears faults; shows calls and pushes', async () => {
    const injected = await adminJson(emu, 'POST', '/__emulator/faults', {
      api: 'api_start_push_ticket',
      errcode: 45009,
      times: 1,
    });
    expect(injected.json).toEqual({ ok: true, id: expect.any(String) });
    expect((await adminJson(emu, 'GET', '/__emulator/faults')).json.faults).toHaveLength(1);
    const body = { component_appid: emu.component.appId, component_secret: emu.component.appSecret };
    expect((await callApi(emu, 'api_start_push_ticket', body)).errcode).toBe(45009);
    expect((await callApi(emu, 'api_start_push_ticket', body)).errcode).toBe(0);

    await adminJson(emu, 'POST', '/__emulator/faults', { api: '*', errcode: -1 });
    await adminJson(emu, 'DELETE', '/__emulator/faults');
    expect((await callApi(emu, 'api_start_push_ticket', body)).errcode).toBe(0);
    expect((await adminJson(emu, 'POST', '/__emulator/faults', { api: 'nope' })).status).toBe(400);

    const calls = await adminJson(emu, 'GET', '/__emulator/calls');
    expect(calls.json.calls.map((call: { errcode: number }) => call.errcode)).toEqual([45009, 0, 0]);
    await adminJson(emu, 'DELETE', '/__emulator/calls');
    expect(emu.calls).toHaveLength(0);
    const pushes = await adminJson(emu, 'GET', '/__emulator/pushes');
    expect(pushes.json.pushes.map((push: { infoType: string }) => push.infoType)).toEqual([
      'component_verify_ticket',
      'component_verify_ticket',
    ]);
  });
});
