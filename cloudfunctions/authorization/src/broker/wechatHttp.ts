/**
 * One request to WeChat's API host with any method and body, the answer read as bytes (images such
 * as a wxacode come back as they are), on the function's one HTTP client (../httpClient.ts): it
 * never rejects and never passes on Node's error objects, whose text can hold our token-bearing URL.
 */
import { sendRequest } from '../httpClient';

export interface RawRequest {
  method: string;
  url: URL;
  body?: Buffer;
  contentType?: string;
  timeoutMs: number;
}

export type RawOutcome =
  | { kind: 'response'; status: number; contentType: string; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'network' }
  | { kind: 'too_large' };

/** A wxacode is tens of KB; WeChat's biggest media answers stay well below this. */
export const MAX_ANSWER_BYTES = 5 * 1024 * 1024;

export async function requestRaw(request: RawRequest): Promise<RawOutcome> {
  const outcome = await sendRequest({
    method: request.method,
    url: request.url,
    accept: '*/*',
    body: request.body && { bytes: request.body, contentType: request.contentType ?? 'application/json' },
    timeoutMs: request.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
  });
  if (outcome.kind !== 'response') return { kind: outcome.kind };
  const { status, contentType, body } = outcome;
  return { kind: 'response', status, contentType: contentType ?? 'application/octet-stream', body };
}
