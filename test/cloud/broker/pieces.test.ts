/**
 * The broker's pure pieces: request signing (a fixed vector, and every part of the request
 * matters), WeChat path checks against attempts to leave the API host, and token scrubbing.
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalQuery, sign, signatureMatches, type SignedParts } from '../../../clients/broker-client/src';
import type { BrokerScope } from '../../../clients/broker-client/src';
import { scrub, scrubSecretFields } from '../../../cloudfunctions/authorization/src/broker/proxy';
import {
  checkScope,
  LEGACY_SCOPE,
  prefixCovers,
  type BrokerCaller,
} from '../../../cloudfunctions/authorization/src/broker/scope';
import { BrokerRefusal } from '../../../cloudfunctions/authorization/src/broker/refusal';
import {
  checkQuery,
  checkWeChatPath,
  permissionSetOf,
  targetUrl,
} from '../../../cloudfunctions/authorization/src/broker/wechatPath';

const SECRET = 'k'.repeat(40);
const parts: SignedParts = {
  method: 'post',
  path: '/broker/call/wx1234567890abcdef/wxa/getwxacodeunlimit',
  query: { b: '2', a: 'x y/ü' },
  timestamp: 1_796_000_000,
  nonce: 'abcdefghijklmnop',
  body: Buffer.from('{"scene":"a=1"}'),
};

test('the signature is HMAC-SHA256 over the documented canonical request', () => {
  const bodyHash = createHash('sha256').update('{"scene":"a=1"}').digest('hex');
  const canonical = [
    'BROKER1-HMAC-SHA256',
    'POST',
    parts.path,
    'a=x%20y%2F%C3%BC&b=2',
    '1796000000',
    'abcdefghijklmnop',
    bodyHash,
  ].join('\n');
  expect(sign(SECRET, parts)).toBe(createHmac('sha256', SECRET).update(canonical).digest('hex'));
  expect(canonicalQuery({ z: '1', a: '2', m: '' })).toBe('a=2&m=&z=1');
});

test('changing any signed part, or the key, breaks the signature', () => {
  const good = sign(SECRET, parts);
  expect(signatureMatches(SECRET, parts, good)).toBe(true);
  expect(signatureMatches(SECRET, parts, good.toUpperCase())).toBe(true);
  const variants: SignedParts[] = [
    { ...parts, method: 'GET' },
    { ...parts, path: `${parts.path}x` },
    { ...parts, query: { ...parts.query, c: '3' } },
    { ...parts, timestamp: parts.timestamp + 1 },
    { ...parts, nonce: 'abcdefghijklmnoq' },
    { ...parts, body: Buffer.from('{"scene":"a=2"}') },
  ];
  for (const variant of variants) expect(signatureMatches(SECRET, variant, good)).toBe(false);
  expect(signatureMatches(`${SECRET}x`, parts, good)).toBe(false);
  expect(signatureMatches(SECRET, parts, good.slice(0, 63))).toBe(false);
  expect(signatureMatches(SECRET, parts, '')).toBe(false);
});

test('paths that could leave the API host or climb out are refused; plain ones stay on the host', () => {
  const bad = [
    '',
    'wxa/x',
    '//evil.example/x',
    '/../x',
    '/a/../b',
    '/a/./b',
    '/a//b',
    '/a%2fb',
    '/a\\b',
    '/a:b',
    '/a?b=1',
    '/a#b',
    '/@evil',
    `/${'a'.repeat(65)}`,
  ];
  for (const path of bad) expect(() => checkWeChatPath(path)).toThrow(BrokerRefusal);
  expect(checkWeChatPath('/cgi-bin/account/getaccountbasicinfo')).toBe('/cgi-bin/account/getaccountbasicinfo');
  const url = targetUrl(
    'https://api.weixin.qq.com',
    '/wxa/getwxacodeunlimit',
    { a: '1&access_token=x' },
    { param: 'access_token', value: 'T' },
  );
  expect(url.origin).toBe('https://api.weixin.qq.com');
  expect(url.searchParams.getAll('access_token')).toEqual(['T']);
  expect(url.searchParams.get('a')).toBe('1&access_token=x');
});

test('a caller never sends a token parameter of its own', () => {
  for (const key of ['access_token', 'ACCESS_TOKEN', 'component_access_token'])
    expect(() => checkQuery({ [key]: 'x' })).toThrow(BrokerRefusal);
  expect(() => checkQuery({ 'a b': '1' })).toThrow(BrokerRefusal);
  expect(checkQuery({ type: 'image' })).toEqual({ type: 'image' });
});

test('every echo of a token we sent is scrubbed, in text and in bytes', () => {
  const body = Buffer.from('{"errmsg":"bad TOKEN-1 and TOKEN-2, again TOKEN-1"}');
  const clean = scrub({ status: 200, contentType: 'application/json', body }, ['TOKEN-1', 'TOKEN-2']);
  expect(clean.body.toString()).toBe('{"errmsg":"bad *** and ***, again ***"}');
  const binary = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from('TOKEN-1'), Buffer.from([0xff, 0xd9])]);
  expect(scrub({ status: 200, contentType: 'image/jpeg', body: binary }, ['TOKEN-1']).body).toEqual(
    Buffer.from([0xff, 0xd8, 0x2a, 0x2a, 0x2a, 0xff, 0xd9]),
  );
});

test('the permission set of an API depends on the account kind where it differs', () => {
  expect(permissionSetOf('/cgi-bin/message/custom/send', 'official_account')).toBe(1);
  expect(permissionSetOf('/cgi-bin/message/custom/send', 'mini_program')).toBe(19);
  expect(permissionSetOf('/cgi-bin/message/custom/send', undefined)).toBeUndefined();
  expect(permissionSetOf('/wxa/getwxacodeunlimit', undefined)).toBe(17);
  expect(permissionSetOf('/cgi-bin/unknown', 'mini_program')).toBeUndefined();
});

describe('scopes', () => {
  const caller = (scope: BrokerScope): BrokerCaller => ({ way: 'http', id: 'k1', scope, legacyScope: false });
  const denial = (run: () => void) => {
    try {
      run();
      return 'allowed';
    } catch (error) {
      return error instanceof BrokerRefusal ? `${error.body.code}:${error.body.scope}` : 'other';
    }
  };

  test('a prefix covers whole segments only; / covers everything', () => {
    expect(prefixCovers('/wxa/commit', '/wxa/commit')).toBe(true);
    expect(prefixCovers('/wxa/commit', '/wxa/commit/x')).toBe(true);
    expect(prefixCovers('/wxa/commit', '/wxa/commit_x')).toBe(false);
    expect(prefixCovers('/wxa/', '/wxa/commit')).toBe(true);
    expect(prefixCovers('/wxa/', '/wxaapi/x')).toBe(false);
    expect(prefixCovers('/wxa', '/wxaapi/x')).toBe(false);
    expect(prefixCovers('/', '/anything/at/all')).toBe(true);
    expect(prefixCovers('/cgi-bin/message/', '/CGI-BIN/message/custom/send')).toBe(false);
  });

  test('operation first, then appid, then API; silent parts deny', () => {
    const scoped = caller({ ops: ['call'], apis: ['/cgi-bin/message/'], appids: ['wx1111111111111111'] });
    const call = (appid: string, path: string) => () => checkScope(scoped, 'call', { appid, method: 'GET', path });
    expect(denial(call('wx1111111111111111', '/cgi-bin/message/custom/send'))).toBe('allowed');
    expect(denial(call('wx2222222222222222', '/cgi-bin/message/custom/send'))).toBe('SCOPE_DENIED:appid');
    expect(denial(call('wx1111111111111111', '/wxa/commit'))).toBe('SCOPE_DENIED:api');
    expect(denial(() => checkScope(scoped, 'token', { appid: 'wx1111111111111111' }))).toBe('SCOPE_DENIED:operation');
    expect(
      denial(() =>
        checkScope(caller({ ops: ['call'], apis: [], appids: '*' }), 'call', {
          appid: 'wx1111111111111111',
          method: 'GET',
          path: '/x',
        }),
      ),
    ).toBe('SCOPE_DENIED:api');
    expect(denial(() => checkScope(caller(LEGACY_SCOPE), 'listAuthorizers', {}))).toBe('allowed');
  });

  test('ship needs the operation and every appid (a job spans merchants); it needs no API prefix', () => {
    const status = { action: 'status', jobId: 'ship-000000000000000000000000' } as const;
    expect(denial(() => checkScope(caller({ ops: ['ship'], apis: [], appids: '*' }), 'ship', status))).toBe('allowed');
    expect(denial(() => checkScope(caller({ ops: ['list'], apis: [], appids: '*' }), 'ship', status))).toBe(
      'SCOPE_DENIED:operation',
    );
    expect(denial(() => checkScope(caller({ ops: ['ship'], apis: [], appids: ['wx1111111111111111'] }), 'ship', status))).toBe(
      'SCOPE_DENIED:appid',
    );
  });

  test('credential fields are blanked in JSON answers whatever their spelling or type; other answers pass byte for byte', () => {
    const answer = (body: string, contentType = 'application/json') => ({ status: 200, contentType, body: Buffer.from(body) });
    const leaky = JSON.stringify({ a: { AccessToken: 'x1', list: [{ refresh_token: ['x2'] }] }, jsapi_ticket: 'x3', errcode: 0 });
    const cleaned = scrubSecretFields(answer(leaky, 'text/html')).body.toString();
    expect(cleaned).not.toMatch(/x1|x2|x3/);
    expect(JSON.parse(cleaned)).toMatchObject({ errcode: 0, a: { AccessToken: '***' } });
    const innocent = '{"errcode":0,  "msgid":12345678901234567890}';
    expect(scrubSecretFields(answer(innocent)).body.toString()).toBe(innocent);
    expect(scrubSecretFields(answer('\uFEFF{"token":"x4"}')).body.toString()).not.toContain('x4');
  });
});
