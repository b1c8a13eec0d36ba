/**
 * The load generator, in a worker thread so that sending pushes does not share the event loop of
 * the server it measures (WeChat's push senders are not inside the function either). A closed
 * loop: `concurrency` senders, each POSTing its next request as soon as the previous one answered.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadJob, LoadRoundResult } from './http-load';

const job = workerData as LoadJob;
const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });

function post(path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: job.host, port: job.port, path, method: 'POST', agent, headers: { 'content-type': 'text/xml' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.setTimeout(job.timeoutMs, () => request.destroy(new Error(`no answer within ${job.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

async function round(requests: LoadJob['requests']): Promise<LoadRoundResult> {
  const latenciesMs: number[] = [];
  const unexpected: string[] = [];
  let next = 0;
  const sender = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      const started = performance.now();
      try {
        const answer = await post(request.path, request.body);
        latenciesMs.push(performance.now() - started);
        if (answer.status !== 200 || answer.body !== job.expectBody)
          unexpected.push(`HTTP ${answer.status} ${answer.body.slice(0, 80)}`);
      } catch (error) {
        unexpected.push((error as Error).message);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, sender));
  return { elapsedMs: performance.now() - started, latenciesMs, unexpected };
}

async function main(): Promise<void> {
  const warmup = await round(job.requests.slice(0, job.warmup));
  const measured = await round(job.requests.slice(job.warmup));
  agent.destroy();
  parentPort?.postMessage({ warmup, measured });
}

main().catch((error: unknown) => {
  agent.destroy();
  throw error;
});
