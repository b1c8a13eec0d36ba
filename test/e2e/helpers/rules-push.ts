/**
 * Pushes built by the test itself, with @wecom/crypto (an implementation independent of the
 * backend's), so a test can deliver duplicates, retries and forgeries at the moment it chooses.
 */
import { createHash, randomInt } from 'node:crypto';
import http from 'node:http';
import { encrypt, getSignature } from '@wecom/crypto';
import type { ComponentConfig } from '../../../emulator/open-platform';
import type { FunctionInstance } from '../../../emulator/cloud/runtime';

export type PushFields = Record<string, string | number>;

export interface SealedPush {
  query: Record<string, string>;
  body: string;
  encrypt: string;
}

export interface SealOptions {
  /** The appid trailer inside the ciphertext (default: the component appid). */
  receiveId?: string;
  /** Sign with another token (a forgery). */
  token?: string;
  /** Encrypt with another key. */
  encodingAesKey?: string;
  timestamp?: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;

/** A flat WeChat payload: strings in CDATA, numbers bare. */
export function payloadXml(fields: PushFields): string {
  const lines = Object.entries(fields).map(([name, value]) =>
    typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`,
  );
  return `<xml>${lines.join('\n')}</xml>`;
}

/** Encrypts and signs `plaintext` as WeChat does for the authorization-event URL. */
export function sealPush(component: ComponentConfig, plaintext: string, options: SealOptions = {}): SealedPush {
  const ciphertext = encrypt(options.encodingAesKey ?? component.encodingAesKey, plaintext, options.receiveId ?? component.appId);
  return sealEncrypted(component, ciphertext, options);
}

/** Signs an arbitrary Encrypt value (valid or garbage) and wraps it in the envelope. */
export function sealEncrypted(component: ComponentConfig, ciphertext: string, options: SealOptions = {}): SealedPush {
  const token = options.token ?? component.token;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  const signature = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
  return {
    query: {
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: getSignature(token, timestamp, nonce, ciphertext),
      signature,
    },
    body: `<xml><AppId>${cdata(component.appId)}</AppId><Encrypt>${cdata(ciphertext)}</Encrypt></xml>`,
    encrypt: ciphertext,
  };
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
