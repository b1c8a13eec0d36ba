import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface LoadRequest {
  /** Path and query, e.g. /wx/push?timestamp=… */
  path: string;
  body: string;
}

export interface LoadJob {
  host: string;
  port: number;
  requests: LoadRequest[];
  /** The first `warmup` requests are sent, checked, and not measured. */
  warmup: number;
  concurrency: number;
  /** Every answer must be HTTP 200 with exactly this body. */
  expectBody: string;
  timeoutMs: number;
}

export interface LoadRoundResult {
  elapsedMs: number;
  latenciesMs: number[];
  /** One entry per answer that was not the expected one (or a failed request). */
  unexpected: string[];
}

const WORKER_FILE = path.join(__dirname, 'http-load-worker.ts');

/** Runs the closed-loop load in a worker thread (the worker loads TypeScript through tsx). */
export function runHttpLoad(
  target: URL,
  job: Omit<LoadJob, 'host' | 'port'>,
): Promise<{ warmup: LoadRoundResult; measured: LoadRoundResult }> {
  const workerData: LoadJob = { ...job, host: target.hostname, port: Number(target.port) };
  const worker = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(WORKER_FILE)});`, {
    eval: true,
    workerData,
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: { warmup: LoadRoundResult; measured: LoadRoundResult }) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load worker exited (code ${code}) without a result`)));
  });
}
