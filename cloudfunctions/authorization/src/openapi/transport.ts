/**
 * One HTTP POST with a JSON body and a hard per-attempt deadline (connect + response).
 * Built on the `http`/`https` modules (no global fetch) so it runs on old cloud Node runtimes.
 * It never rejects and never reports Node's error objects: those can carry the request URL,
 * and ours holds the token in its query.
 */
import http from 'http';
import https from 'https';

export type HttpOutcome =
  { kind: 'response'; status: number; body: string } | { kind: 'timeout' } | { kind: 'network'; code?: string };

/** Generous for 500 authorizers; a bigger answer is not WeChat's. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function postJson(url: URL, json: string, timeoutMs: number): Promise<HttpOutcome> {
  return postBody(url, json, timeoutMs, { contentType: 'application/json; charset=utf-8', accept: 'application/json' });
}

/** The same POST with any body type (the message forwarder sends XML). */
export function postBody(
  url: URL,
  text: string,
  timeoutMs: number,
  types: { contentType: string; accept: string },
): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const payload = Buffer.from(text, 'utf8');
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': types.contentType,
        'Content-Length': payload.length,
        Accept: types.accept,
      },
    });
    const deadline = setTimeout(() => {
      finish({ kind: 'timeout' });
      request.destroy();
    }, timeoutMs);

    request.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'network', code: error.code }));
    request.on('response', (response) => readBody(response, finish));
    request.end(payload);
  });
}

function readBody(response: http.IncomingMessage, finish: (outcome: HttpOutcome) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      finish({ kind: 'response', status: response.statusCode ?? 0, body: '' });
      response.destroy();
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () =>
    finish({ kind: 'response', status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
  );
  // A connection dropped mid-body ends in 'close' without 'end' (older Node: 'aborted').
  response.on('aborted', () => finish({ kind: 'network', code: 'ECONNRESET' }));
  response.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'network', code: error.code ?? 'ECONNRESET' }));
  response.on('close', () => {
    if (!response.complete) finish({ kind: 'network', code: 'ECONNRESET' });
  });
}
