/**
 * DESIGN "Pushes" and "Input": a forged or malformed push is rejected with nothing stored; every
 * action validates its input and answers a clear error code + message with nothing written;
 * OPENID comes only from the trusted context. Every case compares a snapshot of every collection
 * before and after, and checks that WeChat was not asked anything.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import { prepareDatabase } from '../../../emulator/stack';
import { withPlaywrightLoaded } from '../../helpers/foreign-zod';
import { payloadXml, sealCiphertext, sealPush } from '../../helpers/wechat-push';
import { httpGet, postPush } from '../helpers/rules-push';
import {
  account,
  act,
  ACTION_NAMES,
  ADMIN,
  allDocs,
  dataOf,
  docById,
  MERCHANT,
  OTHER_MERCHANT,
  snapshot,
  useRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

let stack: RulesStack;
useRulesStack('all', (started) => (stack = started));

beforeAll(async () => {
  // Some real state to protect: a token, a session and an authorized account.
  const { sessionId } = dataOf(await act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'pc' }));
  expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
  const plugin = dataOf(await act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' }));
  await stack.openPlatform.confirmAuthorization({
    preAuthCode: plugin.plugin.preAuthCode,
    authorizerAppid: account(stack, 'official_account').appid,
    channel: 'plugin',
  });
});

/** Runs `attempt` and checks that no collection changed and no WeChat API was called. */
async function expectNothingWritten<T>(attempt: () => Promise<T>): Promise<T> {
  const before = await snapshot(stack);
  stack.openPlatform.resetCalls();
  const result = await attempt();
  expect(await snapshot(stack)).toEqual(before);
  expect(stack.openPlatform.calls).toEqual([]);
  return result;
}

const component = () => stack.openPlatform.component;
const nowSeconds = () => stack.clock.nowSeconds();

function ticketPayload(extra: Record<string, string | number> = {}): string {
  return payloadXml({
    AppId: component().appId,
    CreateTime: nowSeconds(),
    InfoType: 'component_verify_ticket',
    ComponentVerifyTicket: `ticket@@@${'x'.repeat(40)}${Math.random().toString(36).slice(2)}`,
    ...extra,
  });
}

const BOMB_DTD =
  '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">' +
  '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>';

interface PushCase {
  name: string;
  send: () => Promise<{ status: number; body: string }>;
  status: number;
  /** The rejection the backend names (its MessageCryptoError code), when it names one. */
  says?: RegExp;
}

const pushCases: PushCase[] = [
  {
    name: 'forged msg_signature (signed with another token)',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload(), { token: 'notTheRealToken42' })),
    status: 403,
    says: /BAD_SIGNATURE/,
  },
  {
    name: 'a genuine signature of another message',
    send: () => {
      const real = sealPush(component(), ticketPayload());
      const other = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, real, {
        query: { ...real.query, msg_signature: other.query.msg_signature, nonce: other.query.nonce },
      });
    },
    status: 403,
    says: /BAD_SIGNATURE/,
  },
  {
    name: 'a replayed push with a changed timestamp',
    send: () => {
      const real = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, real, {
        query: { ...real.query, timestamp: String(Number(real.query.timestamp) + 1) },
      });
    },
    status: 403,
    says: /BAD_SIGNATURE/,
  },
  {
    name: 'msg_signature in upper case',
    send: () => {
      const real = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, real, {
        query: { ...real.query, msg_signature: real.query.msg_signature.toUpperCase() },
      });
    },
    status: 403,
  },
  {
    name: 'wrong appid trailer inside the ciphertext',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload(), { receiveId: 'wx0000000000000000' })),
    status: 403,
    says: /APPID_MISMATCH/,
  },
  {
    name: 'right trailer but the payload names another platform',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload({ AppId: 'wx0000000000000000' }))),
    status: 403,
  },
  {
    name: 'encrypted with another EncodingAESKey (correctly signed)',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload(), { encodingAesKey: 'B'.repeat(43) })),
    status: 400,
  },
  ...(['timestamp', 'nonce', 'msg_signature'] as const).map((missing): PushCase => ({
    name: `missing query parameter ${missing}`,
    send: () => {
      const sealed = sealPush(component(), ticketPayload());
      const query = { ...sealed.query };
      delete query[missing];
      return postPush(stack.publicBaseUrl, sealed, { query });
    },
    status: 400,
  })),
  {
    name: 'no query parameters at all',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload()), { query: {} }),
    status: 400,
  },
  {
    name: 'malformed envelope XML',
    send: () => {
      const sealed = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, sealed, { rawBody: sealed.body.replace('</Encrypt>', '') });
    },
    status: 400,
    says: /BAD_XML/,
  },
  {
    name: 'malformed XML inside a correctly signed ciphertext',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), '<xml><InfoType>component_verify_ticket</InfoType><AppId>')),
    status: 400,
    says: /BAD_XML/,
  },
  {
    name: 'a DOCTYPE/ENTITY bomb as the envelope',
    send: () => {
      const sealed = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, sealed, {
        rawBody: `${BOMB_DTD}${sealed.body.replace('<Encrypt>', '<Note>&e;</Note><Encrypt>')}`,
      });
    },
    status: 400,
    says: /BAD_XML/,
  },
  {
    name: 'a DOCTYPE/ENTITY bomb inside a correctly signed ciphertext',
    send: () =>
      postPush(
        stack.publicBaseUrl,
        sealPush(component(), `${BOMB_DTD}<xml><AppId>${component().appId}</AppId><InfoType>&e;</InfoType></xml>`),
      ),
    status: 400,
    says: /BAD_XML/,
  },
  {
    name: 'an external entity (XXE) inside a correctly signed ciphertext',
    send: () =>
      postPush(
        stack.publicBaseUrl,
        sealPush(
          component(),
          `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><AppId>${component().appId}</AppId><InfoType>&x;</InfoType></xml>`,
        ),
      ),
    status: 400,
    says: /BAD_XML/,
  },
  {
    name: 'an oversized body (> 64 KiB)',
    send: () => {
      const sealed = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, sealed, {
        rawBody: sealed.body.replace('</xml>', `<Pad>${'A'.repeat(70 * 1024)}</Pad></xml>`),
      });
    },
    status: 413,
  },
  {
    name: 'an oversized plaintext inside a correctly signed ciphertext',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload({ Pad: 'A'.repeat(66 * 1024) }))),
    status: 413,
  },
  {
    name: 'garbage base64 as Encrypt (correctly signed)',
    send: () => postPush(stack.publicBaseUrl, sealCiphertext(component(), 'this is !! not * base64 at all')),
    status: 400,
    says: /INVALID_BASE64/,
  },
  {
    name: 'a truncated ciphertext (correctly signed)',
    send: () => {
      const { encrypt } = sealPush(component(), ticketPayload());
      return postPush(stack.publicBaseUrl, sealCiphertext(component(), encrypt.slice(0, -8)));
    },
    status: 400,
  },
  {
    name: 'a ciphertext with one flipped bit (correctly signed)',
    send: () => {
      const { encrypt } = sealPush(component(), ticketPayload());
      const bytes = Buffer.from(encrypt, 'base64');
      bytes[bytes.length - 20] ^= 0x01;
      return postPush(stack.publicBaseUrl, sealCiphertext(component(), bytes.toString('base64')));
    },
    status: 400,
  },
  {
    name: 'an empty Encrypt',
    send: () => {
      const sealed = sealCiphertext(component(), '');
      return postPush(stack.publicBaseUrl, sealed);
    },
    status: 400,
  },
  {
    name: 'an empty body',
    send: () => postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload()), { rawBody: '' }),
    status: 400,
  },
  {
    name: 'random bytes with a binary content type (arrive base64-encoded)',
    send: () =>
      postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload()), {
        rawBody: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)),
        contentType: 'application/octet-stream',
      }),
    status: 400,
  },
];

describe('pushes: rejected, nothing stored', () => {
  test.each(pushCases.map((c) => [c.name, c] as const))('%s', async (_name, pushCase) => {
    const reply = await expectNothingWritten(pushCase.send);
    expect(reply.status).toBe(pushCase.status);
    expect(reply.body).not.toBe('success');
    if (pushCase.says) expect(reply.body).toMatch(pushCase.says);
  });

  test('the same checks let a genuine push through (the snapshot does see writes)', async () => {
    const before = await snapshot(stack);
    const reply = await postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload()));
    expect(reply).toEqual({ status: 200, body: 'success' });
    expect(await snapshot(stack)).not.toEqual(before);
  });
});

describe('base64 bodies (HTTP access may encode them)', () => {
  test('a valid push sent with a binary content type arrives base64-encoded and is accepted', async () => {
    const before = (await docById(stack, 'platform', component().appId))!.ticketCreatedAt;
    stack.clock.advance(1);
    const reply = await postPush(stack.publicBaseUrl, sealPush(component(), ticketPayload()), {
      contentType: 'application/octet-stream',
    });
    expect(reply).toEqual({ status: 200, body: 'success' });
    expect((await docById(stack, 'platform', component().appId))!.ticketCreatedAt).toBeGreaterThan(before);
  });

  test('an explicit isBase64Encoded event is decoded before the signature check', async () => {
    const sealed = sealPush(component(), ticketPayload({ CreateTime: nowSeconds() + 5 }));
    const instance = stack.cloud.newInstance('authorization');
    const event = (body: string, isBase64Encoded: boolean) => ({
      path: '/wx/push',
      httpMethod: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      queryStringParameters: sealed.query,
      body,
      isBase64Encoded,
    });
    // Left encoded, the body is not XML: rejected, nothing written.
    const undecoded = await expectNothingWritten(() =>
      instance.invoke(event(Buffer.from(sealed.body).toString('base64'), false)),
    );
    expect(undecoded).toMatchObject({ statusCode: 400 });
    const decoded = await instance.invoke(event(Buffer.from(sealed.body).toString('base64'), true));
    expect(decoded).toMatchObject({ statusCode: 200, body: 'success' });
  });

  test('a runtime that base64-encodes every body (forceBase64Body) runs a whole plugin authorization', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-b64-'));
    let runtime: CloudRuntime | undefined;
    const url = stack.openPlatform.component.authEventUrl;
    try {
      runtime = await startCloudRuntime({
        functionsRoot: path.resolve(__dirname, '../../../cloudfunctions'),
        dataDir,
        clock: stack.clock,
        env: { authorization: { ...stack.functionEnv } },
        httpAccess: { '/wx': 'authorization' },
        timers: false,
        forceBase64Body: true,
        log: () => undefined,
      });
      await prepareDatabase(runtime);
      stack.openPlatform.setAuthEventUrl(`${runtime.url}/wx/push`);
      const ticketPush = await stack.openPlatform.pushTicket();
      expect(ticketPush.delivered).toBe(true);
      const session = (await runtime.callFunction(
        'authorization',
        { action: 'createAuthSession', payload: { authType: 2, channel: 'plugin' } },
        { openid: MERCHANT },
      )) as {
        ok: boolean;
        data: { sessionId: string; plugin: { preAuthCode: string } };
      };
      expect(session.ok).toBe(true);
      const mp = account(stack, 'mini_program', 1).appid;
      const confirmed = await stack.openPlatform.confirmAuthorization({
        preAuthCode: session.data.plugin.preAuthCode,
        authorizerAppid: mp,
        channel: 'plugin',
      });
      expect(confirmed.push?.attempts.at(-1)).toMatchObject({ ok: true, body: 'success' });
      const view = await runtime.callFunction(
        'authorization',
        { action: 'getAuthSession', payload: { sessionId: session.data.sessionId } },
        { openid: MERCHANT },
      );
      expect(view).toMatchObject({ ok: true, data: { status: 'authorized', authorizer: { appid: mp } } });
    } finally {
      stack.openPlatform.setAuthEventUrl(url);
      await runtime?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('pushes WeChat may send that the backend does not act on', () => {
  test.each(['notify_third_fasteregister', 'notify_third_fastverifybetaapp', 'some_future_type'])(
    'unknown InfoType %s: success, logged in pushLog as ignored, nothing else written',
    async (infoType) => {
      const before = await snapshot(stack);
      const plaintext = payloadXml({ AppId: component().appId, CreateTime: nowSeconds(), InfoType: infoType, info: 'x' });
      const sealed = sealPush(component(), plaintext);

      expect(await postPush(stack.publicBaseUrl, sealed)).toEqual({ status: 200, body: 'success' });
      expect(await postPush(stack.publicBaseUrl, sealed)).toEqual({ status: 200, body: 'success' });

      const after = await snapshot(stack);
      const logged = (after.pushLog as { _id: string; infoType: string; outcome: string }[]).filter(
        (doc) => !(before.pushLog as { _id: string }[]).some((old) => old._id === doc._id),
      );
      expect(logged).toEqual([expect.objectContaining({ infoType, outcome: 'ignored' })]);
      expect({ ...after, pushLog: [] }).toEqual({ ...before, pushLog: [] });
    },
  );

  test('unauthorized without AuthorizerAppid is acknowledged and ignored', async () => {
    const plaintext = payloadXml({ AppId: component().appId, CreateTime: nowSeconds(), InfoType: 'unauthorized' });
    expect(await postPush(stack.publicBaseUrl, sealPush(component(), plaintext))).toEqual({ status: 200, body: 'success' });
    const logged = (await allDocs(stack, 'pushLog')).filter((doc) => doc.infoType === 'unauthorized');
    expect(logged).toEqual([expect.objectContaining({ outcome: 'ignored' })]);
  });
});

interface ActionCase {
  openid?: string;
  action: unknown;
  payload?: unknown;
  code: string;
  /** The message must name what was wrong. */
  names?: string;
}

const validSession = { authType: 3, channel: 'plugin' };
const hex32 = 'a'.repeat(32);

const invalidInputs: ActionCase[] = [
  { action: 'createAuthSession', payload: { ...validSession, authType: 7 }, code: 'INVALID_INPUT', names: 'authType' },
  { action: 'createAuthSession', payload: { ...validSession, authType: 0 }, code: 'INVALID_INPUT', names: 'authType' },
  { action: 'createAuthSession', payload: { ...validSession, authType: '3' }, code: 'INVALID_INPUT', names: 'authType' },
  { action: 'createAuthSession', payload: { ...validSession, authType: 3.5 }, code: 'INVALID_INPUT', names: 'authType' },
  { action: 'createAuthSession', payload: { ...validSession, authType: { $gt: 0 } }, code: 'INVALID_INPUT', names: 'authType' },
  { action: 'createAuthSession', payload: { authType: 3 }, code: 'INVALID_INPUT', names: 'channel' },
  { action: 'createAuthSession', payload: { ...validSession, channel: 'email' }, code: 'INVALID_INPUT', names: 'channel' },
  { action: 'createAuthSession', payload: { ...validSession, channel: ['plugin'] }, code: 'INVALID_INPUT', names: 'channel' },
  { action: 'createAuthSession', payload: { ...validSession, bizAppid: 'wx123' }, code: 'INVALID_INPUT', names: 'bizAppid' },
  {
    action: 'createAuthSession',
    payload: { ...validSession, bizAppid: 'wx8c41f2a9e6d07b13\n' },
    code: 'INVALID_INPUT',
    names: 'bizAppid',
  },
  { action: 'createAuthSession', payload: { ...validSession, bizAppid: { $gt: '' } }, code: 'INVALID_INPUT', names: 'bizAppid' },
  {
    action: 'createAuthSession',
    payload: { ...validSession, bizAppid: "wx8c41f2a9e6d07b13' OR '1'='1" },
    code: 'INVALID_INPUT',
    names: 'bizAppid',
  },
  { action: 'createAuthSession', payload: { ...validSession, categoryIds: [0] }, code: 'INVALID_INPUT', names: 'categoryIds' },
  { action: 'createAuthSession', payload: { ...validSession, categoryIds: ['1'] }, code: 'INVALID_INPUT', names: 'categoryIds' },
  { action: 'createAuthSession', payload: { ...validSession, categoryIds: [1.5] }, code: 'INVALID_INPUT', names: 'categoryIds' },
  { action: 'createAuthSession', payload: { ...validSession, categoryIds: [] }, code: 'INVALID_INPUT', names: 'categoryIds' },
  { action: 'createAuthSession', payload: { ...validSession, categoryIds: 'all' }, code: 'INVALID_INPUT', names: 'categoryIds' },
  {
    action: 'createAuthSession',
    payload: { ...validSession, categoryIds: [{ $gt: 0 }] },
    code: 'INVALID_INPUT',
    names: 'categoryIds',
  },
  {
    action: 'createAuthSession',
    payload: { ...validSession, categoryIds: Array.from({ length: 201 }, (_, i) => i + 1) },
    code: 'INVALID_INPUT',
    names: 'categoryIds',
  },
  { action: 'createAuthSession', payload: { ...validSession, categoryIds: [1], bundleId: 'basic' }, code: 'INVALID_INPUT' },
  { action: 'createAuthSession', payload: { ...validSession, bundleId: 'no-such-bundle' }, code: 'INVALID_INPUT' },
  {
    action: 'createAuthSession',
    payload: { ...validSession, bundleId: { $ne: null } },
    code: 'INVALID_INPUT',
    names: 'bundleId',
  },
  { action: 'createAuthSession', payload: { ...validSession, openid: OTHER_MERCHANT }, code: 'INVALID_INPUT', names: 'openid' },
  { action: 'createAuthSession', payload: { ...validSession, OPENID: OTHER_MERCHANT }, code: 'INVALID_INPUT', names: 'OPENID' },
  {
    action: 'createAuthSession',
    payload: { ...validSession, userInfo: { openId: OTHER_MERCHANT } },
    code: 'INVALID_INPUT',
    names: 'userInfo',
  },
  { action: 'createAuthSession', payload: { ...validSession, constructor: 'x' }, code: 'INVALID_INPUT', names: 'constructor' },
  { action: 'createAuthSession', payload: 'authType=3&channel=plugin', code: 'INVALID_INPUT' },
  { action: 'createAuthSession', payload: [3, 'plugin'], code: 'INVALID_INPUT' },
  { action: 'createAuthSession', payload: 42, code: 'INVALID_INPUT' },
  { action: 'createAuthSession', payload: null, code: 'INVALID_INPUT', names: 'authType' },
  { action: 'getAuthSession', payload: {}, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: 'abc' }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: { $gt: '' } }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: { $regex: '.*' } }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: 'A'.repeat(32) }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: `${hex32}0` }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: 12345 }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: [hex32] }, code: 'INVALID_INPUT', names: 'sessionId' },
  { action: 'getAuthSession', payload: { sessionId: hex32, openid: OTHER_MERCHANT }, code: 'INVALID_INPUT', names: 'openid' },
  { action: 'getAuthorizer', payload: {}, code: 'INVALID_INPUT', names: 'appid' },
  { action: 'getAuthorizer', payload: { appid: { $gt: '' } }, code: 'INVALID_INPUT', names: 'appid' },
  { action: 'getAuthorizer', payload: { appid: 'wx8c41f2a9e6d07b1' }, code: 'INVALID_INPUT', names: 'appid' },
  { action: 'getAuthorizer', payload: { appid: 'WX8C41F2A9E6D07B13' }, code: 'INVALID_INPUT', names: 'appid' },
  { action: 'getAuthorizer', payload: { appid: 'wx8c41f2a9e6d07b13', owner: MERCHANT }, code: 'INVALID_INPUT', names: 'owner' },
  { action: 'listMyAuthorizers', payload: { openid: OTHER_MERCHANT }, code: 'INVALID_INPUT', names: 'openid' },
  { action: 'getAppConfig', payload: { openid: ADMIN }, code: 'INVALID_INPUT', names: 'openid' },
  { action: 'getAppConfig', payload: { isAdmin: true }, code: 'INVALID_INPUT', names: 'isAdmin' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { kind: 'bank' }, code: 'INVALID_INPUT', names: 'kind' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { status: 'deleted' }, code: 'INVALID_INPUT', names: 'status' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { status: { $ne: null } }, code: 'INVALID_INPUT', names: 'status' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { offset: -1 }, code: 'INVALID_INPUT', names: 'offset' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { offset: 1.5 }, code: 'INVALID_INPUT', names: 'offset' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { limit: 0 }, code: 'INVALID_INPUT', names: 'limit' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { limit: 101 }, code: 'INVALID_INPUT', names: 'limit' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { limit: '10' }, code: 'INVALID_INPUT', names: 'limit' },
  { openid: ADMIN, action: 'listAuthorizers', payload: { where: { status: 'active' } }, code: 'INVALID_INPUT', names: 'where' },
  { openid: ADMIN, action: 'platformHealth', payload: { verbose: true }, code: 'INVALID_INPUT', names: 'verbose' },
  { openid: ADMIN, action: 'reconcile', payload: { force: true }, code: 'INVALID_INPUT', names: 'force' },
];

const unknownActions: ActionCase[] = [
  'dropDatabase',
  'CreateAuthSession',
  '',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  undefined,
  { $gt: '' },
  ['createAuthSession'],
].map((action) => ({ action, payload: validSession, code: 'UNKNOWN_ACTION' }));

const withoutIdentity: ActionCase[] = ACTION_NAMES.map((action) => ({
  openid: '',
  action,
  payload: action === 'createAuthSession' ? { ...validSession, openid: MERCHANT } : {},
  code: 'FORBIDDEN',
}));

const notAdmin: ActionCase[] = ['listAuthorizers', 'platformHealth', 'reconcile', 'startPushTicket', 'releaseStatus'].map(
  (action) => ({
    openid: MERCHANT,
    action,
    payload: {},
    code: 'FORBIDDEN',
  }),
);

describe('actions: clear error, nothing written, WeChat not asked', () => {
  const label = (c: ActionCase) =>
    `${c.openid === '' ? '(no OPENID) ' : ''}${JSON.stringify(c.action)} ${JSON.stringify(c.payload)?.slice(0, 80)}`;

  test.each([...invalidInputs, ...unknownActions, ...withoutIdentity, ...notAdmin].map((c) => [label(c), c] as const))(
    '%s',
    async (_label, c) => {
      const reply = await expectNothingWritten(() => act(stack, c.openid ?? MERCHANT, c.action, c.payload));
      expect(reply.ok).toBe(false);
      if (reply.ok) return;
      expect(reply.error.code).toBe(c.code);
      expect(typeof reply.error.message).toBe('string');
      expect(reply.error.message.length).toBeGreaterThan(3);
      // Shown to people: no parser's English default, and it names the offending field.
      expect(reply.error.message).not.toMatch(/^Invalid input$|: Invalid input$/);
      if (c.names) expect(reply.error.message).toContain(c.names);
    },
  );

  test('an event that is not an object at all', async () => {
    for (const data of ['createAuthSession', [1, 2], 7]) {
      const reply = await expectNothingWritten(() => stack.cloud.callFunction('authorization', data, { openid: MERCHANT }));
      expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
    }
  });

  test('the same actions with valid input do write (so the snapshot can see it)', async () => {
    const before = await snapshot(stack);
    expect((await act(stack, MERCHANT, 'createAuthSession', validSession)).ok).toBe(true);
    expect(await snapshot(stack)).not.toEqual(before);
  });

  test("a session is only ever the caller's: another merchant's id is NOT_FOUND", async () => {
    const { sessionId } = dataOf(await act(stack, MERCHANT, 'createAuthSession', validSession));
    const reply = await expectNothingWritten(() => act(stack, OTHER_MERCHANT, 'getAuthSession', { sessionId }));
    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe("input errors do not depend on zod's global configuration", () => {
  test('with playwright-core loaded in the same process (English zod messages), every message is the same Chinese one', async () => {
    const messages = async () => {
      const found: string[] = [];
      for (const c of invalidInputs) {
        const reply = await act(stack, c.openid ?? MERCHANT, c.action, c.payload);
        found.push(reply.ok ? 'ok' : reply.error.message);
      }
      return found;
    };
    const own = await messages();
    expect(own.every((message) => /[\u4e00-\u9fff]/.test(message))).toBe(true);
    await expect(withPlaywrightLoaded(messages)).resolves.toEqual(own);
  });
});

describe('pages: bad parameters', () => {
  test.each([
    ['entry without sid', '/entry', 404],
    ['entry with a malformed sid', `/entry?sid=${encodeURIComponent('{"$gt":""}')}`, 404],
    ['entry with an unknown sid', `/entry?sid=${hex32}`, 404],
    ['callback without auth_code', `/callback?sid=${hex32}`, 400],
    ['callback with an oversized auth_code', `/callback?sid=${hex32}&auth_code=${'q'.repeat(600)}`, 400],
  ])('%s → %i, nothing written', async (_name, pathAndQuery, status) => {
    const page = await expectNothingWritten(() => httpGet(`${stack.publicBaseUrl}${pathAndQuery}`));
    expect(page.status).toBe(status);
    expect(page.body).toContain('<html');
  });

  test('a forged auth_code on the callback page of a plugin session: refused, no account, the real push still wins', async () => {
    const mp = account(stack, 'mini_program');
    const plugin = dataOf(await act(stack, MERCHANT, 'createAuthSession', validSession));
    const forged = `queryauthcode@@@${'F'.repeat(86)}`;
    const before = (await allDocs(stack, 'authorizers')).length;

    const page = await httpGet(`${stack.publicBaseUrl}/callback?sid=${plugin.sessionId}&auth_code=${forged}`);

    // The plugin never returns through a URL: a callback naming a plugin session is not ours.
    expect(page.status).toBe(404);
    expect(page.body).toContain('没有找到授权');
    expect(page.body).not.toContain(forged);
    expect(await allDocs(stack, 'authorizers')).toHaveLength(before);
    const confirmed = await stack.openPlatform.confirmAuthorization({
      preAuthCode: plugin.plugin.preAuthCode,
      authorizerAppid: mp.appid,
      channel: 'plugin',
    });
    expect(confirmed.push?.delivered).toBe(true);
    expect(dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId: plugin.sessionId })).status).toBe('authorized');
  });
});
