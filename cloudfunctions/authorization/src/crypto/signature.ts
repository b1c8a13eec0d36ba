import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's SHA-1 signature (spec §3.3): sort the parts, join them without separator, SHA-1,
 * lowercase hex. Sorting compares UTF-8 bytes, as the official samples do; for the ASCII inputs
 * WeChat sends this equals JavaScript's default string order.
 */
export function sha1Signature(...parts: string[]): string {
  const sorted = parts.map((part) => Buffer.from(part, 'utf8')).sort(Buffer.compare);
  return createHash('sha1').update(Buffer.concat(sorted)).digest('hex');
}

/**
 * Constant-time check of a signature received from the network. Never throws: anything that is not
 * a string (a missing or repeated query parameter) simply fails.
 */
export function verifySignature(expected: string, ...parts: string[]): boolean {
  if (typeof expected !== 'string' || parts.some((part) => typeof part !== 'string')) return false;
  const actual = Buffer.from(sha1Signature(...parts), 'utf8');
  const given = Buffer.from(expected, 'utf8');
  return given.length === actual.length && timingSafeEqual(given, actual);
}

/** The 3-field `signature` of a URL (GET verification, and the extra check on pushes). */
export function verifyUrlSignature(token: string, signature: string, timestamp: string, nonce: string): boolean {
  return verifySignature(signature, token, timestamp, nonce);
}

/** The 4-field `msg_signature` / `MsgSignature` over an Encrypt value. */
export function messageSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sha1Signature(token, timestamp, nonce, encrypt);
}
