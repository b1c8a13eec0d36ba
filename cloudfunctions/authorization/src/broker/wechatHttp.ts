/**
 * One request to WeChat's API host with any method and body, the answer read as bytes (images such
 * as a wxacode come back as they are). Like openapi/transport.ts it never rejects and never passes
 * on Node's error objects: their text can hold the URL, and ours carries a token in its query.
 */
import http from 'http';
import https from 'https';

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

/** Keep-alive: a proxied call should not pay a TCP (or TLS) handshake each time. */
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export function requestRaw(request: RawRequest): Promise<RawOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: RawOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const secure = request.url.protocol === 'https:';
    const headers: Record<string, string | number> = { Accept: '*/*' };
    if (request.body) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = request.body.length;
    }
    const outgoing = (secure ? https : http).request(request.url, {
      method: request.method,
      headers,
      agent: secure ? agents['https:'] : agents['http:'],
    });
    const deadline = setTimeout(() => {
      finish({ kind: 'timeout' });
      outgoing.destroy();
    }, request.timeoutMs);
    outgoing.on('error', () => finish({ kind: 'network' }));
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          finish({ kind: 'too_large' });
          response.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        finish({
          kind: 'response',
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? 'application/octet-stream'),
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', () => finish({ kind: 'network' }));
      response.on('close', () => {
        if (!response.complete) finish({ kind: 'network' });
      });
    });
    outgoing.end(request.body);
  });
}
