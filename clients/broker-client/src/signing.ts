/**
 * Request signing for the HTTP way in: HMAC-SHA256 with the client key's secret over the method,
 * the path from `/broker/` on, the sorted query, the timestamp, the nonce and sha256 of the body.
 * The function verifies with the same code.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'BROKER1-HMAC-SHA256';
/** A signed request is accepted this long either side of the function's clock. */
export const SIGNATURE_WINDOW_SECONDS = 300;
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export interface SignedParts {
  method: string;
  /** From `/broker/` on, as sent (no decoding). */
  path: string;
  query: Record<string, string>;
  /** Unix seconds. */
  timestamp: number;
  nonce: string;
  body: Uint8Array;
}

/** `k=v` pairs, percent-encoded, sorted by key then value, joined with `&`. */
export function canonicalQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalRequest(parts: SignedParts): string {
  return [
    SIGNATURE_VERSION,
    parts.method.toUpperCase(),
    parts.path,
    canonicalQuery(parts.query),
    String(parts.timestamp),
    parts.nonce,
    createHash('sha256').update(parts.body).digest('hex'),
  ].join('\n');
}

export function sign(secret: string, parts: SignedParts): string {
  return createHmac('sha256', secret).update(canonicalRequest(parts)).digest('hex');
}

/** Constant-time comparison of a presented signature with the expected one. */
export function signatureMatches(secret: string, parts: SignedParts, presented: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(presented)) return false;
  return timingSafeEqual(Buffer.from(sign(secret, parts), 'hex'), Buffer.from(presented, 'hex'));
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}
