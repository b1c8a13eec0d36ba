/**
 * Issue 17: least privilege for the broker, end to end on the local stack. Callers with different
 * scopes (HTTP keys and function secrets) against a matrix of operations, APIs and appids; the
 * closed list of component APIs; answers scrubbed of token fields; component paths refused on the
 * authorizer route; refused authorizations that cost WeChat nothing; usage per caller.
 */
import { BrokerError, type BrokerCallResult, type BrokerHttpClient } from '../../../clients/broker-client/src';
import { loadConfig } from '../../../cloudfunctions/authorization/src/config';
import { COMPONENT_APIS, NEVER_SERVED } from '../../../cloudfunctions/authorization/src/broker/wechatApis';
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform/state/fixtures';
import {
  act,
  ADMIN,
  authorizeWithPush,
  callsOf,
  captureOutputOfFile,
  dataOf,
  docById,
  MERCHANT,
  type RulesStack,
} from '../helpers/rules-stack';
import {
  brokerError,
  BROKER_SECRET,
  FULL_SCOPE,
  httpClient,
  KEYS,
  removeBrokerFunctions,
  startBrokerStack,
} from '../helpers/broker-stack';

jest.setTimeout(90_000);
/** The function's log, captured before the stack starts (checked: no token in it). */
const output = captureOutputOfFile();

const MP = DEFAULT_ACCOUNTS.find((a) => a.kind === 'mini_program')!.appid;
const OA = DEFAULT_ACCOUNTS.find((a) => a.kind === 'official_account')!.appid;
const secret = (name: string) => `${name}-secret-0123456789abcdef0123456789abcdef`;

/** Five callers, each allowed a different slice. */
const SCOPED = {
  messaging: { ops: ['call'], apis: ['/cgi-bin/message/'], appids: [MP] },
  release: { ops: ['call', 'component'], apis: ['/wxa/'], appids: '*' },
  tokens: { ops: ['token', 'report'], appids: [OA] },
  lister: { ops: ['list'], appids: [MP] },
};
const keyOf = (id: string) => ({ id, secret: secret(id) });

let stack: RulesStack;
beforeAll(async () => {
  stack = await startBrokerStack({
    BROKER_CLIENT_KEYS: JSON.stringify([
      ...Object.entries(SCOPED).map(([id, scope]) => ({ ...keyOf(id), scope })),
      keyOf('legacy'),
      { ...KEYS.current, scope: FULL_SCOPE },
    ]),
    BROKER_FUNCTION_SECRETS: JSON.stringify([
      { id: 'backend', secret: BROKER_SECRET, scope: FULL_SCOPE },
      { id: 'fn-messaging', secret: secret('fn-messaging'), scope: SCOPED.messaging },
    ]),
    BROKER_SECRET: secret('old-shared'),
    REAUTH_PROBE_SECONDS: '600',
  });
  await authorizeWithPush(stack, MERCHANT, MP);
  await authorizeWithPush(stack, MERCHANT, OA);
});
afterAll(async () => {
  await stack.close();
  await removeBrokerFunctions();
});

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    return error.code === 'SCOPE_DENIED' ? `denied:${error.scope}` : error.code;
  }
}

type Request = (client: BrokerHttpClient) => Promise<unknown>;
const send = {
  method: 'POST' as const,
  path: '/cgi-bin/message/custom/send',
  json: { touser: 'o1', msgtype: 'text', text: { content: 'hi' } },
};
const REQUESTS: Record<string, Request> = {
  'token MP': (c) => c.token(MP),
  'token OA': (c) => c.token(OA),
  'call MP message': (c) => c.call(MP, send),
  'call OA message': (c) => c.call(OA, send),
  'call MP wxacode': (c) => c.call(MP, { method: 'POST', path: '/wxa/getwxacodeunlimit', json: { scene: 'a=1' } }),
  'call MP info': (c) => c.call(MP, { method: 'GET', path: '/cgi-bin/account/getaccountbasicinfo' }),
  'component templates': (c) => c.componentCall({ method: 'GET', path: '/wxa/gettemplatelist' }),
  'component quota': (c) =>
    c.componentCall({ method: 'POST', path: '/cgi-bin/openapi/quota/get', json: { cgi_path: '/wxa/commit' } }),
  list: (c) => c.listAuthorizers({ limit: 10 }),
  'report OA': (c) => c.reportRejected(OA, 'not-the-stored-token', 40001),
};

const LIST_ONLY: Record<string, string> = {
  'token MP': 'denied:operation',
  'token OA': 'denied:operation',
  'call MP message': 'denied:operation',
  'call OA message': 'denied:operation',
  'call MP wxacode': 'denied:operation',
  'call MP info': 'denied:operation',
  'component templates': 'denied:operation',
  'component quota': 'denied:operation',
  list: 'ok',
  'report OA': 'denied:operation',
};

/** The table is the spec: each key against each request. */
const EXPECTED: Record<string, Record<string, string>> = {
  messaging: {
    'token MP': 'denied:operation',
    'token OA': 'denied:operation',
    'call MP message': 'ok',
    'call OA message': 'denied:appid',
    'call MP wxacode': 'denied:api',
    'call MP info': 'denied:api',
    'component templates': 'denied:operation',
    'component quota': 'denied:operation',
    list: 'denied:operation',
    'report OA': 'denied:operation',
  },
  release: {
    'token MP': 'denied:operation',
    'token OA': 'denied:operation',
    'call MP message': 'denied:api',
    'call OA message': 'denied:api',
    'call MP wxacode': 'ok',
    'call MP info': 'denied:api',
    'component templates': 'ok',
    'component quota': 'denied:api',
    list: 'denied:operation',
    'report OA': 'denied:operation',
  },
  tokens: {
    'token MP': 'denied:appid',
    'token OA': 'ok',
    'call MP message': 'denied:operation',
    'call OA message': 'denied:operation',
    'call MP wxacode': 'denied:operation',
    'call MP info': 'denied:operation',
    'component templates': 'denied:operation',
    'component quota': 'denied:operation',
    list: 'denied:operation',
    'report OA': 'ok',
  },
  lister: LIST_ONLY,
  // Written without a scope: the narrow default, listing only.
  legacy: LIST_ONLY,
};

describe('the scope matrix (signed HTTP)', () => {
  test.each(Object.keys(EXPECTED))('key %s gets exactly its slice; a refusal costs WeChat nothing', async (key) => {
    const client = httpClient(stack, keyOf(key));
    const seen: Record<string, string> = {};
    for (const [name, request] of Object.entries(REQUESTS)) {
      stack.openPlatform.resetCalls();
      seen[name] = await outcome(request(client));
      if (seen[name].startsWith('denied')) {
        expect({ name, wechat: stack.openPlatform.authorizerCalls.length + stack.openPlatform.calls.length }).toEqual({
          name,
          wechat: 0,
        });
      }
    }
    expect(seen).toEqual(EXPECTED[key]);
  });

  test('a refusal names the part of its own scope, never another caller', async () => {
    const error = await brokerError(httpClient(stack, keyOf('messaging')).call(OA, send));
    expect(error).toMatchObject({ code: 'SCOPE_DENIED', scope: 'appid' });
    expect(error.message).toContain('"messaging"');
    for (const other of ['release', 'tokens', 'lister', 'legacy', KEYS.current.id]) expect(error.message).not.toContain(other);
    const legacy = await brokerError(httpClient(stack, keyOf('legacy')).token(MP));
    expect(legacy.message).toContain('no scope');
  });

  test('a key scoped to some appids lists only those, and walks past ones not authorized', async () => {
    const page = await httpClient(stack, keyOf('lister')).listAuthorizers({ limit: 10 });
    expect(page.authorizers.map((a) => a.appid)).toEqual([MP]);
    expect(await httpClient(stack, keyOf('lister')).listAuthorizers({ after: page.next ?? '' })).toEqual({
      authorizers: [],
      next: null,
    });
    const all = await httpClient(stack).listAuthorizers({ limit: 10 });
    expect(all.authorizers.map((a) => a.appid).sort()).toEqual([MP, OA].sort());
  });
});

describe('function secrets carry scopes too', () => {
  const invoke = (secretValue: string, op: string, input: object) =>
    stack.cloud
      .newInstance('authorization')
      .invoke({ broker: { secret: secretValue, op, input } }, { SOURCE: 'scf' }) as Promise<BrokerCallResult>;

  test("a named secret gets its scope; BROKER_SECRET in today's shape may only list", async () => {
    const fn = secret('fn-messaging');
    expect(await invoke(fn, 'call', { appid: MP, ...send })).toMatchObject({ ok: true });
    expect(await invoke(fn, 'token', { appid: MP })).toMatchObject({
      ok: false,
      error: { code: 'SCOPE_DENIED', scope: 'operation' },
    });
    expect(await invoke(fn, 'call', { appid: OA, ...send })).toMatchObject({
      ok: false,
      error: { code: 'SCOPE_DENIED', scope: 'appid' },
    });
    const old = secret('old-shared');
    expect(await invoke(old, 'listAuthorizers', {})).toMatchObject({ ok: true });
    expect(await invoke(old, 'token', { appid: MP })).toMatchObject({ ok: false, error: { code: 'SCOPE_DENIED' } });
  });
});

describe('component-level APIs: a closed list', () => {
  test.each(Object.keys(COMPONENT_APIS))('%s is served with the component token', async (path) => {
    const client = httpClient(stack);
    const request =
      path === '/wxa/addtotemplate'
        ? { method: 'POST' as const, path, json: { draft_id: 11, template_type: 0 } }
        : path === '/wxa/deletetemplate'
          ? { method: 'POST' as const, path, json: { template_id: 1 } }
          : path === '/cgi-bin/openapi/quota/get'
            ? { method: 'POST' as const, path, json: { cgi_path: '/wxa/commit' } }
            : { method: 'GET' as const, path };
    const answer = await client.componentCall(request);
    expect(answer.json()).toMatchObject({ errcode: 0 });
  });

  const OFF_LIST = [
    ...Object.keys(NEVER_SERVED),
    '/cgi-bin/component/api_get_authorizer_option',
    '/cgi-bin/component/setprivacysetting',
    '/sns/component/jscode2session',
    '/cgi-bin/openapi/rid/get',
    '/cgi-bin/get_api_domain_ip',
  ];
  test.each(OFF_LIST)('%s is refused on the component route with no WeChat call', async (path) => {
    stack.openPlatform.resetCalls();
    expect(await outcome(httpClient(stack).componentCall({ method: 'POST', path, json: {} }))).toBe('API_NOT_SERVED');
    expect(stack.openPlatform.calls.length + stack.openPlatform.authorizerCalls.length).toBe(0);
  });

  test('an answer carrying token fields is scrubbed, every closed-list API and an authorizer API', async () => {
    const tokenDoc = await docById<{ refreshToken: string }>(stack, 'authorizerTokens', MP);
    const leak = {
      authorizer_refresh_token: [tokenDoc?.refreshToken],
      AccessToken: 'leaked-camel',
      jsapi_ticket: 'leaked-ticket',
      session_key: 'leaked-session',
      nested: { authorizer_access_token: 'leaked-access', list: [{ refresh_token: 'leaked-refresh' }] },
      component_access_token: 'leaked-component',
      pre_auth_code: 'preauthcode@@@leaked',
    };
    const leaked = [
      'leaked-camel',
      'leaked-ticket',
      'leaked-session',
      'leaked-access',
      'leaked-refresh',
      'leaked-component',
      'preauthcode@@@leaked',
      tokenDoc?.refreshToken ?? '-',
    ];
    const client = httpClient(stack);
    for (const path of ['/wxa/gettemplatelist', '/wxa/gettemplatedraftlist']) {
      stack.openPlatform.authorizerApiFaults.inject({ path, extra: leak });
      const text = (await client.componentCall({ method: 'GET', path })).text();
      for (const value of leaked) expect(text).not.toContain(value);
      expect(JSON.parse(text)).toMatchObject({
        errcode: 0,
        authorizer_refresh_token: '***',
        nested: { list: [{ refresh_token: '***' }] },
      });
    }
    stack.openPlatform.authorizerApiFaults.inject({ path: '/cgi-bin/get_api_domain_ip', extra: leak });
    const text = (await client.call(MP, { method: 'GET', path: '/cgi-bin/get_api_domain_ip' })).text();
    for (const value of leaked) expect(text).not.toContain(value);
    expect(JSON.parse(text).ip_list.length).toBeGreaterThan(0);
    expect(output.text()).not.toContain(tokenDoc?.refreshToken ?? '-');
  });
});

describe('authorizer calls stay authorizer calls', () => {
  test.each([
    '/cgi-bin/component/api_query_auth',
    '/cgi-bin/component/api_authorizer_token',
    '/cgi-bin/component/api_get_authorizer_list',
    '/wxa/gettemplatelist',
    '/sns/component/jscode2session',
    '/cgi-bin/token',
    '/cgi-bin/Component/api_query_auth',
    '/CGI-BIN/openapi/rid/get',
    '/wxa/component/fastregisterbetaweapp',
    '/cgi-bin/component./api_get_authorizer_list',
  ])('/broker/call/<appid>%s is refused: no WeChat call, no token refresh', async (path) => {
    const before = await docById<{ accessToken: string }>(stack, 'authorizerTokens', MP);
    stack.openPlatform.resetCalls();
    expect(await outcome(httpClient(stack).call(MP, { method: 'POST', path, json: {} }))).toMatch(
      /^(API_NOT_SERVED|INVALID_INPUT)$/,
    );
    expect(stack.openPlatform.calls.length + stack.openPlatform.authorizerCalls.length).toBe(0);
    expect((await docById<{ accessToken: string }>(stack, 'authorizerTokens', MP))?.accessToken).toBe(before?.accessToken);
  });
});

describe('a refused authorization costs WeChat nothing', () => {
  test('needs_reauth: refused with 0 calls until the probe interval, then one probe', async () => {
    const client = httpClient(stack);
    const path = '/cgi-bin/get_api_domain_ip';
    stack.openPlatform.authorizerApiFaults.inject({ path, errcode: 61003 });
    expect(await outcome(client.call(MP, { method: 'GET', path }))).toBe('AUTHORIZER_UNAVAILABLE');
    stack.openPlatform.resetCalls();
    for (let i = 0; i < 5; i++) {
      const error = await brokerError(client.token(MP));
      expect(error).toMatchObject({ code: 'AUTHORIZER_UNAVAILABLE', state: 'needs_reauth' });
      expect(await outcome(client.call(MP, { method: 'GET', path }))).toBe('AUTHORIZER_UNAVAILABLE');
    }
    expect(stack.openPlatform.calls.length + stack.openPlatform.authorizerCalls.length).toBe(0);
    // The probe interval passes: one instance asks WeChat once, which here accepts the refresh token.
    stack.clock.advance(601);
    const calls = await Promise.all([1, 2, 3].map(() => outcome(client.call(MP, { method: 'GET', path }))));
    expect(calls).toContain('ok');
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(1);
  });

  test('revoked: refused with 0 calls', async () => {
    await stack.openPlatform.revoke(OA);
    const client = httpClient(stack, keyOf('tokens'));
    stack.openPlatform.resetCalls();
    for (let i = 0; i < 3; i++) {
      const error = await brokerError(client.token(OA));
      expect(error).toMatchObject({ code: 'AUTHORIZER_UNAVAILABLE', state: 'revoked' });
    }
    expect(stack.openPlatform.calls.length + stack.openPlatform.authorizerCalls.length).toBe(0);
  });
});

test('a scope with component must cover every appid; a malformed scope is named, never echoed', () => {
  const problems = (keys: unknown) => {
    try {
      loadConfig({ ...stack.functionEnv, BROKER_CLIENT_KEYS: JSON.stringify(keys) });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const key = keyOf('narrow');
  expect(problems([{ ...key, scope: { ops: ['component'], apis: ['/wxa/'], appids: [MP] } }])).toContain('appids "*"');
  expect(problems([{ ...key, scope: { ops: ['call'], apis: ['/wxa/../cgi-bin/'] } }])).toContain('scope apis');
  expect(problems([{ ...key, scope: { ops: ['everything'] } }])).toContain('scope ops');
  expect(problems([{ ...key, scope: { ops: ['everything'] } }])).not.toContain(key.secret);
  expect(problems([{ ...key, scope: { ops: ['call'], apis: ['/wxa/'] } }])).toBe('');
});

test('the admin page sees every caller, its scope and its usage; the health page warns of scope-less ones', async () => {
  const { callers } = dataOf(await act(stack, ADMIN, 'brokerCallers', {}));
  const messaging = callers.find((c: { id: string }) => c.id === 'messaging');
  expect(messaging).toMatchObject({ way: 'http', legacyScope: false, scope: SCOPED.messaging });
  // The matrix made ten requests with it, nine refused; one more refusal named its own scope.
  expect(messaging.totals).toMatchObject({ calls: 11, refused: 10 });
  expect(messaging.usage.find((u: { api: string }) => u.api === '/cgi-bin/message/custom/send')).toMatchObject({
    calls: expect.any(Number),
  });
  expect(callers.find((c: { id: string }) => c.id === 'BROKER_SECRET')).toMatchObject({ way: 'function', legacyScope: true });
  // Refused before its path was in scope, a request is counted under its operation: no row per made-up path.
  const legacy = callers.find((c: { id: string }) => c.id === 'legacy');
  expect(legacy.usage.map((u: { api: string }) => u.api).sort()).toEqual([
    'call',
    'componentCall',
    'listAuthorizers',
    'reportRejected',
    'token',
  ]);
  expect(JSON.stringify(callers)).not.toContain('-secret-');
  const health = dataOf(await act(stack, ADMIN, 'platformHealth', {}));
  expect(health.broker.legacyScope.sort()).toEqual(['BROKER_SECRET', 'legacy']);
  expect(await act(stack, MERCHANT, 'brokerCallers', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
});
