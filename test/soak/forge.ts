/**
 * Pushes and HTTP requests built by the test itself, with @wecom/crypto (independent of the
 * backend's crypto), so a case can send exactly the genuine, replayed or forged bytes it names.
 */
import { createHash, randomInt } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import type { ComponentConfig } from '../../emulator/open-platform';

export interface Sealed {
  query: Record<string, string>;
  body: string;
}

export interface SealOptions {
  /** The appid trailer inside the ciphertext (default: the component's). */
  receiveId?: string;
  /** Sign with this token instead of the component's (a forgery). */
  token?: string;
  /** Encrypt with this key instead of the component's. */
  encodingAesKey?: string;
  /** The envelope's `<AppId>` (not covered by the signature). */
  envelopeAppId?: string;
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;

/** A flat WeChat payload: strings in CDATA, numbers bare. */
export function payloadXml(fields: Record<string, string | number>): string {
  const lines = Object.entries(fields).map(([name, value]) =>
    typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`,
  );
  return `<xml>${lines.join('')}</xml>`;
}

/** Encrypts and signs a payload as WeChat does for the authorization-event URL. */
export function seal(component: ComponentConfig, plaintext: string, options: SealOptions = {}): Sealed {
  const ciphertext = encrypt(options.encodingAesKey ?? component.encodingAesKey, plaintext, options.receiveId ?? component.appId);
  return sealCiphertext(component, ciphertext, options);
}

/** Signs any Encrypt value (valid or not) and wraps it in the envelope. */
export function sealCiphertext(component: ComponentConfig, ciphertext: string, options: SealOptions = {}): Sealed {
  const token = options.token ?? component.token;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return {
    query: {
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: getSignature(token, timestamp, nonce, ciphertext),
      signature: createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex'),
    },
    body: `<xml><AppId>${cdata(options.envelopeAppId ?? component.appId)}</AppId><Encrypt>${cdata(ciphertext)}</Encrypt></xml>`,
  };
}

/** Signs an arbitrary envelope body whose Encrypt is `ciphertext` (for envelopes built by hand). */
export function signedQuery(component: ComponentConfig, ciphertext: string): Record<string, string> {
  return sealCiphertext(component, ciphertext).query;
}

export interface HttpAnswer {
  status: number;
  body: string;
  contentType: string;
}

export async function request(method: string, url: string, body?: string | Buffer, contentType = 'text/xml'): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}),
    redirect: 'manual',
  });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' };
}

export function withQuery(url: string, query: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target.href;
}
