/**
 * The client against a scripted local HTTP server, for what the emulator does not produce:
 * the exact request on the wire, 5xx, non-JSON and 4xx answers, echoed secrets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CallRecord,
  createOpenApiClient,
  OpenApiClientOptions,
  OpenApiError,
} from '../../../cloudfunctions/authorization/src/openapi';

interface Seen {
  method: string;
  url: string;
  contentType: string;
  body: string;
}
type Responder = (res: http.ServerResponse) => void;

const SECRET = 'component-secret-0123456789abcdef';
const TOKEN = '11_tok+en/with=chars';

let server: http.Server;
let baseUrl: string;
let seen: Seen[] = [];
let script: Responder[] = [];

const json =
  (body: unknown, status = 200): Responder =>
  (res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
const text =
  (body: string, status = 200): Responder =>
  (res) => {
    res.writeHead(status, { 'Content-Type': 'text/html' });
    res.end(body);
  };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const respond = script.shift() ?? json({ errcode: -1, errmsg: 'script exhausted' });
      respond(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  script = [];
});

function client(extra: Partial<OpenApiClientOptions> = {}) {
  return createOpenApiClient({
    baseUrl,
    componentAppId: 'wxcomponent0001',
    componentAppSecret: SECRET,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<OpenApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenApiError);
  return error as OpenApiError;
}

describe('requests on the wire', () => {
  it('posts JSON to /cgi-bin/component/<api> with the token URL-encoded in the query', async () => {
    script = [json({ pre_auth_code: 'preauthcode@@@abc', expires_in: 600 })];
    await expect(client().createPreAuthCode(TOKEN)).resolves.toEqual({ pre_auth_code: 'preauthcode@@@abc', expires_in: 600 });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].contentType).toMatch(/^application\/json/);
    expect(seen[0].url).toBe(`/cgi-bin/component/api_create_preauthcode?component_access_token=${encodeURIComponent(TOKEN)}`);
    expect(JSON.parse(seen[0].body)).toEqual({ component_appid: 'wxcomponent0001' });
  });

  it('sends component_secret (not component_appsecret) to api_start_push_ticket, without a token', async () => {
    script = [json({ errcode: 0, errmsg: 'ok' })];
    await expect(client().startPushTicket()).resolves.toEqual({ errcode: 0, errmsg: 'ok' });
    expect(seen[0].url).toBe('/cgi-bin/component/api_start_push_ticket');
    expect(JSON.parse(seen[0].body)).toEqual({ component_appid: 'wxcomponent0001', component_secret: SECRET });
  });

  it('sends appid, secret and ticket to api_component_token', async () => {
    script = [json({ component_access_token: 'tok', expires_in: 7200 })];
    await client().getComponentAccessToken('ticket@@@xyz');
    expect(seen[0].url).toBe('/cgi-bin/component/api_component_token');
    expect(JSON.parse(seen[0].body)).toEqual({
      component_appid: 'wxcomponent0001',
      component_appsecret: SECRET,
      component_verify_ticket: 'ticket@@@xyz',
    });
  });

  it('sends the body fields of the authorizer APIs', async () => {
    script = [
      json({ authorization_info: { authorizer_appid: 'wxa', func_info: [] } }),
      json({ authorizer_access_token: 'a', expires_in: 7200 }),
      json({ authorizer_info: { nick_name: 'n' } }),
      json({ total_count: 0, list: [] }),
    ];
    const api = client();
    await api.queryAuth(TOKEN, 'queryauthcode@@@c');
    await api.refreshAuthorizerToken(TOKEN, 'wxa', 'refreshtoken@@@r');
    await api.getAuthorizerInfo(TOKEN, 'wxa');
    await api.getAuthorizerList(TOKEN, 0, 500);
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([
      { component_appid: 'wxcomponent0001', authorization_code: 'queryauthcode@@@c' },
      { component_appid: 'wxcomponent0001', authorizer_appid: 'wxa', authorizer_refresh_token: 'refreshtoken@@@r' },
      { component_appid: 'wxcomponent0001', authorizer_appid: 'wxa' },
      { component_appid: 'wxcomponent0001', offset: 0, count: 500 },
    ]);
  });

  it('rejects a page larger than 500 or a bad offset locally, without a request', async () => {
    const api = client();
    await expect(api.getAuthorizerList(TOKEN, 0, 501)).rejects.toThrow(RangeError);
    await expect(api.getAuthorizerList(TOKEN, -1, 10)).rejects.toThrow(RangeError);
    await expect(api.getAuthorizerList(TOKEN, 0, 0)).rejects.toThrow(RangeError);
    expect(seen).toHaveLength(0);
  });

  it('refuses incomplete options', () => {
    expect(() => createOpenApiClient({ componentAppId: '', componentAppSecret: 's' })).toThrow(TypeError);
    expect(() => createOpenApiClient({ componentAppId: 'a', componentAppSecret: 's', timeoutMs: 0 })).toThrow(RangeError);
    expect(() =>
      createOpenApiClient({ componentAppId: 'a', componentAppSecret: 's', retry: { attempts: 0, baseDelayMs: 1 } }),
    ).toThrow(RangeError);
  });
});

describe('answers that are not WeChat JSON', () => {
  it('retries HTTP 5xx and then succeeds', async () => {
    const records: CallRecord[] = [];
    script = [text('<html>bad gateway</html>', 502), json({ component_access_token: 'tok', expires_in: 7200 })];
    await expect(client({ onCall: (r) => records.push(r) }).getComponentAccessToken('ticket@@@t')).resolves.toEqual({
      component_access_token: 'tok',
      expires_in: 7200,
    });
    expect(records.map((r) => [r.attempt, r.errcode])).toEqual([
      [1, -1],
      [2, 0],
    ]);
  });

  it('gives up on a non-JSON 200 after the configured attempts', async () => {
    script = [text('oops'), text('oops'), text('oops'), json({ component_access_token: 'never', expires_in: 1 })];
    const error = await failure(client().getComponentAccessToken('ticket@@@t'));
    expect(error.category).toBe('transient');
    expect(error.failure).toBe('invalid_body');
    expect(error.attempts).toBe(3);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 4xx without an errcode', async () => {
    script = [text('not found', 404)];
    const error = await failure(client().createPreAuthCode(TOKEN));
    expect(error).toMatchObject({ category: 'other', failure: 'http_status', httpStatus: 404, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('flags a 200 without the expected field', async () => {
    script = [json({ something: 'else' })];
    const error = await failure(client().createPreAuthCode(TOKEN));
    expect(error).toMatchObject({ category: 'other', failure: 'unexpected_body' });
  });
});

describe('secrets never leak', () => {
  it('scrubs a token, secret or ticket echoed in errmsg, and keeps the rid apart', async () => {
    script = [
      json({
        errcode: 40001,
        errmsg: `invalid credential ${TOKEN} ${encodeURIComponent(TOKEN)} ${SECRET} rid: 6351110b-3677a1ed-080b10ce`,
      }),
    ];
    const records: CallRecord[] = [];
    const error = await failure(client({ onCall: (r) => records.push(r) }).createPreAuthCode(TOKEN));
    expect(error.category).toBe('token');
    expect(error.rid).toBe('6351110b-3677a1ed-080b10ce');
    for (const leak of [TOKEN, encodeURIComponent(TOKEN), SECRET]) {
      expect(error.message).not.toContain(leak);
      expect(error.errmsg).not.toContain(leak);
      expect(JSON.stringify(error)).not.toContain(leak);
      expect(JSON.stringify(records)).not.toContain(leak);
    }
    expect(error.errmsg).toBe('invalid credential *** *** ***');
  });

  it('a throwing metrics hook does not change the outcome', async () => {
    script = [json({ pre_auth_code: 'p', expires_in: 600 })];
    const api = client({
      onCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(api.createPreAuthCode(TOKEN)).resolves.toEqual({ pre_auth_code: 'p', expires_in: 600 });
  });
});
