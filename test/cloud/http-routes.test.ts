/**
 * The HTTP route table on its own: which audience takes a request (by method and the last path
 * segments, under any prefix), and the guards that answer before any dependency is used.
 */
import type { HttpEvent } from '../../cloudfunctions/authorization/src/http/core';
import { handleHttp, type HttpDeps } from '../../cloudfunctions/authorization/src/http/routes';

const pushes: Array<{ query: Record<string, string | undefined>; body: string }> = [];
const deps = {
  pushes: { handle: async (request: (typeof pushes)[number]) => (pushes.push(request), { status: 200, body: 'success' }) },
} as unknown as HttpDeps;

const request = (httpMethod: string, path: string, extra: Partial<HttpEvent> = {}): HttpEvent => ({ httpMethod, path, ...extra });

beforeEach(() => (pushes.length = 0));

test('every other POST, under any prefix, is the authorization-event URL, body decoded', async () => {
  const body = Buffer.from('<xml/>').toString('base64');
  const query = { signature: 's' };
  const answer = await handleHttp(
    deps,
    request('post', '/any/prefix/', { body, isBase64Encoded: true, queryStringParameters: query }),
  );
  expect(answer).toEqual({
    statusCode: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: 'success',
    isBase64Encoded: false,
  });
  expect(pushes).toEqual([{ query, body: '<xml/>' }]);
});

test('a push body over the limit is refused before the push is looked at', async () => {
  const answer = await handleHttp(deps, request('POST', '/wx', { body: 'x'.repeat(64 * 1024 + 1) }));
  expect([answer.statusCode, answer.body]).toEqual([413, 'body too large']);
  expect(pushes).toEqual([]);
});

test('the merchant pages answer GET only, as protected HTML', async () => {
  const page = await handleHttp(deps, request('GET', '/prefix/entry/'));
  expect(page.statusCode).toBe(404);
  expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(page.headers['x-frame-options']).toBe('DENY');
  expect(await handleHttp(deps, request('PUT', '/prefix/entry'))).toMatchObject({ statusCode: 404, body: 'not found' });
});

test('the message URL and release jobs check their last segment before anything else', async () => {
  const plain = { 'content-type': 'text/plain; charset=utf-8' };
  expect(await handleHttp(deps, request('POST', '/p/message/not-an-appid'))).toEqual({
    statusCode: 404,
    headers: plain,
    body: 'not found',
    isBase64Encoded: false,
  });
  expect(await handleHttp(deps, request('POST', '/p/release-jobs/zz'))).toMatchObject({ statusCode: 404, headers: plain });
  // Not a POST: no group takes it.
  expect(await handleHttp(deps, request('GET', '/p/message/wx0123456789abcdef'))).toMatchObject({
    statusCode: 404,
    headers: { 'x-content-type-options': 'nosniff' },
  });
  expect(pushes).toEqual([]);
});
