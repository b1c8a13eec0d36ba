/**
 * The XML WeChat pushes to the authorization-event URL: the decrypted payload (string values in
 * CDATA, numbers bare, as in real pushes) and the encrypted envelope with its query signatures
 * (spec §2.1, §3, §5). Encryption is @wecom/crypto's, an implementation independent of ours.
 */
import { createHash, randomInt } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

export type PayloadFields = Record<string, string | number>;

const cdata = (value: string): string => `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** Field order is kept; the payload has one field per line, like WeChat's. */
export function payloadXml(fields: PayloadFields): string {
  const lines = Object.entries(fields).map(([name, value]) =>
    typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`,
  );
  return `<xml>${lines.join('\n')}\n</xml>`;
}

export interface SealedPush {
  body: string;
  query: { signature: string; timestamp: string; nonce: string; encrypt_type: 'aes'; msg_signature: string };
}

export interface SealKeys {
  appId: string;
  token: string;
  encodingAesKey: string;
}

/**
 * Encrypts the payload for the component and signs it for the query string. The envelope names the
 * platform (`AppId`, authorization events) or, on the message URL, the account (`ToUserName`).
 */
export function sealPush(
  plaintext: string,
  keys: SealKeys,
  timestamp: number,
  envelope: PayloadFields = { AppId: keys.appId },
): SealedPush {
  const ciphertext = encrypt(keys.encodingAesKey, plaintext, keys.appId);
  const ts = String(timestamp);
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  const named = Object.entries(envelope)
    .map(([tag, value]) => `<${tag}>${cdata(String(value))}</${tag}>`)
    .join('');
  return {
    body: `<xml>${named}<Encrypt>${cdata(ciphertext)}</Encrypt></xml>`,
    query: {
      signature: urlSignature(keys.token, ts, nonce),
      timestamp: ts,
      nonce,
      encrypt_type: 'aes',
      msg_signature: getSignature(keys.token, ts, nonce, ciphertext),
    },
  };
}

/** The 3-field `signature` (sorted token, timestamp, nonce; SHA-1 hex). */
export function urlSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}
