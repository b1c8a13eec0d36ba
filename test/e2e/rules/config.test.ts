/**
 * DESIGN "Secrets": configuration comes from the function's environment variables. Started with
 * a missing or malformed one, the function answers every action with CONFIGURATION naming the
 * variables (never a value), HTTP access with 503, and the timer fails loudly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../../../emulator/clock';
import { startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import { prepareDatabase } from '../../../emulator/stack';
import { DEFAULT_COMPONENT } from '../../../emulator/open-platform';
import { payloadXml, sealPush } from '../../helpers/wechat-push';
import { httpGet, postPush } from '../helpers/rules-push';
import {
  act,
  ACTION_NAMES,
  ADMIN,
  captureOutputOfFile,
  MERCHANT,
  snapshot,
  startRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

/** A complete, valid environment (as the local stack sets it), for a runtime without an emulator. */
const GOOD_ENV: Record<string, string> = {
  COMPONENT_APPID: DEFAULT_COMPONENT.appId,
  COMPONENT_APPSECRET: DEFAULT_COMPONENT.appSecret,
  COMPONENT_TOKEN: DEFAULT_COMPONENT.token,
  ENCODING_AES_KEY: DEFAULT_COMPONENT.encodingAesKey,
  PUBLIC_BASE_URL: 'http://127.0.0.1:9/wx',
  WX_API_BASE_URL: 'http://127.0.0.1:9',
  ADMIN_OPENIDS: ADMIN,
};

const output = captureOutputOfFile();

/** Values that must never appear in a reply or a log line. */
function secretValues(env: Record<string, string>): string[] {
  const names = ['COMPONENT_APPSECRET', 'COMPONENT_TOKEN', 'ENCODING_AES_KEY', 'PREVIOUS_ENCODING_AES_KEY'];
  return names.map((name) => env[name]).filter((value): value is string => !!value && value.length >= 3);
}

describe('a stack whose function lacks its AppSecret and has a malformed EncodingAESKey', () => {
  let stack: RulesStack;
  const badAesKey = 'short-and-Secret-Looking-Value';

  beforeAll(async () => {
    stack = await startRulesStack({
      pushTicketAtStart: false,
      functionEnv: { COMPONENT_APPSECRET: '', ENCODING_AES_KEY: badAesKey },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  test.each(ACTION_NAMES)('%s answers CONFIGURATION naming the variables, no values', async (action) => {
    output.lines.length = 0;
    const reply = await act(
      stack,
      action === 'listAuthorizers' || action === 'platformHealth' || action === 'reconcile' ? ADMIN : MERCHANT,
      action,
      {},
    );

    expect(reply).toMatchObject({ ok: false, error: { code: 'CONFIGURATION' } });
    if (reply.ok) return;
    expect(reply.error.message).toContain('COMPONENT_APPSECRET');
    expect(reply.error.message).toContain('ENCODING_AES_KEY');
    expect(reply.error.message).not.toContain('COMPONENT_TOKEN'); // only what is wrong
    const { appSecret, token, encodingAesKey } = stack.openPlatform.component;
    for (const value of [badAesKey, appSecret, token, encodingAesKey]) {
      expect(JSON.stringify(reply)).not.toContain(value);
      expect(output.text()).not.toContain(value);
    }
    expect(output.text()).toContain('ENCODING_AES_KEY');
  });

  test('even an unknown action or a missing OPENID gets CONFIGURATION', async () => {
    expect(await act(stack, MERCHANT, 'noSuchAction', {})).toMatchObject({ ok: false, error: { code: 'CONFIGURATION' } });
    expect(await act(stack, '', 'getAppConfig', {})).toMatchObject({ ok: false, error: { code: 'CONFIGURATION' } });
  });

  test('HTTP access answers 503 on the push URL and both pages, and stores nothing', async () => {
    const before = await snapshot(stack);
    const { component } = stack.openPlatform;
    const plaintext = payloadXml({
      AppId: component.appId,
      CreateTime: stack.clock.nowSeconds(),
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@abc',
    });
    const push = await postPush(stack.publicBaseUrl, sealPush(component, plaintext));
    expect(push.status).toBe(503);
    expect(push.body).not.toBe('success');
    for (const page of ['/entry?sid=' + 'a'.repeat(32), '/callback?sid=' + 'a'.repeat(32) + '&auth_code=x']) {
      const answer = await httpGet(`${stack.publicBaseUrl}${page}`);
      expect(answer.status).toBe(503);
      expect(answer.body).not.toContain(badAesKey);
    }
    // WeChat's own ticket push is not acknowledged either, so WeChat keeps retrying it.
    const ticket = await stack.openPlatform.pushTicket();
    expect(ticket.delivered).toBe(false);
    expect(ticket.attempts.every((a) => a.status === 503)).toBe(true);
    expect(await snapshot(stack)).toEqual(before);
  });

  test('the timer fails loudly instead of doing half its work', async () => {
    await expect(stack.cloud.triggerTimer('authorization')).rejects.toThrow(/ENCODING_AES_KEY/);
    expect(stack.openPlatform.calls).toEqual([]);
  });
});

describe.each<[string, Record<string, string | undefined>, string[]]>([
  [
    'every variable missing',
    {},
    ['COMPONENT_APPID', 'COMPONENT_APPSECRET', 'COMPONENT_TOKEN', 'ENCODING_AES_KEY', 'PUBLIC_BASE_URL'],
  ],
  ['a malformed appid', { COMPONENT_APPID: 'wx-secretish-value-123' }, ['COMPONENT_APPID']],
  ['a token with symbols', { COMPONENT_TOKEN: 'tok$en!withSymbols' }, ['COMPONENT_TOKEN']],
  ['a 44-character EncodingAESKey', { ENCODING_AES_KEY: `${DEFAULT_COMPONENT.encodingAesKey}Z` }, ['ENCODING_AES_KEY']],
  [
    'a malformed previous EncodingAESKey',
    { PREVIOUS_ENCODING_AES_KEY: 'prevKeyTooShortButSecret' },
    ['PREVIOUS_ENCODING_AES_KEY'],
  ],
  ['a public URL that is not a URL', { PUBLIC_BASE_URL: 'env-id.service.tcloudbase.com/wx' }, ['PUBLIC_BASE_URL']],
  ['a timeout that is not a number', { API_TIMEOUT_MS: 'five-seconds' }, ['API_TIMEOUT_MS']],
  ['a timeout out of range', { API_TIMEOUT_MS: '999999' }, ['API_TIMEOUT_MS']],
  ['malformed required ids', { REQUIRED_CATEGORY_IDS: '1,x,3' }, ['REQUIRED_CATEGORY_IDS']],
  ['bundles that are not JSON', { PERMISSION_BUNDLES: '{bundles:secret-ish}' }, ['PERMISSION_BUNDLES']],
  [
    'a bundle with a bad id',
    { PERMISSION_BUNDLES: JSON.stringify([{ id: 'Bad Id!', name: 'x', categoryIds: [1] }]) },
    ['PERMISSION_BUNDLES'],
  ],
])('started with %s', (_name, change, named) => {
  let runtime: CloudRuntime;
  let dataDir: string;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-config-'));
    const base = Object.keys(change).length === 0 ? {} : GOOD_ENV;
    for (const [name, value] of Object.entries({ ...base, ...change })) if (value !== undefined) env[name] = value;
    runtime = await startCloudRuntime({
      functionsRoot: path.resolve(__dirname, '../../../cloudfunctions'),
      dataDir,
      clock: new Clock(),
      env: { authorization: env },
      httpAccess: { '/wx': 'authorization' },
      timers: false,
      log: () => undefined,
    });
    await prepareDatabase(runtime);
  });
  afterAll(async () => {
    await runtime.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('actions: CONFIGURATION naming exactly the bad variables; HTTP: 503; no value echoed', async () => {
    output.lines.length = 0;
    const replies = await Promise.all(
      ACTION_NAMES.map((action) => runtime.callFunction('authorization', { action, payload: {} }, { openid: ADMIN })),
    );
    const http = await postPush(`${runtime.url}/wx`, {
      query: { timestamp: '1', nonce: '2', msg_signature: '3' },
      body: '<xml/>',
      encrypt: '',
    });

    for (const reply of replies) {
      expect(reply).toMatchObject({ ok: false, error: { code: 'CONFIGURATION' } });
      const message = (reply as { error: { message: string } }).error.message;
      for (const name of named) expect(message).toContain(name);
      const allNames = [
        'COMPONENT_APPID',
        'COMPONENT_APPSECRET',
        'COMPONENT_TOKEN',
        'ENCODING_AES_KEY',
        'PUBLIC_BASE_URL',
        'API_TIMEOUT_MS',
        'REQUIRED_CATEGORY_IDS',
        'PERMISSION_BUNDLES',
      ];
      for (const other of allNames.filter((n) => !named.includes(n))) {
        expect(message.replace(/PREVIOUS_ENCODING_AES_KEY/g, '')).not.toContain(other);
      }
    }
    expect(http.status).toBe(503);
    const everything = JSON.stringify(replies) + http.body + output.text();
    for (const value of Object.values(change)) if (value && value.length >= 6) expect(everything).not.toContain(value);
    for (const value of secretValues(env)) expect(everything).not.toContain(value);
  });
});
