/**
 * Pushes to the authorization-event URL built by the tests themselves, with @wecom/crypto (an
 * implementation independent of the backend's and of the emulator's), so a test can send the
 * genuine, replayed or forged bytes it names, and check the signatures of pushes it receives.
 */
import { createHash, randomInt } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import type { ComponentConfig } from '../../emulator/open-platform';

export type PushFields = Record<string, string | number>;

export interface SealedPush {
  /** timestamp, nonce, encrypt_type, msg_signature and signature. */
  query: Record<string, string>;
  /** The envelope: `<xml><AppId/><Encrypt/></xml>`. */
  body: string;
  /** The Encrypt value. */
  encrypt: string;
}

export interface SealOptions {
  /** The appid trailer inside the ciphertext (default: the component's). */
  receiveId?: string;
  /** Sign with this token instead of the component's (a forgery). */
  token?: string;
  /** Encrypt with this key instead of the component's. */
  encodingAesKey?: string;
  /** Seconds since the epoch (default: now). */
  timestamp?: number;
  /** The envelope's `<AppId>` (not covered by the signature; default: the component's). */
  envelopeAppId?: string;
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;

/** A flat WeChat payload: strings in CDATA, numbers bare, one field per line. */
export function payloadXml(fields: PushFields): string {
  const lines = Object.entries(fields).map(([name, value]) =>
    typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`,
  );
  return `<xml>${lines.join('\n')}</xml>`;
}

/** The query's `signature`: SHA-1 hex of the sorted token, timestamp and nonce. */
export function urlSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

/** Encrypts and signs `plaintext` as WeChat does for the authorization-event URL. */
export function sealPush(component: ComponentConfig, plaintext: string, options: SealOptions = {}): SealedPush {
  const ciphertext = encrypt(options.encodingAesKey ?? component.encodingAesKey, plaintext, options.receiveId ?? component.appId);
  return sealCiphertext(component, ciphertext, options);
}

/** Signs any Encrypt value (valid or garbage) and wraps it in the envelope. */
export function sealCiphertext(component: ComponentConfig, ciphertext: string, options: SealOptions = {}): SealedPush {
  const token = options.token ?? component.token;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  return {
    query: {
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: getSignature(token, timestamp, nonce, ciphertext),
      signature: urlSignature(token, timestamp, nonce),
    },
    body: `<xml><AppId>${cdata(options.envelopeAppId ?? component.appId)}</AppId><Encrypt>${cdata(ciphertext)}</Encrypt></xml>`,
    encrypt: ciphertext,
  };
}
