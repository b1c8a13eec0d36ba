/**
 * Delivering pushes sealed by the test itself (test/helpers/wechat-push.ts) at the moment a test
 * chooses: over real HTTP, or straight to one function instance, so it can send duplicates,
 * retries and forgeries; plus plain HTTP requests to the function's pages.
 */
import http from 'node:http';
import type { FunctionInstance } from '../../../emulator/cloud/runtime';
import type { SealedPush } from '../../helpers/wechat-push';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface PostOptions {
  contentType?: string;
  /** Send these bytes instead of `sealed.body`. */
  rawBody?: string | Buffer;
  query?: Record<string, string>;
}

/** POSTs a push to `${publicBaseUrl}/push` over real HTTP. */
export function postPush(publicBaseUrl: string, sealed: SealedPush, options: PostOptions = {}): Promise<HttpAnswer> {
  const url = new URL(`${publicBaseUrl}/push`);
  for (const [name, value] of Object.entries(options.query ?? sealed.query)) url.searchParams.set(name, value);
  return httpRequest('POST', url.href, options.rawBody ?? sealed.body, options.contentType ?? 'text/xml');
}

export function httpGet(url: string): Promise<HttpAnswer> {
  return httpRequest('GET', url);
}

export function httpRequest(method: string, url: string, body?: string | Buffer, contentType?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'text/plain';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const request = http.request(url, { method, agent: false, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Delivers a push straight to one function instance as the integrated HTTP-access event, so
 * several separately cold-started instances can receive the same push at once.
 */
export async function pushToInstance(instance: FunctionInstance, sealed: SealedPush): Promise<HttpAnswer> {
  const reply = (await instance.invoke({
    path: '/wx/push',
    httpMethod: 'POST',
    headers: { 'content-type': 'text/xml' },
    queryStringParameters: sealed.query,
    body: sealed.body,
    isBase64Encoded: false,
  })) as { statusCode: number; body: string };
  return { status: reply.statusCode, body: reply.body };
}

/** The callback page on one function instance. */
export async function callbackOnInstance(instance: FunctionInstance, sid: string, authCode: string): Promise<HttpAnswer> {
  const reply = (await instance.invoke({
    path: '/wx/callback',
    httpMethod: 'GET',
    headers: {},
    queryStringParameters: { sid, auth_code: authCode },
    body: '',
    isBase64Encoded: false,
  })) as { statusCode: number; body: string };
  return { status: reply.statusCode, body: reply.body };
}
