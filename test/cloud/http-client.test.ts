/**
 * The function's one HTTP client and its three views (openapi/transport, the broker's raw request,
 * the message forwarder) against a real server on 127.0.0.1 that answers, stalls, drops the
 * connection mid-body and sends too much. Whatever happens, an outcome and never an exception, and
 * no outcome repeats the token-bearing URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestRaw } from '../../cloudfunctions/authorization/src/broker/wechatHttp';
import { sendRequest, type OutboundRequest } from '../../cloudfunctions/authorization/src/httpClient';
import { forwardMessage } from '../../cloudfunctions/authorization/src/messages/forward';
import { postJson } from '../../cloudfunctions/authorization/src/openapi/transport';

const TOKEN = 'SECRET-TOKEN-IN-THE-QUERY';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

let server: http.Server;
let base: string;
const seen: Array<{ method: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];

function answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  seen.push({ method: req.method ?? '', headers: req.headers, body });
  if (path === '/json') return void res.setHeader('content-type', 'application/json').end('{"errcode":0,"n":"你好"}');
  if (path === '/png') return void res.setHeader('content-type', 'image/png').end(PNG);
  if (path === '/bare') return void res.end(PNG); // Node sets no content-type of its own
  if (path === '/port') return void res.end(String(req.socket.remotePort));
  if (path === '/slow') return void setTimeout(() => res.end('late'), 1_000).unref();
  if (path === '/huge') return void writeHuge(res, 502);
  if (path === '/huge-ok') return void writeHuge(res, 200);
  if (path === '/drop') {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('partial');
    return void setTimeout(() => req.socket.destroy(), 20);
  }
  res.end('success');
}

/** 5 MB + 1 in 64 KB chunks, more than any of the caps. */
function writeHuge(res: http.ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let left = 5 * 1024 * 1024 + 1;
  const more = (): void => {
    while (left > 0 && !res.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      left -= piece.length;
      if (!res.write(piece)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const url = (path: string) => new URL(`${base}${path}?access_token=${TOKEN}`);
const request = (path: string, extra: Partial<OutboundRequest> = {}) =>
  sendRequest({ method: 'GET', url: url(path), accept: '*/*', timeoutMs: 2_000, maxBytes: 1024 * 1024, ...extra });

/** A port nothing listens on: one the OS gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the client', () => {
  test('sends the body with its type and length, and reads the answer as bytes', async () => {
    seen.length = 0;
    const body = Buffer.from('<xml>数据</xml>', 'utf8');
    const outcome = await request('/png', { method: 'POST', body: { bytes: body, contentType: 'text/xml' } });
    expect(outcome).toEqual({ kind: 'response', status: 200, contentType: 'image/png', body: PNG });
    expect(seen[0]).toMatchObject({ method: 'POST', body });
    expect(seen[0].headers).toMatchObject({ 'content-type': 'text/xml', 'content-length': String(body.length), accept: '*/*' });
  });

  test('a GET carries neither a body type nor a length', async () => {
    seen.length = 0;
    await request('/json');
    expect(seen[0].headers['content-type']).toBeUndefined();
    expect(seen[0].headers['content-length']).toBeUndefined();
  });

  test('connections are kept alive between calls', async () => {
    const first = await request('/port');
    const second = await request('/port');
    if (first.kind !== 'response' || second.kind !== 'response') throw new Error(`no answer: ${first.kind}/${second.kind}`);
    expect(second.body.toString()).toBe(first.body.toString());
  });

  test('a stalled answer is a timeout at the deadline', async () => {
    const started = Date.now();
    await expect(request('/slow', { timeoutMs: 150 })).resolves.toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  test('an answer over the cap is too_large with its status, read no further', async () => {
    await expect(request('/huge', { maxBytes: 100_000 })).resolves.toEqual({ kind: 'too_large', status: 502 });
  });

  test('a connection dropped mid-body is a network failure (close without end)', async () => {
    await expect(request('/drop')).resolves.toEqual({ kind: 'network', code: 'ECONNRESET' });
  });

  test('a refused connection is a network failure with its code, the URL kept out', async () => {
    const outcome = await sendRequest({
      method: 'GET',
      url: new URL(`http://127.0.0.1:${await closedPort()}/x?access_token=${TOKEN}`),
      accept: '*/*',
      timeoutMs: 2_000,
      maxBytes: 1024,
    });
    expect(outcome).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
  });

  test('a URL Node cannot request is an outcome, not an exception', async () => {
    const outcome = await sendRequest({
      method: 'GET',
      url: new URL(`ftp://127.0.0.1/x?access_token=${TOKEN}`),
      accept: '*/*',
      timeoutMs: 2_000,
      maxBytes: 1024,
    });
    expect(outcome).toEqual({ kind: 'network', code: 'ERR_INVALID_PROTOCOL' });
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });
});

describe('postJson (WeChat JSON API)', () => {
  test('posts JSON and reads the answer as text', async () => {
    seen.length = 0;
    const outcome = await postJson(url('/json'), '{"a":"值"}', 2_000);
    expect(outcome).toEqual({ kind: 'response', status: 200, body: '{"errcode":0,"n":"你好"}' });
    expect(seen[0].headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', accept: 'application/json' });
    expect(seen[0].body.toString('utf8')).toBe('{"a":"值"}');
  });

  test('an answer over 4 MB reads as an empty body with its status; a drop keeps its code', async () => {
    await expect(postJson(url('/huge'), '{}', 5_000)).resolves.toEqual({ kind: 'response', status: 502, body: '' });
    await expect(postJson(url('/drop'), '{}', 2_000)).resolves.toEqual({ kind: 'network', code: 'ECONNRESET' });
  });
});

describe('requestRaw (broker proxy)', () => {
  test('passes bytes and content type through; a missing type is octet-stream', async () => {
    await expect(requestRaw({ method: 'GET', url: url('/png'), timeoutMs: 2_000 })).resolves.toEqual({
      kind: 'response',
      status: 200,
      contentType: 'image/png',
      body: PNG,
    });
    const bare = await requestRaw({ method: 'GET', url: url('/bare'), timeoutMs: 2_000 });
    expect(bare).toMatchObject({ kind: 'response', contentType: 'application/octet-stream' });
  });

  test('a POST without a type is sent as JSON; failures carry their kind only', async () => {
    seen.length = 0;
    await requestRaw({ method: 'POST', url: url('/json'), body: Buffer.from('{}'), timeoutMs: 2_000 });
    expect(seen[0].headers['content-type']).toBe('application/json');
    await expect(requestRaw({ method: 'GET', url: url('/drop'), timeoutMs: 2_000 })).resolves.toEqual({ kind: 'network' });
    await expect(requestRaw({ method: 'GET', url: url('/slow'), timeoutMs: 100 })).resolves.toEqual({ kind: 'timeout' });
    await expect(requestRaw({ method: 'GET', url: url('/huge'), timeoutMs: 5_000 })).resolves.toEqual({ kind: 'too_large' });
  });
});

describe('forwardMessage (provider message service)', () => {
  const target = (path: string) => ({ url: `${base}${path}`, timeoutMs: 2_000, token: 'component-token' });

  test('success is no reply; an over-large answer is a failure, never a silent no reply', async () => {
    await expect(forwardMessage(target('/ok'), 'wx-app', '<xml/>', 1_700_000_000)).resolves.toEqual({ kind: 'no_reply' });
    await expect(forwardMessage(target('/huge-ok'), 'wx-app', '<xml/>', 1_700_000_000)).resolves.toEqual({
      kind: 'failed',
      reason: 'too_large',
    });
  });
});
