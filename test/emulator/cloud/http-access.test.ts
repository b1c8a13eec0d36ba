import { startCloudRuntime, type CloudRuntime } from '../../../emulator/cloud/runtime';
import { makeFixtureDirs, type FixtureDirs } from './fixtures';

/** Echoes the integrated request, or answers what the query asks for. */
const GATEWAY = `
const cloud = require('wx-server-sdk');
exports.main = async (event) => {
  const ask = event.queryStringParameters.answer;
  if (ask === 'text') return 'success';
  if (ask === 'number') return 42;
  if (ask === 'object') return { ok: true };
  if (ask === 'html') return { statusCode: 302, headers: { Location: '/elsewhere', 'Content-Type': 'text/html; charset=utf-8' }, body: '<a href="/elsewhere">moved</a>' };
  if (ask === 'binary') return { statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
  if (ask === 'throw') throw new Error('handler broke');
  return { event, wx: cloud.getWXContext() };
};
`;

let dirs: FixtureDirs;
let runtime: CloudRuntime;
let forced: CloudRuntime;

beforeAll(async () => {
  dirs = makeFixtureDirs({ gateway: { index: GATEWAY } });
  const common = { functionsRoot: dirs.functionsRoot, dataDir: dirs.dataDir, envId: 'env-http', log: () => undefined };
  runtime = await startCloudRuntime({
    ...common,
    httpAccess: { '/wx/': 'gateway' },
    httpBodyLimits: { text: 1024, binary: 4096 },
  });
  forced = await startCloudRuntime({
    ...common,
    dataDir: `${dirs.dataDir}-2`,
    httpAccess: { '/push': 'gateway' },
    forceBase64Body: true,
  });
});

afterAll(async () => {
  await runtime.close();
  await forced.close();
  dirs.remove();
});

async function echo(url: string, init?: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  expect(response.status).toBe(200);
  return response.json();
}

test('a text POST becomes the integrated request event, as it is', async () => {
  const { event, wx } = await echo(`${runtime.url}/wx/component/event?signature=abc&timestamp=1&timestamp=2`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', 'x-custom': 'v1' },
    body: '<xml><ToUserName>t</ToUserName></xml>',
  });
  expect(event).toEqual({
    path: '/wx/component/event',
    httpMethod: 'POST',
    headers: expect.objectContaining({ 'content-type': 'text/xml', 'x-custom': 'v1', host: expect.any(String) }),
    multiValueHeaders: expect.objectContaining({ 'x-custom': ['v1'] }),
    queryStringParameters: { signature: 'abc', timestamp: '2' },
    requestContext: { requestId: expect.stringMatching(/^[0-9a-f]{32}$/), envId: 'env-http' },
    body: '<xml><ToUserName>t</ToUserName></xml>',
    isBase64Encoded: false,
  });
  expect(wx).toEqual({ OPENID: '', APPID: '', UNIONID: '', ENV: 'env-http', SOURCE: 'wx_http' });
});

test('the prefix itself and GET without a body are routed', async () => {
  const { event } = await echo(`${runtime.url}/wx`);
  expect(event).toMatchObject({ path: '/wx', httpMethod: 'GET', body: '', isBase64Encoded: false, queryStringParameters: {} });
});

test('a binary body arrives base64-encoded', async () => {
  const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
  const { event } = await echo(`${runtime.url}/wx/upload`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(event.httpMethod).toBe('PUT');
  expect(event.isBase64Encoded).toBe(true);
  expect(Buffer.from(event.body, 'base64')).toEqual(bytes);
});

test('forceBase64Body encodes text bodies too', async () => {
  const { event } = await echo(`${forced.url}/push`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml/>' });
  expect(event.isBase64Encoded).toBe(true);
  expect(Buffer.from(event.body, 'base64').toString('utf8')).toBe('<xml/>');
});

test('a plain string or number answers 200 text/plain', async () => {
  const text = await fetch(`${runtime.url}/wx?answer=text`);
  expect(text.status).toBe(200);
  expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(await text.text()).toBe('success');
  expect(await (await fetch(`${runtime.url}/wx?answer=number`)).text()).toBe('42');
});

test('an object without statusCode answers JSON', async () => {
  const response = await fetch(`${runtime.url}/wx?answer=object`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual({ ok: true });
});

test('an integrated response sets status, headers and body', async () => {
  const response = await fetch(`${runtime.url}/wx?answer=html`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  expect(response.headers.get('location')).toBe('/elsewhere');
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await response.text()).toBe('<a href="/elsewhere">moved</a>');
});

test('an integrated response with isBase64Encoded sends the decoded bytes', async () => {
  const response = await fetch(`${runtime.url}/wx?answer=binary`);
  expect(response.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
});

test('a throwing function answers 500 FUNCTIONS_EXECUTE_FAIL', async () => {
  const response = await fetch(`${runtime.url}/wx?answer=throw`);
  expect(response.status).toBe(500);
  expect(await response.json()).toMatchObject({ code: 'FUNCTIONS_EXECUTE_FAIL', message: 'handler broke' });
});

test('bodies over the limits answer 413 (text and binary limits differ)', async () => {
  const bigText = await fetch(`${runtime.url}/wx`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'x'.repeat(2000),
  });
  expect(bigText.status).toBe(413);
  expect(await bigText.json()).toMatchObject({ code: 'EXCEED_MAX_PAYLOAD_SIZE' });
  const binaryUnderItsLimit = await fetch(`${runtime.url}/wx`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(2000, 1),
  });
  expect(binaryUnderItsLimit.status).toBe(200);
  const bigBinary = await fetch(`${runtime.url}/wx`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(5000, 1),
  });
  expect(bigBinary.status).toBe(413);
});

test('paths outside the configured prefixes are not routed', async () => {
  expect((await fetch(`${runtime.url}/wxyz`)).status).toBe(404);
  expect((await fetch(`${runtime.url}/other`)).status).toBe(404);
});
