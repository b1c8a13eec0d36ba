/**
 * WeChat's JSON API as text: a POST with a hard per-attempt deadline (connect + response) on the
 * function's one HTTP client (../httpClient.ts), which never rejects and never passes on Node's
 * error objects (they can carry the URL, and ours holds the token in its query).
 */
import { sendRequest } from '../httpClient';

export type HttpOutcome =
  { kind: 'response'; status: number; body: string } | { kind: 'timeout' } | { kind: 'network'; code?: string };

/** Generous for 500 authorizers; a bigger answer is not WeChat's. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** An answer over the cap reads as an empty body, which the callers refuse as invalid. */
export async function postJson(url: URL, json: string, timeoutMs: number): Promise<HttpOutcome> {
  const outcome = await sendRequest({
    method: 'POST',
    url,
    accept: 'application/json',
    body: { bytes: Buffer.from(json, 'utf8'), contentType: 'application/json; charset=utf-8' },
    timeoutMs,
    maxBytes: MAX_BODY_BYTES,
  });
  if (outcome.kind === 'response') return { kind: 'response', status: outcome.status, body: outcome.body.toString('utf8') };
  if (outcome.kind === 'too_large') return { kind: 'response', status: outcome.status, body: '' };
  return outcome;
}
