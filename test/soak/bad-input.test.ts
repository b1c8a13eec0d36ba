/**
 * The bad-input corpus: forged, replayed, malformed, oversized and hostile inputs on every HTTP
 * endpoint (push URL, entry page, callback page) and every action. Table-driven: each case says
 * what it sends and what it must get back. For each case: a clear error (a 4xx with a short body,
 * an HTML error page, or `{ok:false, error:{code, message}}` in Chinese), nothing written to any
 * of the six collections, WeChat not called, and the function still serving valid requests.
 */
import type { ActionResult, ErrorCode } from '../../typings/api';
import { FUNCTION_NAME } from '../../emulator/stack';
import { payloadXml, sealCiphertext, sealPush, type SealedPush } from '../helpers/wechat-push';
import { request, withQuery, type HttpAnswer } from './requests';
import { dataOf, silenceFunctionOutput, startSoakStack, type Silencer, type SoakStack } from './soak-stack';

jest.setTimeout(60_000);

const MERCHANT = 'o-corpus-merchant-a';
const OTHER = 'o-corpus-merchant-b';
const ADMIN = 'o-corpus-admin';
const OTHER_PLATFORM = 'wx00000000000000aa';
const CHINESE = /[\u4e00-\u9fff]/;

let stack: SoakStack;
let silencer: Silencer;
/** A pending PC session of MERCHANT, an authorized session of each merchant, their accounts. */
const fixture = {
  pendingSession: '',
  mySession: '',
  otherSession: '',
  myAppid: '',
  otherAppid: '',
  /** The plaintext of the `authorized` push WeChat sent for MERCHANT's account. */
  authorizedPlaintext: '',
  /** A ticket push we delivered, byte for byte. */
  ticketPush: undefined as SealedPush | undefined,
};

const component = () => stack.openPlatform.component;
const pushUrl = (query: Record<string, string> = {}) => withQuery(`${stack.publicBaseUrl}/push`, query);
const post = (
  sealed: SealedPush,
  override: Partial<{ query: Record<string, string>; body: string | Buffer; contentType: string }> = {},
) => request('POST', pushUrl(override.query ?? sealed.query), override.body ?? sealed.body, override.contentType ?? 'text/xml');

function ticketPlaintext(extra: Record<string, string | number> = {}): string {
  return payloadXml({
    AppId: component().appId,
    CreateTime: stack.clock.nowSeconds(),
    InfoType: 'component_verify_ticket',
    ComponentVerifyTicket: `ticket@@@corpus${Math.random().toString(36).slice(2)}${'x'.repeat(60)}`,
    ...extra,
  });
}
const freshTicket = (options = {}) => sealPush(component(), ticketPlaintext(), options);

/** A signed envelope around `inner` (for bodies that must pass the signature check first). */
function signedEnvelope(inner: string): SealedPush {
  const ciphertext = 'A'.repeat(44);
  return { ...sealCiphertext(component(), ciphertext), body: inner.replace('{{ENCRYPT}}', ciphertext) };
}

const BOMB_DTD =
  '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">' +
  '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>';
const XXE_DTD = '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
const CONTROL_CHARS = 'a\u0000b\u0007c\u001b[2J\u202e\u200bd';
const WELL_FORMED_BOGUS_CODE = `queryauthcode@@@${'Bogus-Code_'.repeat(8)}`;

// ---------------------------------------------------------------------------------------------
// Cases

type Answer = { http: HttpAnswer } | { action: ActionResult<never> };

interface Case {
  name: string;
  send: () => Promise<Answer>;
  /** HTTP status, or the action error code. */
  expected: number | ErrorCode;
}

const http = async (pending: Promise<HttpAnswer>): Promise<Answer> => ({ http: await pending });
/** Whatever event the mini-program side could put into callFunction, as `openid` (`null`: no identity at all). */
const event = async (data: unknown, openid: string | null = MERCHANT): Promise<Answer> => ({
  action: (await stack.cloud.callFunction(FUNCTION_NAME, data, openid === null ? {} : { openid })) as ActionResult<never>,
});
const act = (action: string, payload: unknown, openid: string | null = MERCHANT) => event({ action, payload }, openid);

const pushCases: Case[] = [
  { name: 'push signed with another token', send: () => http(post(freshTicket({ token: 'notTheRealToken42' }))), expected: 403 },
  {
    name: 'push with the signature of another message',
    send: () => {
      const [real, other] = [freshTicket(), freshTicket()];
      return http(post(real, { query: { ...real.query, msg_signature: other.query.msg_signature, nonce: other.query.nonce } }));
    },
    expected: 403,
  },
  {
    name: 'replayed ticket push with a new timestamp',
    send: () =>
      http(
        post(fixture.ticketPush!, {
          query: { ...fixture.ticketPush!.query, timestamp: String(Number(fixture.ticketPush!.query.timestamp) + 60) },
        }),
      ),
    expected: 403,
  },
  {
    name: 'push with another appid in the ciphertext trailer',
    send: () => http(post(freshTicket({ receiveId: OTHER_PLATFORM }))),
    expected: 403,
  },
  {
    name: 'push whose payload names another platform',
    send: () => http(post(sealPush(component(), ticketPlaintext({ AppId: OTHER_PLATFORM })))),
    expected: 403,
  },
  {
    name: 'push whose envelope AppId is another platform',
    send: () => http(post(freshTicket({ envelopeAppId: OTHER_PLATFORM }))),
    expected: 403,
  },
  {
    name: 'push encrypted with another EncodingAESKey',
    send: () => http(post(freshTicket({ encodingAesKey: 'B'.repeat(43) }))),
    expected: 400,
  },
  ...(['timestamp', 'nonce', 'msg_signature'] as const).map((missing): Case => ({
    name: `push without ${missing}`,
    send: () => {
      const sealed = freshTicket();
      const { [missing]: _dropped, ...query } = sealed.query;
      return http(post(sealed, { query }));
    },
    expected: 400,
  })),
  {
    name: 'push body truncated in the middle',
    send: () => {
      const sealed = freshTicket();
      return http(post(sealed, { body: sealed.body.slice(0, Math.floor(sealed.body.length / 2)) }));
    },
    expected: 400,
  },
  {
    name: 'push ciphertext truncated (and re-signed)',
    send: () => {
      const whole = freshTicket();
      const ciphertext = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(whole.body)![1];
      return http(post(sealCiphertext(component(), ciphertext.slice(0, 40))));
    },
    expected: 400,
  },
  {
    name: 'push body over 64 KiB (under the runtime limit)',
    send: () => http(post(freshTicket(), { body: `<xml><Encrypt>${'A'.repeat(70 * 1024)}</Encrypt></xml>` })),
    expected: 413,
  },
  {
    name: 'push body over the runtime 100 KB text limit',
    send: () => http(post(freshTicket(), { body: `<xml><Encrypt>${'A'.repeat(120 * 1024)}</Encrypt></xml>` })),
    expected: 413,
  },
  {
    name: 'binary push body over 64 KiB (arrives base64-encoded)',
    send: () => http(post(freshTicket(), { body: Buffer.alloc(80 * 1024, 7), contentType: 'application/octet-stream' })),
    expected: 413,
  },
  {
    name: 'XML bomb in the envelope',
    send: () => http(post(freshTicket(), { body: `${BOMB_DTD}<xml><AppId>&e;</AppId><Encrypt>x</Encrypt></xml>` })),
    expected: 400,
  },
  {
    name: 'external entity in the envelope',
    send: () => http(post(freshTicket(), { body: `${XXE_DTD}<xml><AppId>&xxe;</AppId><Encrypt>x</Encrypt></xml>` })),
    expected: 400,
  },
  {
    name: 'DOCTYPE before a signed envelope',
    send: () => {
      const sealed = signedEnvelope('<!DOCTYPE xml><xml><Encrypt><![CDATA[{{ENCRYPT}}]]></Encrypt></xml>');
      return http(post(sealed));
    },
    expected: 400,
  },
  {
    name: 'XML bomb inside a correctly signed and encrypted payload',
    send: () =>
      http(post(sealPush(component(), `${BOMB_DTD}<xml><AppId>&e;</AppId><InfoType>component_verify_ticket</InfoType></xml>`))),
    expected: 400,
  },
  {
    name: 'external entity inside a correctly signed and encrypted payload',
    send: () =>
      http(
        post(
          sealPush(
            component(),
            `${XXE_DTD}<xml><AppId>${component().appId}</AppId><ComponentVerifyTicket>&xxe;</ComponentVerifyTicket></xml>`,
          ),
        ),
      ),
    expected: 400,
  },
  {
    name: 'decrypted payload that is not XML',
    send: () => http(post(sealPush(component(), 'ComponentVerifyTicket=ticket@@@x'))),
    expected: 400,
  },
  {
    name: 'push body that is not XML',
    send: () => http(post(freshTicket(), { body: 'hello, this is not xml', contentType: 'text/plain' })),
    expected: 400,
  },
  {
    name: 'push body in JSON',
    send: () =>
      http(
        post(freshTicket(), {
          body: JSON.stringify({ AppId: component().appId, Encrypt: 'x' }),
          contentType: 'application/json',
        }),
      ),
    expected: 400,
  },
  { name: 'empty push body', send: () => http(post(freshTicket(), { body: '' })), expected: 400 },
  {
    name: 'envelope with two Encrypt elements',
    send: () =>
      http(
        post(signedEnvelope('<xml><Encrypt><![CDATA[{{ENCRYPT}}]]></Encrypt><Encrypt><![CDATA[{{ENCRYPT}}]]></Encrypt></xml>')),
      ),
    expected: 400,
  },
  {
    name: 'binary push body that is not XML either',
    send: () =>
      http(post(freshTicket(), { body: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x3c]), contentType: 'application/octet-stream' })),
    expected: 400,
  },
  {
    name: 'POST to the entry page (any POST is a push) without a signature',
    send: () => http(request('POST', `${stack.publicBaseUrl}/entry?sid=${fixture.pendingSession}`, 'x')),
    expected: 400,
  },
];

const methodCases: Case[] = [
  ...(['PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const).map((method): Case => ({
    name: `${method} on the push URL`,
    send: () => http(request(method, pushUrl(freshTicket().query), freshTicket().body)),
    expected: 404,
  })),
  { name: 'GET on the push URL', send: () => http(request('GET', pushUrl(freshTicket().query))), expected: 404 },
  {
    name: 'HEAD on the entry page',
    send: () => http(request('HEAD', `${stack.publicBaseUrl}/entry?sid=${fixture.pendingSession}`)),
    expected: 404,
  },
  {
    name: 'PUT on the callback page',
    send: () => http(request('PUT', `${stack.publicBaseUrl}/callback?sid=${fixture.pendingSession}&auth_code=x`, 'x')),
    expected: 404,
  },
];

const entry = (query: string) => http(request('GET', `${stack.publicBaseUrl}/entry${query}`));
const callback = (sid: string | undefined, code: string | undefined) => {
  const query = new URLSearchParams();
  if (sid !== undefined) query.set('sid', sid);
  if (code !== undefined) query.set('auth_code', code);
  return http(request('GET', `${stack.publicBaseUrl}/callback?${query.toString()}`));
};

const pageCases: Case[] = [
  { name: 'entry page without sid', send: () => entry(''), expected: 404 },
  {
    name: 'entry page with sid ../../etc/passwd',
    send: () => entry(`?sid=${encodeURIComponent('../../etc/passwd')}`),
    expected: 404,
  },
  { name: 'entry page with sid {"$where":…}', send: () => entry(`?sid=${encodeURIComponent('{"$where":"1"}')}`), expected: 404 },
  { name: 'entry page with an unknown sid', send: () => entry(`?sid=${'0'.repeat(32)}`), expected: 404 },
  { name: 'entry page with a 10 000-character sid', send: () => entry(`?sid=${'a'.repeat(10_000)}`), expected: 404 },
  {
    name: 'entry page with control characters in sid',
    send: () => entry(`?sid=${encodeURIComponent(CONTROL_CHARS)}`),
    expected: 404,
  },
  { name: 'callback without auth_code', send: () => callback(fixture.pendingSession, undefined), expected: 400 },
  {
    name: 'callback with a 600-character auth_code',
    send: () => callback(fixture.pendingSession, `queryauthcode@@@${'a'.repeat(600)}`),
    expected: 400,
  },
  {
    name: 'callback with auth_code <script>',
    send: () => callback(fixture.pendingSession, '<script>alert(1)</script>'),
    expected: 400,
  },
  { name: "callback with auth_code ' OR 1=1 --", send: () => callback(fixture.pendingSession, "' OR 1=1 --"), expected: 400 },
  {
    name: 'callback with auth_code {"$where":…}',
    send: () => callback(fixture.pendingSession, '{"$where":"sleep(1000)"}'),
    expected: 400,
  },
  {
    name: 'callback with control characters in auth_code',
    send: () => callback(fixture.pendingSession, `queryauthcode@@@${CONTROL_CHARS}`),
    expected: 400,
  },
  { name: 'callback with a well-formed code but no sid', send: () => callback(undefined, WELL_FORMED_BOGUS_CODE), expected: 404 },
  {
    name: 'callback with a well-formed code and an unknown sid',
    send: () => callback('f'.repeat(32), WELL_FORMED_BOGUS_CODE),
    expected: 404,
  },
  {
    name: 'callback with a well-formed code and sid ../../',
    send: () => callback('../../', WELL_FORMED_BOGUS_CODE),
    expected: 404,
  },
];

const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) });

const actionCases: Case[] = [
  { name: 'event without action', send: () => event({ payload: {} }), expected: 'UNKNOWN_ACTION' },
  { name: 'unknown action dropDatabase', send: () => act('dropDatabase', {}), expected: 'UNKNOWN_ACTION' },
  { name: 'action __proto__', send: () => act('__proto__', {}), expected: 'UNKNOWN_ACTION' },
  { name: 'action constructor', send: () => act('constructor', {}), expected: 'UNKNOWN_ACTION' },
  {
    name: 'action as an object {"$ne":null}',
    send: () => event({ action: { $ne: null }, payload: {} }),
    expected: 'UNKNOWN_ACTION',
  },
  { name: 'event that is a string', send: () => event('createAuthSession'), expected: 'UNKNOWN_ACTION' },
  { name: 'event that is an array', send: () => event(['createAuthSession', {}]), expected: 'UNKNOWN_ACTION' },
  { name: 'no OPENID (getAppConfig)', send: () => act('getAppConfig', {}, null), expected: 'FORBIDDEN' },
  {
    name: 'no OPENID (createAuthSession)',
    send: () => act('createAuthSession', { authType: 3, channel: 'plugin' }, null),
    expected: 'FORBIDDEN',
  },
  {
    name: 'createAuthSession payload is a string',
    send: () => act('createAuthSession', 'authType=3'),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'createAuthSession payload is an array',
    send: () => act('createAuthSession', [3, 'plugin']),
    expected: 'INVALID_INPUT',
  },
  { name: 'createAuthSession without fields', send: () => act('createAuthSession', {}), expected: 'INVALID_INPUT' },
  {
    name: 'authType as a string "3"',
    send: () => act('createAuthSession', { authType: '3', channel: 'plugin' }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'authType 7 (undefined by WeChat)',
    send: () => act('createAuthSession', { authType: 7, channel: 'plugin' }),
    expected: 'INVALID_INPUT',
  },
  { name: 'authType 3.5', send: () => act('createAuthSession', { authType: 3.5, channel: 'plugin' }), expected: 'INVALID_INPUT' },
  {
    name: 'authType null',
    send: () => act('createAuthSession', { authType: null, channel: 'plugin' }),
    expected: 'INVALID_INPUT',
  },
  { name: 'channel email', send: () => act('createAuthSession', { authType: 3, channel: 'email' }), expected: 'INVALID_INPUT' },
  {
    name: 'channel as an array',
    send: () => act('createAuthSession', { authType: 3, channel: ['plugin'] }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'channel {"$ne":null}',
    send: () => act('createAuthSession', { authType: 3, channel: { $ne: null } }),
    expected: 'INVALID_INPUT',
  },
  {
    name: "bizAppid ' OR 1=1 --",
    send: () => act('createAuthSession', { authType: 3, channel: 'pc', bizAppid: "' OR 1=1 --" }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'bizAppid of 10 000 characters',
    send: () => act('createAuthSession', { authType: 3, channel: 'pc', bizAppid: `wx${'a'.repeat(10_000)}` }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'categoryIds empty',
    send: () => act('createAuthSession', { authType: 3, channel: 'h5', categoryIds: [] }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'categoryIds of strings',
    send: () => act('createAuthSession', { authType: 3, channel: 'h5', categoryIds: ['1'] }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'categoryIds nested [[1]]',
    send: () => act('createAuthSession', { authType: 3, channel: 'h5', categoryIds: [[1]] }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'categoryIds {"$gt":0}',
    send: () => act('createAuthSession', { authType: 3, channel: 'h5', categoryIds: { $gt: 0 } }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'categoryIds with 100 000 entries',
    send: () =>
      act('createAuthSession', {
        authType: 3,
        channel: 'h5',
        categoryIds: Array.from({ length: 100_000 }, (_, i) => (i % 9000) + 1),
      }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'unknown bundleId',
    send: () => act('createAuthSession', { authType: 3, channel: 'plugin', bundleId: 'nope' }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'bundleId ../../',
    send: () => act('createAuthSession', { authType: 3, channel: 'plugin', bundleId: '../../etc/passwd' }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'both categoryIds and bundleId',
    send: () => act('createAuthSession', { authType: 3, channel: 'plugin', categoryIds: [1], bundleId: 'x' }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'an openid smuggled in the payload',
    send: () => act('createAuthSession', { authType: 3, channel: 'plugin', openid: OTHER }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'an own __proto__ key in the payload',
    send: () => act('createAuthSession', JSON.parse('{"authType":3,"channel":"plugin","__proto__":{"isAdmin":true}}')),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'a scalar field holding a 500-deep object',
    send: () => act('getAuthSession', { sessionId: nested(500) }),
    expected: 'INVALID_INPUT',
  },
  { name: 'sessionId as a number', send: () => act('getAuthSession', { sessionId: 12345 }), expected: 'INVALID_INPUT' },
  {
    name: 'sessionId {"$where":…}',
    send: () => act('getAuthSession', { sessionId: { $where: 'this.openid' } }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'sessionId ../../etc/passwd',
    send: () => act('getAuthSession', { sessionId: '../../etc/passwd' }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'sessionId in upper case',
    send: () => act('getAuthSession', { sessionId: fixture.mySession.toUpperCase() }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'sessionId of 200 000 characters',
    send: () => act('getAuthSession', { sessionId: 'a'.repeat(200_000) }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'sessionId with control characters',
    send: () => act('getAuthSession', { sessionId: CONTROL_CHARS }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'sessionId <script>',
    send: () => act('getAuthSession', { sessionId: '<script>alert(1)</script>' }),
    expected: 'INVALID_INPUT',
  },
  {
    name: "another merchant's sessionId",
    send: () => act('getAuthSession', { sessionId: fixture.otherSession }),
    expected: 'NOT_FOUND',
  },
  { name: 'an unknown sessionId', send: () => act('getAuthSession', { sessionId: 'e'.repeat(32) }), expected: 'NOT_FOUND' },
  { name: "another merchant's appid", send: () => act('getAuthorizer', { appid: fixture.otherAppid }), expected: 'NOT_FOUND' },
  { name: 'an unknown appid', send: () => act('getAuthorizer', { appid: 'wx0000000000000001' }), expected: 'NOT_FOUND' },
  { name: "appid wx' OR 1=1", send: () => act('getAuthorizer', { appid: "wx' OR 1=1 --" }), expected: 'INVALID_INPUT' },
  {
    name: 'appid nested in an object',
    send: () => act('getAuthorizer', { appid: { appid: fixture.myAppid } }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'appid as an array',
    send: () => act('getAuthorizer', { appid: [fixture.myAppid, fixture.otherAppid] }),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'listMyAuthorizers for another openid',
    send: () => act('listMyAuthorizers', { openid: OTHER }),
    expected: 'INVALID_INPUT',
  },
  { name: 'getAppConfig with an unknown field', send: () => act('getAppConfig', { isAdmin: true }), expected: 'INVALID_INPUT' },
  { name: 'listAuthorizers by a merchant', send: () => act('listAuthorizers', {}), expected: 'FORBIDDEN' },
  { name: 'reconcile by a merchant', send: () => act('reconcile', {}), expected: 'FORBIDDEN' },
  { name: 'platformHealth by a merchant', send: () => act('platformHealth', {}), expected: 'FORBIDDEN' },
  { name: 'listAuthorizers limit 1000', send: () => act('listAuthorizers', { limit: 1000 }, ADMIN), expected: 'INVALID_INPUT' },
  { name: 'listAuthorizers offset -1', send: () => act('listAuthorizers', { offset: -1 }, ADMIN), expected: 'INVALID_INPUT' },
  {
    name: 'listAuthorizers status {"$ne":…}',
    send: () => act('listAuthorizers', { status: { $ne: 'revoked' } }, ADMIN),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'listAuthorizers kind <script>',
    send: () => act('listAuthorizers', { kind: '<script>' }, ADMIN),
    expected: 'INVALID_INPUT',
  },
  {
    name: '10 000 unknown fields',
    send: () => act('listMyAuthorizers', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`field${i}`, i]))),
    expected: 'INVALID_INPUT',
  },
  {
    name: 'an unknown field with a 5 000-character name',
    send: () => act('listMyAuthorizers', { ['k'.repeat(5000)]: 1 }),
    expected: 'INVALID_INPUT',
  },
];

const CASES: Case[] = [...pushCases, ...methodCases, ...pageCases, ...actionCases];

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  silencer = silenceFunctionOutput();
  stack = await startSoakStack({ adminOpenIds: [ADMIN] });
  const [mine, theirs] = [stack.openPlatform.accounts[0], stack.openPlatform.accounts[2]];
  for (const [openid, account, key] of [
    [MERCHANT, mine, 'my'],
    [OTHER, theirs, 'other'],
  ] as const) {
    const created = dataOf(await stack.call(openid, 'createAuthSession', { authType: 6, channel: 'plugin' }));
    const confirmed = await stack.openPlatform.confirmAuthorization({
      preAuthCode: created.plugin!.preAuthCode,
      authorizerAppid: account.appid,
      channel: 'plugin',
    });
    expect(dataOf(await stack.call(openid, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('authorized');
    if (key === 'my') {
      fixture.mySession = created.sessionId;
      fixture.myAppid = account.appid;
      fixture.authorizedPlaintext = confirmed.push!.plaintext;
    } else {
      fixture.otherSession = created.sessionId;
      fixture.otherAppid = account.appid;
    }
  }
  fixture.pendingSession = dataOf(await stack.call(MERCHANT, 'createAuthSession', { authType: 3, channel: 'pc' })).sessionId;
  fixture.ticketPush = freshTicket();
  expect(await post(fixture.ticketPush)).toMatchObject({ status: 200, body: 'success' });
});

afterAll(async () => {
  await stack?.close();
  silencer?.restore();
});

/** Runs one exchange and checks that no collection changed and WeChat was not called. */
async function expectNothingWritten<T>(attempt: () => Promise<T>): Promise<T> {
  const before = await stack.snapshot();
  const calls = stack.openPlatform.calls.length;
  const result = await attempt();
  expect(await stack.snapshot()).toEqual(before);
  expect(stack.openPlatform.calls.slice(calls)).toEqual([]);
  return result;
}

/** A later valid request still works: an action and a page. */
async function expectStillServing(): Promise<void> {
  expect(dataOf(await stack.call(MERCHANT, 'getAppConfig', {})).componentAppId).toBe(component().appId);
  const page = await request('GET', `${stack.publicBaseUrl}/entry?sid=${fixture.pendingSession}`);
  expect(page.status).toBe(200);
}

function expectClearError(answer: Answer, expected: number | ErrorCode): void {
  if ('action' in answer) {
    const result = answer.action;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(expected);
    expect(result.error.message).toMatch(CHINESE);
    // Short, and never an echo of what was sent.
    expect(result.error.message.length).toBeLessThanOrEqual(120);
    // eslint-disable-next-line no-control-regex -- a NUL sent in must not come back
    expect(result.error.message).not.toMatch(/\$where|<script|\.\.\/|OR 1=1|\u0000|field9999|k{30}/);
    return;
  }
  const { status, body, contentType } = answer.http;
  expect(status).toBe(expected);
  expect(body).not.toMatch(/\bat \w+ \(|Error:|FUNCTIONS_EXECUTE_FAIL|<script>alert/);
  if (contentType.startsWith('text/html')) {
    expect(body).toMatch(/<h1>[^<]*[\u4e00-\u9fff][^<]*<\/h1>/);
    expect(body).toContain('class="error"');
  } else {
    expect(body.length).toBeLessThanOrEqual(120);
  }
}

describe(`bad-input corpus: ${CASES.length} cases, each a clear error with nothing written`, () => {
  test('the corpus is big enough', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c.expected, c] as const))('%s → %s', async (_name, expected, testCase) => {
    const answer = await expectNothingWritten(() => testCase.send());
    expectClearError(answer, expected);
    await expectStillServing();
  });
});

describe('replays and foreign data', () => {
  test('an exact replay of a processed push is acknowledged and creates nothing', async () => {
    const answer = await expectNothingWritten(() => post(fixture.ticketPush!));
    expect(answer).toMatchObject({ status: 200, body: 'success' });
  });

  test('the authorized push re-sent (re-encrypted, new nonce) is acknowledged and exchanges nothing again', async () => {
    const answer = await expectNothingWritten(() => post(sealPush(component(), fixture.authorizedPlaintext)));
    expect(answer).toMatchObject({ status: 200, body: 'success' });
  });

  test("another merchant's session and account look exactly like missing ones (no leak)", async () => {
    const foreignSession = await stack.call(MERCHANT, 'getAuthSession', { sessionId: fixture.otherSession });
    const missingSession = await stack.call(MERCHANT, 'getAuthSession', { sessionId: 'e'.repeat(32) });
    expect(foreignSession).toEqual(missingSession);
    const foreignAccount = await stack.call(MERCHANT, 'getAuthorizer', { appid: fixture.otherAppid });
    const missingAccount = await stack.call(MERCHANT, 'getAuthorizer', { appid: 'wx0000000000000001' });
    expect(foreignAccount).toEqual(missingAccount);
    const mine = dataOf(await stack.call(MERCHANT, 'listMyAuthorizers', {}));
    expect(mine.authorizers.map((a) => a.appid)).toEqual([fixture.myAppid]);
  });

  test('a bogus but well-formed auth_code on a real session: error page, the session stays pending with no failure, only a code-less tombstone is kept', async () => {
    const before = await stack.snapshot();
    const answer = await callback(fixture.pendingSession, WELL_FORMED_BOGUS_CODE);
    if (!('http' in answer)) throw new Error('expected an HTTP answer');
    expect(answer.http.body).toContain('授权未完成');
    expect(answer.http.body).toContain('class="error"');
    const [session] = await stack.docs('authSessions', { _id: fixture.pendingSession });
    expect(session).toMatchObject({ status: 'pending', failure: null, completedAt: null });
    const after = await stack.snapshot();
    // Only the code's record (no code kept, no session bound) and the counter that bounds such attempts.
    expect({ ...after, authCodes: [], rateLimits: [] }).toEqual({ ...before, authCodes: [], rateLimits: [] });
    const added = (after.authCodes as { _id: string }[]).filter(
      (doc) => !(before.authCodes as { _id: string }[]).some((old) => old._id === doc._id),
    );
    expect(added).toEqual([
      expect.objectContaining({ claimState: 'failed', code: null, sessionId: null, callbackSessionId: fixture.pendingSession }),
    ]);
    // The merchant can still finish: the genuine confirmation completes the same session.
    const [doc] = await stack.docs('authSessions', { _id: fixture.pendingSession });
    const confirmed = await stack.openPlatform.confirmAuthorization({
      preAuthCode: doc.preAuthCode,
      authorizerAppid: stack.openPlatform.accounts[1].appid,
      channel: 'pc',
      redirectUri: `${stack.publicBaseUrl}/callback?sid=${fixture.pendingSession}`,
    });
    expect((await request('GET', confirmed.redirectUrl!)).body).toContain('授权成功');
    expect(dataOf(await stack.call(MERCHANT, 'getAuthSession', { sessionId: fixture.pendingSession })).status).toBe('authorized');
  });

  test('after the whole corpus a genuine push is still processed', async () => {
    const before = await stack.count('pushLog');
    expect(await post(freshTicket())).toMatchObject({ status: 200, body: 'success' });
    expect(await stack.count('pushLog')).toBe(before + 1);
  });
});
