/**
 * Authorizer APIs against the emulator: code exchange, token refresh, info, list, and the
 * authorization / code errors of spec §4.3–4.6.
 */
import {
  AuthorizerInfoResponse,
  isAuthorizationError,
  isCodeError,
  OpenApiClient,
} from '../../../cloudfunctions/authorization/src/openapi';
import { accountOfKind, authorize, clientFor, componentToken, Emulator, failureOf, LeakWatch, startEmulator } from './harness';

const watch = new LeakWatch();
let op: Emulator;
let api: OpenApiClient;
/** Renewed before each test: some tests move the clock by hours. */
let token: string;

beforeAll(async () => {
  op = await startEmulator();
  api = clientFor(op, watch);
});

afterAll(async () => {
  await op.close();
});

beforeEach(async () => {
  token = await componentToken(op, api, watch);
});

async function authorized(kind: string): Promise<{ appid: string; refreshToken: string }> {
  const { appid } = accountOfKind(op, kind);
  const { authorization_info } = await api.queryAuth(token, await authorize(op, api, token, appid, watch));
  const refreshToken = authorization_info.authorizer_refresh_token;
  if (!refreshToken) throw new Error('no refresh token');
  watch.remember(refreshToken, authorization_info.authorizer_access_token);
  return { appid, refreshToken };
}

describe('queryAuth', () => {
  it('exchanges an authorization code for tokens and the granted permission sets', async () => {
    const { appid } = accountOfKind(op, 'official_account');
    const code = await authorize(op, api, token, appid, watch);
    const { authorization_info: info } = await api.queryAuth(token, code);
    watch.remember(info.authorizer_access_token, info.authorizer_refresh_token);
    expect(info.authorizer_appid).toBe(appid);
    expect(info.authorizer_access_token).toBeTruthy();
    expect(info.expires_in).toBe(7200);
    expect(info.authorizer_refresh_token).toMatch(/^refreshtoken@@@/);
    expect(info.func_info.length).toBeGreaterThan(0);
    for (const item of info.func_info) expect(typeof item.funcscope_category.id).toBe('number');
  });

  it('61009 when the same code is exchanged twice', async () => {
    const code = await authorize(op, api, token, accountOfKind(op, 'mini_program').appid, watch);
    await api.queryAuth(token, code).then((a) => watch.remember(a.authorization_info.authorizer_access_token));
    const error = await failureOf(api.queryAuth(token, code), watch);
    expect(error).toMatchObject({ errcode: 61009, category: 'code', api: 'api_query_auth', attempts: 1 });
    expect(isCodeError(error)).toBe(true);
    expect(error.message).not.toContain(code);
  });

  it('61010 when the code is older than 3600 s', async () => {
    const code = await authorize(op, api, token, accountOfKind(op, 'official_account').appid, watch);
    op.clock.advance(3601);
    const error = await failureOf(api.queryAuth(token, code), watch);
    expect(error).toMatchObject({ errcode: 61010, category: 'code' });
  });
});

describe('refreshAuthorizerToken', () => {
  it('returns a new authorizer access token', async () => {
    const { appid, refreshToken } = await authorized('official_account');
    const answer = await api.refreshAuthorizerToken(token, appid, refreshToken);
    watch.remember(answer.authorizer_access_token, answer.authorizer_refresh_token);
    expect(answer.authorizer_access_token).toBeTruthy();
    expect(answer.expires_in).toBe(7200);
  });

  it('61023 for a refresh token WeChat never issued', async () => {
    const { appid } = await authorized('official_account');
    const error = await failureOf(api.refreshAuthorizerToken(token, appid, 'refreshtoken@@@made-up-value'), watch);
    expect(error).toMatchObject({ errcode: 61023, category: 'authorization' });
    expect(isAuthorizationError(error)).toBe(true);
  });

  it('61003 after the merchant revoked the authorization', async () => {
    const { appid, refreshToken } = await authorized('mini_program');
    await op.revoke(appid);
    const error = await failureOf(api.refreshAuthorizerToken(token, appid, refreshToken), watch);
    expect(error).toMatchObject({ errcode: 61003, category: 'authorization', api: 'api_authorizer_token' });
  });
});

describe('getAuthorizerInfo', () => {
  const infoOf = async (kind: string): Promise<AuthorizerInfoResponse> => {
    const { appid } = await authorized(kind);
    return api.getAuthorizerInfo(token, appid);
  };

  it('describes an official account (no MiniProgramInfo)', async () => {
    const { authorizer_info: info, authorization_info } = await infoOf('official_account');
    expect(info.user_name).toMatch(/^gh_/);
    expect(info.nick_name).toBeTruthy();
    expect(typeof info.service_type_info.id).toBe('number');
    expect(typeof info.verify_type_info.id).toBe('number');
    expect(info.MiniProgramInfo).toBeUndefined();
    expect(info.channels_info).toBeUndefined();
    if (authorization_info) {
      watch.remember(authorization_info.authorizer_refresh_token);
      expect(authorization_info.func_info.length).toBeGreaterThan(0);
      expect(authorization_info).not.toHaveProperty('authorizer_access_token');
    }
  });

  it('marks a mini-program with MiniProgramInfo', async () => {
    const { authorizer_info: info, authorization_info } = await infoOf('mini_program');
    watch.remember(authorization_info?.authorizer_refresh_token);
    expect(info.MiniProgramInfo).toBeDefined();
    expect(Array.isArray(info.MiniProgramInfo?.network?.RequestDomain)).toBe(true);
  });

  it('marks a Channels account with channels_info', async () => {
    const { authorizer_info: info, authorization_info } = await infoOf('channels');
    watch.remember(authorization_info?.authorizer_refresh_token);
    expect(info.channels_info).toBeDefined();
    expect(info.MiniProgramInfo).toBeUndefined();
  });

  it('61003 for an account that never authorized the platform', async () => {
    const never = op.accounts.find((a) => !op.authorizations().some((z) => z.authorizerAppid === a.appid));
    if (!never) throw new Error('every test account is authorized');
    const error = await failureOf(api.getAuthorizerInfo(token, never.appid), watch);
    expect(error).toMatchObject({ errcode: 61003, category: 'authorization', api: 'api_get_authorizer_info' });
  });
});

describe('getAuthorizerList', () => {
  it('lists the current authorizers with their refresh tokens', async () => {
    const { appid, refreshToken } = await authorized('official_account');
    const answer = await api.getAuthorizerList(token, 0, 500);
    expect(answer.total_count).toBe(op.authorizations().length);
    expect(answer.list.length).toBe(answer.total_count);
    const entry = answer.list.find((item) => item.authorizer_appid === appid);
    expect(entry?.refresh_token).toBe(refreshToken);
    expect(typeof entry?.auth_time).toBe('number');
  });

  it('pages with offset and count', async () => {
    await authorized('official_account');
    await authorized('mini_program');
    const all = await api.getAuthorizerList(token, 0, 500);
    expect(all.total_count).toBeGreaterThanOrEqual(2);
    const second = await api.getAuthorizerList(token, 1, 1);
    expect(second.total_count).toBe(all.total_count);
    expect(second.list).toHaveLength(1);
    expect(second.list[0].authorizer_appid).toBe(all.list[1].authorizer_appid);
  });

  it('refuses count > 500 before calling WeChat', async () => {
    op.resetCalls();
    await expect(api.getAuthorizerList(token, 0, 501)).rejects.toThrow(RangeError);
    expect(op.calls).toHaveLength(0);
  });
});

describe('nothing exposed carries a secret', () => {
  it('no error message, error JSON or metrics record contains a token, code or secret', () => {
    expect(watch.errors.length).toBeGreaterThanOrEqual(5);
    expect(watch.leaks()).toEqual([]);
  });
});
