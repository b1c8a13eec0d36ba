// What the mini-program end-to-end tests share: the WeChat client's wx.request played over real
// HTTP, waiting on a rendered page, and the local stack in a child process (esbuild, which the
// stack imports, refuses jest's jsdom realm: its typed arrays are not Node's).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, type LoadedPage } from '../../miniprogram/harness';
import { READY_PREFIX, type StackAddresses } from './stack-protocol';

export interface RequestOptions {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: unknown;
  success?: (result: { data: unknown; statusCode: number; header: Record<string, unknown>; errMsg: string }) => void;
  fail?: (error: { errMsg: string }) => void;
  complete?: () => void;
}

/** wx.request over real HTTP: GET data becomes the query, other data is sent as JSON. */
export function wxRequest(options: RequestOptions): { abort(): void } {
  const url = new URL(options.url);
  const method = (options.method ?? 'GET').toUpperCase();
  let body: string | undefined;
  if (options.data !== undefined && options.data !== null) {
    if (method === 'GET') {
      for (const [key, value] of Object.entries(options.data as Record<string, unknown>))
        url.searchParams.set(key, String(value));
    } else {
      body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
    }
  }
  const headers: Record<string, string | number> = { ...options.header };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const request = http.request(url, { method, headers }, (response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let data: unknown = text;
      if (String(response.headers['content-type'] ?? '').includes('json')) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      options.success?.({ data, statusCode: response.statusCode ?? 0, header: response.headers, errMsg: 'request:ok' });
      options.complete?.();
    });
  });
  request.on('error', (error) => {
    options.fail?.({ errMsg: `request:fail ${error.message}` });
    options.complete?.();
  });
  if (body !== undefined) request.write(body);
  request.end();
  return { abort: () => request.destroy() };
}

/** The test's own look at the stack, over the same HTTP the page uses. */
export function httpJson<T>(method: string, url: string, data?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    wxRequest({
      url,
      method,
      header: { 'content-type': 'application/json' },
      data,
      success: (result) =>
        result.statusCode === 200 ? resolve(result.data as T) : reject(new Error(`${url}: HTTP ${result.statusCode}`)),
      fail: (error) => reject(new Error(error.errMsg)),
    });
  });
}

/** Lets real timers and HTTP run until the condition holds. */
export async function until(page: LoadedPage, what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    await page.flush();
  }
}

export const textOf = (page: LoadedPage, selector: string): string =>
  page.root.querySelector(selector)?.dom?.textContent?.replace(/\s+/g, ' ') ?? '';

export interface StackChild {
  addresses: StackAddresses;
  /** Stops the stack and removes its data. */
  stop(): Promise<void>;
}

/** Starts stack-process.ts with tsx on fresh data and waits for its one line of addresses. */
export async function startStackChild(dataPrefix: string): Promise<StackChild> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), dataPrefix));
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(__dirname, 'stack-process.ts'), dataDir], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const addresses = await new Promise<StackAddresses>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (line) resolve(JSON.parse(line.slice(READY_PREFIX.length)) as StackAddresses);
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited (${code}) before it was ready:\n${err}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { addresses, stop };
}
