/**
 * One HTTP POST with a hard deadline, on a fresh connection (no keep-alive pool left behind
 * to hold a test runner open).
 */
import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status: number;
  body: string;
}

export function postWithDeadline(url: URL, body: string, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'user-agent': 'Mozilla/4.0' },
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', fail);
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    request.on('error', fail);
    request.end(body);
  });
}
