/**
 * The signed-HTTP way in: a named client key from BROKER_CLIENT_KEYS, a timestamp within five
 * minutes of ours, a fresh nonce, and an HMAC over the request (clients/broker-client signing.ts).
 * Checks that need no key run first; a key's revocation is told only after its signature matched,
 * so without a key's secret nobody learns which key ids exist. The nonce is written last, only for
 * a request that is otherwise good.
 */
import { randomBytes } from 'node:crypto';
import { NONCE_PATTERN, SIGNATURE_WINDOW_SECONDS, signatureMatches } from '../../../../clients/broker-client/src/signing';
import { SIGNATURE_HEADERS } from '../../../../clients/broker-client/src/wire';
import type { Config } from '../config';
import type { Nonces } from './nonces';
import { refuse, RevokedCaller } from './refusal';
import type { BrokerCaller } from './scope';

export interface IncomingSigned {
  method: string;
  /** From `/broker/` on. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

const UNKNOWN_KEY_SECRET = randomBytes(32).toString('hex');

function header(headers: Record<string, string | undefined>, name: string): string {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1] ?? '';
}

/** The key that signed the request, as a caller with its scope; throws a refusal otherwise. */
export async function authenticate(
  config: Config,
  nonces: Nonces,
  nowMs: number,
  request: IncomingSigned,
): Promise<BrokerCaller> {
  if (config.brokerClientKeys.length === 0)
    throw refuse('BROKER_DISABLED', "the broker's HTTP way in is not enabled: set BROKER_CLIENT_KEYS");
  // Timestamp and nonce first: they need no key, so their refusals say nothing about key ids.
  const timestampText = header(request.headers, SIGNATURE_HEADERS.timestamp);
  const timestamp = /^\d{1,12}$/.test(timestampText) ? Number(timestampText) : NaN;
  if (!(Math.abs(nowMs / 1000 - timestamp) <= SIGNATURE_WINDOW_SECONDS)) {
    throw refuse('STALE_REQUEST', `timestamp must be unix seconds within ${SIGNATURE_WINDOW_SECONDS} s of the function's clock`);
  }
  const nonce = header(request.headers, SIGNATURE_HEADERS.nonce);
  if (!NONCE_PATTERN.test(nonce)) throw refuse('UNAUTHENTICATED', 'nonce must be 16–64 of A-Z a-z 0-9 _ -');
  const keyId = header(request.headers, SIGNATURE_HEADERS.key);
  const key = config.brokerClientKeys.find((k) => k.id === keyId);
  const parts = { method: request.method, path: request.path, query: request.query, timestamp, nonce, body: request.body };
  // An unknown key is checked against a secret nobody has, so it costs the same as a wrong signature.
  if (!signatureMatches(key?.secret ?? UNKNOWN_KEY_SECRET, parts, header(request.headers, SIGNATURE_HEADERS.signature)) || !key)
    throw refuse('UNAUTHENTICATED', 'bad signature');
  // Kept until the timestamp leaves the window: after that the timestamp alone refuses a replay.
  // Claimed before the revoked check, so a replayed request of a retired key is not counted again.
  if (!(await nonces.claim(key.id, nonce, (timestamp + SIGNATURE_WINDOW_SECONDS + 60) * 1000))) {
    throw refuse('REPLAYED', 'this nonce was already used');
  }
  // Only the key's holder learns it was revoked: to anyone else an unknown or revoked key looks
  // like a bad signature, so key ids cannot be probed.
  if (key.revoked)
    throw new RevokedCaller({ way: 'http', id: key.id }, `client key "${key.id}" has been revoked; use a current key`);
  return { way: 'http', id: key.id, scope: key.scope, legacyScope: key.legacyScope };
}
