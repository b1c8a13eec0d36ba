/**
 * WeChatShipApi against a small HTTP server that answers as WeChat documents (spec
 * code-management.md): field mapping, errcodes as ShipRefusal, one retry on a rejected token,
 * and no token in what a failure says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShipRefusal } from '../../../cloudfunctions/authorization/src/shipping/api';
import { WeChatShipApi } from '../../../cloudfunctions/authorization/src/shipping/wechatShipApi';

const APPID = 'wx1234567890abcdef';

interface Seen {
  method: string;
  path: string;
  token: string | null;
  body: string;
}

let server: http.Server;
let baseUrl: string;
let seen: Seen[];
let answers: Record<string, object[]>;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://local');
      seen.push({ method: request.method ?? '', path: url.pathname, token: url.searchParams.get('access_token'), body });
      const queued = answers[url.pathname] ?? [];
      const answer = queued.length > 1 ? queued.shift() : (queued[0] ?? { errcode: 0 });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

function apiWith(tokens: string[] = ['token-1', 'token-2']) {
  const dropped: string[] = [];
  let current = 0;
  const authorizerTokens = {
    token: async () => tokens[Math.min(current, tokens.length - 1)],
    invalidateIfCurrent: async (_appid: string, token: string) => {
      dropped.push(token);
      current += 1;
      return true;
    },
  };
  return { api: new WeChatShipApi({ authorizerTokens, apiBaseUrl: baseUrl, timeoutMs: 2000 }), dropped };
}

beforeEach(() => {
  seen = [];
  answers = {};
});

test('commit sends the documented fields with ext_json as a string', async () => {
  const { api } = apiWith();
  await api.commit(APPID, { templateId: 12, extJson: '{"extAppid":"wx1"}', userVersion: '1.0.0', userDesc: 'd' });
  expect(seen).toEqual([{ method: 'POST', path: '/wxa/commit', token: 'token-1', body: expect.any(String) }]);
  expect(JSON.parse(seen[0].body)).toEqual({
    template_id: 12,
    ext_json: '{"extAppid":"wx1"}',
    user_version: '1.0.0',
    user_desc: 'd',
  });
});

test('get_latest_auditstatus: seconds become ms, ScreenShot is read, no audit ever is null', async () => {
  const { api } = apiWith();
  answers['/wxa/get_latest_auditstatus'] = [
    {
      errcode: 0,
      auditid: 9,
      status: 1,
      reason: '不符<br>请改',
      ScreenShot: 'm1|m2',
      user_version: '2.0.0',
      submit_audit_time: 1700000000,
    },
  ];
  expect(await api.getLatestAuditStatus(APPID)).toEqual({
    auditid: 9,
    status: 1,
    userVersion: '2.0.0',
    submittedAt: 1700000000_000,
    reason: '不符<br>请改',
    screenshot: 'm1|m2',
  });
  answers['/wxa/get_latest_auditstatus'] = [{ errcode: 86001, errmsg: 'no code' }];
  expect(await api.getLatestAuditStatus(APPID)).toBeNull();
});

test('release and getversioninfo send {}; empty versions are null', async () => {
  const { api } = apiWith();
  answers['/wxa/getversioninfo'] = [
    {
      errcode: 0,
      exp_info: { exp_version: '1.0.0', exp_desc: '上新', exp_time: 1700000000 },
      release_info: { release_version: '' },
    },
  ];
  expect(await api.getVersionInfo(APPID)).toEqual({
    expVersion: '1.0.0',
    releaseVersion: null,
    expDesc: '上新',
    expAt: 1700000000_000,
    releaseDesc: null,
    releaseAt: null,
  });
  await api.release(APPID);
  expect(seen.map((s) => [s.path, s.body])).toEqual([
    ['/wxa/getversioninfo', '{}'],
    ['/wxa/release', '{}'],
  ]);
});

test('an errcode is a ShipRefusal; a rejected token is dropped and the call sent once more', async () => {
  const { api, dropped } = apiWith();
  answers['/wxa/submit_audit'] = [
    { errcode: 40001, errmsg: 'invalid credential' },
    { errcode: 0, auditid: 77 },
  ];
  expect(await api.submitAudit(APPID, { itemList: [], versionDesc: '', privacyApiNotUse: false })).toEqual({ auditid: 77 });
  expect(dropped).toEqual(['token-1']);
  expect(seen.map((s) => s.token)).toEqual(['token-1', 'token-2']);

  answers['/wxa/submit_audit'] = [{ errcode: 85085, errmsg: 'quota' }];
  await expect(api.submitAudit(APPID, { itemList: [], versionDesc: '', privacyApiNotUse: false })).rejects.toEqual(
    new ShipRefusal(85085, 'quota'),
  );
});

test('queryquota and get_category are mapped; no answer is transient and never shows the token', async () => {
  const { api } = apiWith(['secret-token']);
  answers['/wxa/queryquota'] = [{ errcode: 0, rest: 3, limit: 20, speedup_rest: 1, speedup_limit: 2 }];
  expect(await api.queryQuota(APPID)).toEqual({ rest: 3, limit: 20, speedupRest: 1, speedupLimit: 2 });
  answers['/wxa/get_category'] = [
    { errcode: 0, category_list: [{ first_class: '生活服务', second_class: '鲜花', first_id: 1, second_id: 2 }] },
  ];
  expect(await api.getCategory(APPID)).toEqual([{ first_class: '生活服务', second_class: '鲜花', first_id: 1, second_id: 2 }]);

  const unreachable = new WeChatShipApi({
    authorizerTokens: { token: async () => 'secret-token', invalidateIfCurrent: async () => true },
    apiBaseUrl: 'http://127.0.0.1:1',
    timeoutMs: 500,
  });
  const failure = await unreachable.queryQuota(APPID).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(Error);
  expect(failure).not.toBeInstanceOf(ShipRefusal);
  expect(String((failure as Error).message)).not.toContain('secret-token');
});
