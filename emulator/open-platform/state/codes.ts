/**
 * Generators for the opaque strings WeChat hands out, shaped like the ones seen in the wild
 * (spec §1): prefixes and lengths matter to clients that validate or store them.
 */
import { randomBytes } from 'node:crypto';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `length` random characters from the base64url alphabet. */
export function randomBase64url(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE64URL[bytes[i] & 63];
  return out;
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

export function randomDigits(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += String(bytes[i] % 10);
  return out.replace(/^0/, '1');
}

export const newTicket = (): string => `ticket@@@${randomBase64url(86)}`;
export const newPreAuthCode = (): string => `preauthcode@@@${randomBase64url(64)}`;
export const newAuthCode = (): string => `queryauthcode@@@${randomBase64url(86)}`;
export const newRefreshToken = (): string => `refreshtoken@@@${randomBase64url(43)}`;

/** `<digits>_<base64url>`, like `85_chOpjx-…`; the leading number is a generation counter. */
export function newAccessToken(generation: number): string {
  return `${generation}_${randomBase64url(134)}`;
}

/** The trace suffix of real errmsg strings: three groups of 8 hex chars. */
export function newRid(): string {
  return `${randomHex(8)}-${randomHex(8)}-${randomHex(8)}`;
}
