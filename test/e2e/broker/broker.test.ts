/**
 * Issue 10: the token broker and WeChat API proxy, end to end on the local stack. A cloud function
 * (broker-caller, through cloud.callFunction) and a Node server (signed HTTP) use the typed client;
 * every refusal is exercised; retries, binary answers and the one-refresh rule are checked against
 * the emulator's call records.
 */
import { BROKER_ERROR_HEADER, newNonce, sign, type BrokerCallResult } from '../../../clients/broker-client/src';
import { loadConfig } from '../../../cloudfunctions/authorization/src/config';
import {
  account,
  act,
  ADMIN,
  allDocs,
  authorizeWithPush,
  callsOf,
  captureOutputOfFile,
  dataOf,
  docById,
  MERCHANT,
  pluginSession,
  type RulesStack,
} from '../helpers/rules-stack';
import {
  brokerError,
  BROKER_SECRET,
  httpClient,
  KEYS,
  removeBrokerFunctions,
  startBrokerStack,
  viaCaller,
} from '../helpers/broker-stack';

jest.setTimeout(60_000);
const output = captureOutputOfFile();

let stack: RulesStack;
beforeEach(async () => {
  stack = await startBrokerStack();
});
afterEach(async () => {
  await stack.close();
});
afterAll(removeBrokerFunctions);

const mp = () => account(stack, 'mini_program').appid;
const oa = () => account(stack, 'official_account').appid;
const wxacode = { method: 'POST' as const, path: '/wxa/getwxacodeunlimit', json: { scene: 'a=1', page: 'pages/index/index' } };
const apiCalls = (path: string) => stack.openPlatform.authorizerCalls.filter((c) => c.path === path);

/** The same wxacode fetched straight from the emulator with a token it accepts. */
async function directWxacode(token: string, body: object): Promise<Buffer> {
  const response = await fetch(`${stack.openPlatform.url}/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(token)}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return Buffer.from(await response.arrayBuffer());
}

describe('way in 1: callFunction from another cloud function', () => {
  test('token, JSON call and a wxacode byte for byte through the typed client', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const token = await viaCaller(stack, { op: 'token', appid: mp() });
    if (!token.ok || !token.token) throw new Error(JSON.stringify(token));
    expect(stack.openPlatform.checkAuthorizerAccessToken(token.token.accessToken)).toEqual({ ok: true, authorizerAppid: mp() });
    expect(token.token.expiresAt).toBeGreaterThan(stack.clock.now());

    const ips = await viaCaller(stack, {
      op: 'call',
      appid: mp(),
      request: { method: 'GET', path: '/cgi-bin/get_api_domain_ip' },
    });
    if (!ips.ok) throw new Error(JSON.stringify(ips));
    const ipText = Buffer.from(ips.base64 ?? '', 'base64').toString('utf8');
    expect(JSON.parse(ipText).ip_list.length).toBeGreaterThan(0);
    expect(ipText).not.toContain(token.token.accessToken);

    const image = await viaCaller(stack, { op: 'call', appid: mp(), request: wxacode });
    if (!image.ok) throw new Error(JSON.stringify(image));
    expect(image.contentType).toBe('image/jpeg');
    const bytes = Buffer.from(image.base64 ?? '', 'base64');
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(bytes.equals(await directWxacode(token.token.accessToken, wxacode.json))).toBe(true);
    const png = await viaCaller(stack, {
      op: 'call',
      appid: mp(),
      request: { ...wxacode, json: { ...wxacode.json, is_hyaline: true } },
    });
    if (!png.ok) throw new Error(JSON.stringify(png));
    expect(png.contentType).toBe('image/png');
    expect(
      Buffer.from(png.base64 ?? '', 'base64').equals(
        await directWxacode(token.token.accessToken, { ...wxacode.json, is_hyaline: true }),
      ),
    ).toBe(true);
  });

  test('a caller invoked by a mini-program user (SOURCE wx_client,scf, OPENID present) is served', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const reply = await viaCaller(stack, { op: 'token', appid: mp() }, 'oSOME-USER');
    expect(reply.ok).toBe(true);
  });

  test('refusals: no secret, wrong secret, SOURCE wx_client even with the secret', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    expect(await viaCaller(stack, { op: 'token', appid: mp(), secret: '' })).toMatchObject({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
    expect(await viaCaller(stack, { op: 'token', appid: mp(), secret: `${BROKER_SECRET}x` })).toMatchObject({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
    // A mini-program calling the function directly, secret and all.
    const direct = (await stack.cloud.callFunction(
      'authorization',
      { broker: { secret: BROKER_SECRET, op: 'token', input: { appid: mp() } } },
      {
        openid: MERCHANT,
      },
    )) as BrokerCallResult;
    expect(direct).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SOURCE' } });
    const noSecret = (await stack.cloud.callFunction(
      'authorization',
      { broker: { op: 'token', input: { appid: mp() } } },
      { openid: MERCHANT },
    )) as BrokerCallResult;
    expect(noSecret).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SOURCE' } });
    expect(JSON.stringify([direct, noSecret])).not.toMatch(/accessToken/);
  });

  test('authorizer refusals: unknown appid, revoked, 61007 names the set, another host', async () => {
    await authorizeWithPush(stack, MERCHANT, oa());
    expect(await viaCaller(stack, { op: 'token', appid: 'wx0000000000000000' })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_AUTHORIZER',
    });
    // An official account has no set containing getaccountbasicinfo (30): 61007.
    const notGranted = await viaCaller(stack, {
      op: 'call',
      appid: oa(),
      request: { method: 'GET', path: '/cgi-bin/account/getaccountbasicinfo' },
    });
    expect(notGranted).toMatchObject({ ok: false, code: 'SET_NOT_GRANTED' });
    for (const path of [
      '//evil.example/x',
      '/../cgi-bin/x',
      'http://evil.example/x',
      '/cgi-bin/%2e%2e/x',
      '/a\\b',
      '/wxa/x?y=1',
      '/a/./b',
    ]) {
      expect(await viaCaller(stack, { op: 'call', appid: oa(), request: { method: 'GET', path } })).toMatchObject({
        ok: false,
        code: 'INVALID_INPUT',
      });
    }
    const ownToken = await viaCaller(stack, {
      op: 'call',
      appid: oa(),
      request: { method: 'GET', path: '/cgi-bin/get_api_domain_ip', query: { access_token: 'x' } },
    });
    expect(ownToken).toMatchObject({ ok: false, code: 'INVALID_INPUT' });

    await stack.openPlatform.revoke(oa());
    expect(await viaCaller(stack, { op: 'token', appid: oa() })).toMatchObject({
      ok: false,
      code: 'AUTHORIZER_UNAVAILABLE',
      state: 'revoked',
    });
  });
});

describe('way in 2: signed HTTP from a Node server', () => {
  test('token, JSON, component API and binary answers with the typed client; rotation keys both work', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const client = httpClient(stack);
    const issued = await client.token(mp());
    expect(stack.openPlatform.checkAuthorizerAccessToken(issued.accessToken).ok).toBe(true);
    const info = await client.call(mp(), { method: 'GET', path: '/cgi-bin/account/getaccountbasicinfo' });
    expect(info.json()).toMatchObject({ errcode: 0, appid: mp() });
    const image = await client.call(mp(), wxacode);
    expect(image.contentType).toBe('image/jpeg');
    expect(Buffer.from(image.bytes).equals(await directWxacode(issued.accessToken, wxacode.json))).toBe(true);
    const templates = await httpClient(stack, KEYS.next).componentCall({ method: 'GET', path: '/wxa/gettemplatelist' });
    expect(templates.json<{ template_list: unknown[] }>().template_list.length).toBeGreaterThan(0);
    const page = await client.listAuthorizers({ limit: 1 });
    expect(page.authorizers).toEqual([expect.objectContaining({ appid: mp(), status: 'active', kind: 'mini_program' })]);
    expect(page.next).toBe(mp());
    expect(await client.listAuthorizers({ after: mp() })).toEqual({ authorizers: [], next: null });
  });

  test('listing walks every account by cursor, one added mid-walk included; a malformed cursor is refused', async () => {
    await authorizeWithPush(stack, MERCHANT, oa());
    await authorizeWithPush(stack, MERCHANT, mp());
    const client = httpClient(stack);
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await client.listAuthorizers({ limit: 1, ...(after ? { after } : {}) });
      seen.push(...page.authorizers.map((a) => a.appid));
      if (pages === 0) await authorizeWithPush(stack, MERCHANT, account(stack, 'channels').appid);
      if (page.next === null) break;
      after = page.next;
    }
    const all = (await allDocs<{ _id: string }>(stack, 'authorizers')).map((d) => d._id).sort();
    expect(all).toHaveLength(3);
    // The one added after the first page is seen when its appid sorts after that page's.
    expect(seen).toEqual(all.filter((id) => id === seen[0] || id > seen[0]));
    expect((await brokerError(client.listAuthorizers({ after: 'x"; drop' }))).code).toBe('INVALID_INPUT');
    // A client written for the old offset paging is told, not sent page one again and again.
    const timestamp = Math.floor(stack.clock.now() / 1000);
    const nonce = newNonce();
    const parts = { method: 'GET', path: '/broker/authorizers', query: { offset: '1' }, timestamp, nonce, body: Buffer.alloc(0) };
    const byOffset = await fetch(`${stack.publicBaseUrl}/broker/authorizers?offset=1`, {
      headers: {
        'x-broker-key': KEYS.current.id,
        'x-broker-timestamp': String(timestamp),
        'x-broker-nonce': nonce,
        'x-broker-signature': sign(KEYS.current.secret, parts),
      },
    });
    expect(byOffset.status).toBe(400);
    expect(await byOffset.json()).toEqual({
      error: expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('after') }),
    });
  });

  test('refusals: wrong key, revoked key, bad signature, altered body, replayed nonce, stale timestamp', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    // Without the key's secret, an unknown key, a revoked key and a wrong signature look the same:
    // key ids cannot be probed. Only the revoked key's holder is told it was revoked.
    const badSignature = await brokerError(httpClient(stack, { id: 'current', secret: KEYS.next.secret }).token(mp()));
    expect(badSignature.code).toBe('UNAUTHENTICATED');
    const unknownKey = await brokerError(httpClient(stack, { id: 'nobody', secret: KEYS.current.secret }).token(mp()));
    const revokedKeyGuessed = await brokerError(httpClient(stack, { id: KEYS.revoked.id, secret: KEYS.next.secret }).token(mp()));
    for (const refusal of [unknownKey, revokedKeyGuessed]) {
      expect({ code: refusal.code, message: refusal.message }).toEqual({
        code: badSignature.code,
        message: badSignature.message,
      });
    }
    expect((await brokerError(httpClient(stack, KEYS.revoked).token(mp()))).code).toBe('KEY_REVOKED');
    const staleClient = (keyId: string) =>
      new (httpClient(stack).constructor as typeof import('../../../clients/broker-client/src').BrokerHttpClient)({
        baseUrl: stack.publicBaseUrl,
        keyId,
        secret: KEYS.current.secret,
        now: () => stack.clock.now() - 301_000,
      });
    const staleRefusals = await Promise.all(
      [KEYS.current.id, KEYS.revoked.id, 'nobody'].map(async (keyId) => {
        const refusal = await brokerError(staleClient(keyId).token(mp()));
        return { code: refusal.code, message: refusal.message };
      }),
    );
    // Whatever the key id, a stale request gets the same answer: the check needs no key.
    expect(new Set(staleRefusals.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(staleRefusals[0].code).toBe('STALE_REQUEST');

    // A captured request: replayed as is, and with its body altered.
    const body = JSON.stringify({ appid: mp() });
    const timestamp = Math.floor(stack.clock.now() / 1000);
    const nonce = newNonce();
    const signature = sign(KEYS.current.secret, {
      method: 'POST',
      path: '/broker/token',
      query: {},
      timestamp,
      nonce,
      body: Buffer.from(body),
    });
    const send = (payload: string) =>
      fetch(`${stack.publicBaseUrl}/broker/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-broker-key': KEYS.current.id,
          'x-broker-timestamp': String(timestamp),
          'x-broker-nonce': nonce,
          'x-broker-signature': signature,
        },
        body: payload,
      });
    const altered = await send(JSON.stringify({ appid: oa() }));
    expect(altered.status).toBe(401);
    expect(altered.headers.get(BROKER_ERROR_HEADER)).toBe('UNAUTHENTICATED');
    const [first, second] = await Promise.all([send(body), send(body)]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const replay = await send(body);
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: expect.objectContaining({ code: 'REPLAYED' }) });
    const nonceDoc = await docById(stack, 'brokerNonces', `${KEYS.current.id}:${nonce}`);
    expect(nonceDoc).not.toBeNull();
  });

  test('a path that tries another host never leaves the API host', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const client = httpClient(stack);
    stack.openPlatform.resetCalls();
    for (const path of ['/..%2f..%2fevil', '/%2fevil.example', '/cgi-bin/@evil.example']) {
      expect((await brokerError(client.call(mp(), { method: 'GET', path }))).code).toBe('INVALID_INPUT');
    }
    expect(stack.openPlatform.authorizerCalls).toHaveLength(0);
  });
});

describe('token rules', () => {
  test('42001 causes exactly one refresh and one retry; 40001 twice is retried once, then passed on', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const client = httpClient(stack);
    const path = '/cgi-bin/get_api_domain_ip';
    const before = await client.token(mp());

    stack.openPlatform.resetCalls();
    stack.openPlatform.authorizerApiFaults.inject({ path, errcode: 42001 });
    expect((await client.call(mp(), { method: 'GET', path })).errcode).toBe(0);
    expect(apiCalls(path).map((c) => c.errcode)).toEqual([42001, 0]);
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(1);
    const after42001 = await client.token(mp());
    expect(after42001.accessToken).not.toBe(before.accessToken);

    // WeChat rejects the fresh token too: the proxy does not loop, it passes the answer on.
    stack.openPlatform.resetCalls();
    stack.openPlatform.authorizerApiFaults.inject({ path, errcode: 40001, times: 2 });
    const twice = await client.call(mp(), { method: 'GET', path });
    expect(twice.errcode).toBe(40001);
    expect(apiCalls(path)).toHaveLength(2);
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(1);
  });

  test('reportRejected drops only the stored token, and only one issued a minute ago', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const client = httpClient(stack);
    const { accessToken } = await client.token(mp());
    // A token younger than a minute is kept: no caller can make the broker refresh in a loop.
    expect(await client.reportRejected(mp(), accessToken, 40001)).toBe(false);
    stack.clock.advance(61);
    expect(await client.reportRejected(mp(), 'not-the-stored-token', 40001)).toBe(false);
    expect(await client.reportRejected(mp(), accessToken, 42001)).toBe(true);
    expect(await client.reportRejected(mp(), accessToken, 42001)).toBe(false);
    expect((await brokerError(client.reportRejected(mp(), accessToken, 45009))).code).toBe('INVALID_INPUT');
    const fresh = await client.token(mp());
    expect(fresh.accessToken).not.toBe(accessToken);
  });

  test('K instances × N concurrent proxied calls when the token expires: one api_authorizer_token', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const path = '/cgi-bin/get_api_domain_ip';
    stack.clock.advance(7200);
    stack.openPlatform.resetCalls();
    const instances = [1, 2, 3].map(() => stack.cloud.newInstance('authorization'));
    const event = { broker: { secret: BROKER_SECRET, op: 'call', input: { appid: mp(), method: 'GET', path } } };
    const replies = (await Promise.all(
      instances.flatMap((instance) => Array.from({ length: 5 }, () => instance.invoke(event, { SOURCE: 'scf' }))),
    )) as BrokerCallResult[];
    for (const reply of replies) expect(reply).toMatchObject({ ok: true, data: { status: 200 } });
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(1);
    expect(apiCalls(path).every((c) => c.errcode === 0)).toBe(true);
  });

  test('usage is counted per appid and API; nothing logs a token', async () => {
    await authorizeWithPush(stack, MERCHANT, mp());
    const client = httpClient(stack);
    const { accessToken } = await client.token(mp());
    await client.call(mp(), { method: 'GET', path: '/cgi-bin/get_api_domain_ip' });
    await client.call(mp(), { method: 'GET', path: '/cgi-bin/get_api_domain_ip' });
    const usage = await docById(stack, 'brokerUsage', `${mp()}:/cgi-bin/get_api_domain_ip`);
    expect(usage).toMatchObject({ calls: 2, errors: 0, lastErrcode: 0 });
    expect(output.text()).not.toContain(accessToken);
  });
});

test('a superseded token (40001 after the grace period) is replaced once and the call succeeds', async () => {
  await authorizeWithPush(stack, MERCHANT, mp());
  const client = httpClient(stack);
  const stored = await client.token(mp());
  // Another refresher (outside the function) gets a new token; ours stops working after 300 s.
  const tokenDoc = await docById<{ refreshToken: string }>(stack, 'authorizerTokens', mp());
  const { component, url } = stack.openPlatform;
  const ct = (await (
    await fetch(`${url}/cgi-bin/component/api_component_token`, {
      method: 'POST',
      body: JSON.stringify({
        component_appid: component.appId,
        component_appsecret: component.appSecret,
        component_verify_ticket: stack.openPlatform.latestTicket(),
      }),
    })
  ).json()) as { component_access_token: string };
  await fetch(
    `${url}/cgi-bin/component/api_authorizer_token?component_access_token=${encodeURIComponent(ct.component_access_token)}`,
    {
      method: 'POST',
      body: JSON.stringify({
        component_appid: component.appId,
        authorizer_appid: mp(),
        authorizer_refresh_token: tokenDoc?.refreshToken,
      }),
    },
  );
  stack.clock.advance(301);
  expect(stack.openPlatform.checkAuthorizerAccessToken(stored.accessToken)).toEqual({ ok: false, errcode: 40001 });
  stack.openPlatform.resetCalls();
  const path = '/cgi-bin/get_api_domain_ip';
  expect((await client.call(mp(), { method: 'GET', path })).errcode).toBe(0);
  expect(apiCalls(path).map((c) => c.errcode)).toEqual([40001, 0]);
  // Our own component token fetch above superseded the function's too: one 40001 there, then one refresh.
  expect(callsOf(stack, 'api_authorizer_token').filter((c) => c.errcode === 0)).toHaveLength(1);
});

test('61007 names the set for a mini-program that did not grant it', async () => {
  const { preAuthCode } = await pluginSession(stack, MERCHANT);
  await stack.openPlatform.confirmAuthorization({ preAuthCode, authorizerAppid: mp(), channel: 'plugin', funcIds: [18, 19] });
  const error = await brokerError(httpClient(stack).call(mp(), wxacode));
  expect(error.code).toBe('SET_NOT_GRANTED');
  expect(error.permissionSet).toEqual({ id: 17, name: '获取小程序码' });
});

test('61003 on a proxied call marks the authorizer needs_reauth and says what to do', async () => {
  await authorizeWithPush(stack, MERCHANT, mp());
  const client = httpClient(stack);
  const { accessToken } = await client.token(mp());
  stack.openPlatform.authorizerApiFaults.inject({ path: '/cgi-bin/get_api_domain_ip', errcode: 61003 });
  const error = await brokerError(client.call(mp(), { method: 'GET', path: '/cgi-bin/get_api_domain_ip' }));
  expect(error).toMatchObject({ code: 'AUTHORIZER_UNAVAILABLE', state: 'needs_reauth', errcode: 61003 });
  expect(error.message).toContain('authorize again');
  expect((await docById(stack, 'authorizers', mp()))?.status).toBe('needs_reauth');
  // The token that met 61003 is no longer handed out.
  expect((await docById<{ accessToken: string | null }>(stack, 'authorizerTokens', mp()))?.accessToken).not.toBe(accessToken);
});

test('nonces are cleaned up once their window has passed', async () => {
  await authorizeWithPush(stack, MERCHANT, mp());
  await httpClient(stack).token(mp());
  expect(await allDocs(stack, 'brokerNonces')).toHaveLength(1);
  stack.clock.advance(10 * 60);
  await httpClient(stack).token(mp());
  const left = await allDocs<{ expiresAt: number }>(stack, 'brokerNonces');
  expect(left).toHaveLength(1);
  expect(left[0].expiresAt).toBeGreaterThan(stack.clock.now());
});

test('admin actions: usage per authorizer and a live test call; merchants are refused', async () => {
  await authorizeWithPush(stack, MERCHANT, mp());
  await authorizeWithPush(stack, MERCHANT, oa());
  await httpClient(stack).call(mp(), wxacode);
  const report = dataOf(await act(stack, ADMIN, 'testAuthorizerCall', { appid: mp() }));
  expect(report).toMatchObject({ ok: true, errcode: 0, nickname: account(stack, 'mini_program').nickName });
  const refused = dataOf(await act(stack, ADMIN, 'testAuthorizerCall', { appid: oa() }));
  expect(refused).toMatchObject({ ok: false, errcode: 61007 });
  expect(refused.message).toContain('权限集');
  const { usage } = dataOf(await act(stack, ADMIN, 'authorizerUsage', { appid: mp() }));
  expect(usage.map((u: { api: string }) => u.api).sort()).toEqual([
    '/cgi-bin/account/getaccountbasicinfo',
    '/wxa/getwxacodeunlimit',
  ]);
  expect(usage.find((u: { api: string }) => u.api === '/wxa/getwxacodeunlimit')).toMatchObject({
    calls: 1,
    errors: 0,
    lastErrcode: 0,
  });
  expect(await act(stack, MERCHANT, 'authorizerUsage', { appid: mp() })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
  expect(await act(stack, MERCHANT, 'testAuthorizerCall', { appid: mp() })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
});

test('configuration: short secrets, malformed or duplicate keys are named, never echoed', () => {
  const base = { ...stack.functionEnv };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  expect(problems({ BROKER_SECRET: 'short-secret' })).toContain('BROKER_SECRET');
  expect(problems({ BROKER_SECRET: 'short-secret' })).not.toContain('short-secret');
  expect(problems({ BROKER_CLIENT_KEYS: 'not json' })).toContain('BROKER_CLIENT_KEYS');
  const dup = JSON.stringify([KEYS.current, KEYS.current]);
  expect(problems({ BROKER_CLIENT_KEYS: dup })).toContain('unique');
  expect(problems({ BROKER_CLIENT_KEYS: dup })).not.toContain(KEYS.current.secret);
  expect(loadConfig(base).brokerClientKeys.map((k) => [k.id, k.revoked])).toEqual([
    ['current', false],
    ['next', false],
    ['old', true],
  ]);
});
