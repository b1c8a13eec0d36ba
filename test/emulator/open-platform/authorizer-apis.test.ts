/**
 * Authorizer-side APIs (spec §15.1, §15.3) and a component-level one (§15.2): WeChat's token
 * rules, 61007 for a set not granted, real images from getwxacodeunlimit, and the call records.
 */
import { startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import { authorize, callApi, componentToken, MINI_PROGRAM, RID, SERVICE_OA, type Json } from './support';

let emu: OpenPlatformEmulator;
let ct: string;

beforeEach(async () => {
  emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
  await emu.pushTicket();
  ct = await componentToken(emu);
});
afterEach(() => emu.close());

/** Authorizes the account (with these sets) and returns its authorizer_access_token. */
async function tokenFor(appid: string, funcIds?: number[]): Promise<string> {
  const code = await authorize(emu, ct, appid, funcIds);
  const answer = await callApi(
    emu,
    'api_query_auth',
    { component_appid: emu.component.appId, authorization_code: code },
    { component_access_token: ct },
  );
  return answer.authorization_info.authorizer_access_token as string;
}

async function api(
  method: string,
  path: string,
  query: Record<string, string>,
  body?: object,
): Promise<{ type: string; bytes: Buffer; json?: Json }> {
  const url = new URL(path, emu.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const response = await fetch(url, { method, body: body ? JSON.stringify(body) : undefined });
  const type = response.headers.get('content-type') ?? '';
  const bytes = Buffer.from(await response.arrayBuffer());
  return { type, bytes, json: type.startsWith('application/json') ? (JSON.parse(bytes.toString('utf8')) as Json) : undefined };
}

test('token rules: 41001 missing, 40014 unknown, 61015 component token, 42001 expired, 40001 superseded', async () => {
  const token = await tokenFor(MINI_PROGRAM);
  const ips = (q: Record<string, string>) => api('GET', '/cgi-bin/get_api_domain_ip', q);
  expect((await ips({})).json).toMatchObject({ errcode: 41001, errmsg: expect.stringMatching(RID) });
  expect((await ips({ access_token: 'nope' })).json?.errcode).toBe(40014);
  expect((await ips({ access_token: ct })).json?.errcode).toBe(61015);
  expect((await ips({ access_token: token })).json?.ip_list.length).toBeGreaterThan(0);

  // A newer token supersedes ours: still fine inside the 300 s grace, 40001 after.
  const list = await callApi(
    emu,
    'api_get_authorizer_list',
    { component_appid: emu.component.appId, offset: 0, count: 10 },
    { component_access_token: ct },
  );
  const refresh = list.list.find((e: Json) => e.authorizer_appid === MINI_PROGRAM).refresh_token as string;
  await callApi(
    emu,
    'api_authorizer_token',
    { component_appid: emu.component.appId, authorizer_appid: MINI_PROGRAM, authorizer_refresh_token: refresh },
    { component_access_token: ct },
  );
  expect((await ips({ access_token: token })).json?.ip_list).toBeDefined();
  emu.clock.advance(301);
  expect((await ips({ access_token: token })).json?.errcode).toBe(40001);
  emu.clock.advance(7200);
  expect((await ips({ access_token: token })).json?.errcode).toBe(42001);
});

test('61007 when the set is not granted; basic info when it is', async () => {
  const without = await tokenFor(MINI_PROGRAM, [18, 19]);
  expect((await api('GET', '/cgi-bin/account/getaccountbasicinfo', { access_token: without })).json?.errcode).toBe(61007);
  expect((await api('POST', '/wxa/getwxacodeunlimit', { access_token: without }, { scene: 'x' })).json?.errcode).toBe(61007);
  const oa = await tokenFor(SERVICE_OA);
  expect((await api('GET', '/cgi-bin/account/getaccountbasicinfo', { access_token: oa })).json?.errcode).toBe(61007);
  const full = await tokenFor(MINI_PROGRAM, [17, 18, 30]);
  const info = await api('POST', '/cgi-bin/account/getaccountbasicinfo', { access_token: full });
  expect(info.json).toMatchObject({
    errcode: 0,
    appid: MINI_PROGRAM,
    account_type: 3,
    nickname_info: { nickname: '青禾鲜花预订' },
  });
});

test('getwxacodeunlimit answers a real JPEG, or a PNG with is_hyaline; 47001 without a scene', async () => {
  const token = await tokenFor(MINI_PROGRAM);
  const jpeg = await api('POST', '/wxa/getwxacodeunlimit', { access_token: token }, { scene: 'id=1' });
  expect(jpeg.type).toBe('image/jpeg');
  expect(jpeg.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect(jpeg.bytes.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
  const png = await api('POST', '/wxa/getwxacodeunlimit', { access_token: token }, { scene: 'id=1', is_hyaline: true });
  expect(png.type).toBe('image/png');
  expect(png.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const other = await api('POST', '/wxa/getwxacodeunlimit', { access_token: token }, { scene: 'id=2' });
  expect(other.bytes.equals(jpeg.bytes)).toBe(false);
  expect((await api('POST', '/wxa/getwxacodeunlimit', { access_token: token }, {})).json?.errcode).toBe(47001);
});

test('the component-level API takes the component token, not an authorizer one; every call is recorded', async () => {
  const token = await tokenFor(MINI_PROGRAM);
  emu.resetCalls();
  expect((await api('GET', '/wxa/gettemplatelist', { component_access_token: ct })).json).toMatchObject({
    errcode: 0,
    template_list: expect.any(Array),
  });
  expect((await api('GET', '/wxa/gettemplatelist', { access_token: token })).json?.errcode).toBe(40014);
  emu.authorizerApiFaults.inject({ path: '/cgi-bin/get_api_domain_ip', errcode: 45009 });
  expect((await api('GET', '/cgi-bin/get_api_domain_ip', { access_token: token })).json?.errcode).toBe(45009);
  expect((await api('GET', '/cgi-bin/get_api_domain_ip', { access_token: token })).json?.errcode).toBeUndefined();
  expect(emu.authorizerCalls.map(({ path, errcode, appid }) => [path, errcode, appid])).toEqual([
    ['/wxa/gettemplatelist', 0, null],
    ['/wxa/gettemplatelist', 40014, null],
    ['/cgi-bin/get_api_domain_ip', 45009, null],
    ['/cgi-bin/get_api_domain_ip', 0, MINI_PROGRAM],
  ]);
});
