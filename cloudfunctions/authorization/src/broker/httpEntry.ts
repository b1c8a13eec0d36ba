/**
 * The signed-HTTP way in, under PUBLIC_BASE_URL: `/broker/token`, `/broker/report`,
 * `/broker/authorizers`, `/broker/ship/<action>` (release jobs), and the proxy `/broker/call/<appid><wechat path>` and
 * `/broker/component/<wechat path>`, whose answers are WeChat's bytes with WeChat's content type.
 * Every request is authenticated before anything else, so an outsider learns nothing.
 */
import {
  BROKER_ERROR_HEADER,
  HTTP_ROUTES,
  type BrokerErrorBody,
  type BrokerOp,
} from '../../../../clients/broker-client/src/wire';
import type { BrokerDeps } from './deps';
import type { HttpEvent, HttpResponse } from '../http/core';
import { authenticate } from './httpAuth';
import { checkBodySize, isTextType, parseInput, runOp } from './ops';
import type { WeChatAnswerBytes } from './proxy';
import { HTTP_STATUS, refuse } from './refusal';
import { brokerOf, countRevoked, toBrokerError } from './services';

/** `path` starts at `/broker`, whatever HTTP access prefix came before it. */
export async function handleBrokerHttp(app: BrokerDeps, event: HttpEvent, path: string): Promise<HttpResponse> {
  try {
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
    const contentType = headerOf(event.headers ?? {}, 'content-type');
    // Before the signature: a body over the limit costs no hashing and no database call.
    checkBodySize(body.length, contentType || 'application/json');
    const method = event.httpMethod.toUpperCase();
    const query = definedOnly(event.queryStringParameters ?? {});
    const broker = brokerOf(app);
    const caller = await authenticate(app.config, broker.nonces, app.now(), {
      method,
      path,
      query,
      headers: event.headers ?? {},
      body,
    });
    const route = routeOf(method, path);
    const input = route.input({ query, body, contentType, method });
    const result = await runOp(app, broker, caller, route.op, parseInput(route.op, input));
    if (route.op === 'call' || route.op === 'componentCall') return raw(result as WeChatAnswerBytes);
    return json(200, { data: result });
  } catch (error) {
    await countRevoked(app, error);
    return refusal(toBrokerError(app, error));
  }
}

interface RouteInput {
  query: Record<string, string>;
  body: Buffer;
  contentType: string;
  method: string;
}

function routeOf(method: string, path: string): { op: BrokerOp; input: (r: RouteInput) => unknown } {
  if (method === 'POST' && path === HTTP_ROUTES.token) return { op: 'token', input: ({ body }) => parseJson(body) };
  if (method === 'POST' && path === HTTP_ROUTES.reportRejected)
    return { op: 'reportRejected', input: ({ body }) => parseJson(body) };
  if (method === 'GET' && path === HTTP_ROUTES.listAuthorizers) {
    return { op: 'listAuthorizers', input: ({ query }) => listInput(query) };
  }
  const ship = method === 'POST' ? path.match(/^\/broker\/ship\/([a-z]{1,16})$/) : null;
  if (ship) return { op: 'ship', input: ({ body }) => shipInput(ship[1], parseJson(body)) };
  const proxied = path.match(/^\/broker\/call\/([^/]+)(\/.*)$/);
  if (proxied) return { op: 'call', input: (r) => ({ appid: proxied[1], ...proxyInput(proxied[2], r) }) };
  const component = path.match(/^\/broker\/component(\/.*)$/);
  if (component) return { op: 'componentCall', input: (r) => proxyInput(component[1], r) };
  throw refuse('INVALID_INPUT', 'no such broker route');
}

function proxyInput(path: string, { query, body, contentType, method }: RouteInput) {
  const withBody = method === 'POST' && body.length > 0;
  return {
    method,
    path,
    query,
    ...(withBody ? { body: { base64: body.toString('base64'), contentType: contentType || 'application/json' } } : {}),
  };
}

/** The action from the path; the body may not name another. */
function shipInput(action: string, body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw refuse('INVALID_INPUT', 'body must be a JSON object');
  if ('action' in body) throw refuse('INVALID_INPUT', 'the action is in the path: /broker/ship/<action>');
  return { ...body, action };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw refuse('INVALID_INPUT', 'body must be JSON');
  }
}

function listInput(query: Record<string, string>): Record<string, string | number> {
  // Said plainly, rather than silently answering page one to a client written for offsets.
  if (query.offset !== undefined) throw refuse('INVALID_INPUT', "offset paging is gone: pass the previous page's next as after");
  return { ...(query.after === undefined ? {} : { after: query.after }), ...numberField(query, 'limit') };
}

function numberField(query: Record<string, string>, name: string): Record<string, number> {
  if (query[name] === undefined) return {};
  if (!/^\d{1,7}$/.test(query[name])) throw refuse('INVALID_INPUT', `${name} must be a whole number`);
  return { [name]: Number(query[name]) };
}

function definedOnly(query: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function headerOf(headers: Record<string, string | undefined>, name: string): string {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? '';
}

function raw(answer: WeChatAnswerBytes): HttpResponse {
  const text = isTextType(answer.contentType);
  return {
    statusCode: answer.status,
    headers: { 'content-type': answer.contentType, 'cache-control': 'no-store' },
    body: text ? answer.body.toString('utf8') : answer.body.toString('base64'),
    isBase64Encoded: !text,
  };
}

function json(statusCode: number, value: unknown, extra: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra },
    body: JSON.stringify(value),
    isBase64Encoded: false,
  };
}

function refusal(error: BrokerErrorBody): HttpResponse {
  return json(HTTP_STATUS[error.code], { error }, { [BROKER_ERROR_HEADER]: error.code });
}
