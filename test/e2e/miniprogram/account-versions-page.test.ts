/**
 * @jest-environment jsdom
 */
// End to end, the merchant's versions card (issue 19): a merchant authorizes a mini-program through
// the emulator (plugin confirm, WeChat's own push to the built function), then the account page,
// rendered by miniprogram-simulate in local mode, asks the real function over HTTP, which asks the
// emulator's code management with the merchant's token. Another merchant opening the same appid
// gets the page's "not found". The stack runs in a child process, as in authorize-page.test.ts
// (esbuild refuses jest's jsdom realm).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RuntimeConfig } from '../../../miniprogram/config/runtime';
import type { LocalConfig } from '../../../miniprogram/dev/localConfig';
import { loadPage, PROJECT_ROOT, unloadAllPages, type LoadedPage } from '../../miniprogram/harness';
import { READY_PREFIX, type StackAddresses } from './stack-protocol';

const OWNER = 'e2e-versions-owner';
const STRANGER = 'e2e-versions-stranger';

const mockRuntime: RuntimeConfig = { mode: 'local', cloudEnv: '' };
const mockLocal: LocalConfig = { cloudUrl: 'http://127.0.0.1:1', openPlatformUrl: 'http://127.0.0.1:1', openid: OWNER };
jest.mock('../../../miniprogram/config/runtime', () => ({ RUNTIME: mockRuntime }));
jest.mock('../../../miniprogram/dev/localConfig', () => ({ LOCAL: mockLocal }));

jest.setTimeout(60_000);

interface RequestOptions {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: unknown;
  success?: (result: { data: unknown; statusCode: number; header: Record<string, unknown>; errMsg: string }) => void;
  fail?: (error: { errMsg: string }) => void;
  complete?: () => void;
}

/** wx.request over real HTTP, JSON in and out (the backend client only POSTs JSON). */
function wxRequest(options: RequestOptions): { abort(): void } {
  const body = options.data === undefined ? undefined : JSON.stringify(options.data);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...options.header };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const request = http.request(new URL(options.url), { method: options.method ?? 'GET', headers }, (response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
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

function httpJson<T>(method: string, url: string, data?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    wxRequest({
      url,
      method,
      data,
      success: (result) =>
        result.statusCode === 200 ? resolve(result.data as T) : reject(new Error(`${url}: HTTP ${result.statusCode}`)),
      fail: (error) => reject(new Error(error.errMsg)),
    });
  });
}

/** An action as the local cloud runtime takes it, for one merchant. */
async function action<T>(openid: string, name: string, payload: unknown): Promise<T> {
  const answer = await httpJson<{ result: { ok: boolean; data: T; error?: unknown } }>(
    'POST',
    `${stack.cloudOrigin}/callFunction`,
    {
      name: 'authorization',
      data: { action: name, payload },
      openid,
    },
  );
  if (!answer.result.ok) throw new Error(`${name}: ${JSON.stringify(answer.result.error)}`);
  return answer.result.data;
}

async function until(page: LoadedPage, what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    await page.flush();
  }
}

const textOf = (page: LoadedPage, selector: string) =>
  page.root.querySelector(selector)?.dom?.textContent?.replace(/\s+/g, ' ') ?? '';

let stackProcess: ChildProcess | undefined;
let stack: StackAddresses;
let dataDir: string;

function startStackProcess(dir: string): Promise<StackAddresses> {
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(__dirname, 'stack-process.ts'), dir], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  stackProcess = child;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (line) resolve(JSON.parse(line.slice(READY_PREFIX.length)) as StackAddresses);
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited (${code}) before it was ready:\n${err}`)));
  });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'versions-page-e2e-'));
  stack = await startStackProcess(dataDir);
  mockLocal.cloudUrl = stack.cloudOrigin;
  mockLocal.openPlatformUrl = stack.openPlatformUrl;
});

afterAll(async () => {
  unloadAllPages();
  const child = stackProcess;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test("the owner's account page reads the versions from WeChat through the function; a stranger's is not found", async () => {
  // The merchant authorizes one of the emulator's mini-programs; WeChat pushes it to the function.
  const session = await action<{ plugin: { preAuthCode: string } }>(OWNER, 'createAuthSession', {
    authType: 2,
    channel: 'plugin',
  });
  const { accounts } = await httpJson<{ accounts: { appid: string; kind: string; nickName: string }[] }>(
    'GET',
    `${stack.openPlatformUrl}/__emulator/accounts?authType=2`,
  );
  const mini = accounts.find((account) => account.kind === 'mini_program');
  if (!mini) throw new Error('the emulator offers no mini-program');
  await httpJson('POST', `${stack.openPlatformUrl}/__emulator/plugin/confirm`, {
    preAuthCode: session.plugin.preAuthCode,
    authorizerAppid: mini.appid,
  });
  const { authorizer } = await action<{ authorizer: { grantedSets: { id: number }[] } }>(OWNER, 'getAuthorizer', {
    appid: mini.appid,
  });
  expect(authorizer.grantedSets.map((set) => set.id)).toContain(18);

  const wx = { request: wxRequest };
  mockLocal.openid = OWNER;
  const page = await loadPage('pages/account-detail/index', { wxShims: wx, query: { appid: mini.appid } });
  await until(page, 'the versions card', () => page.root.data.versionsState === 'ready');
  // Nothing shipped to it yet: WeChat reports no online version and no audit.
  expect(textOf(page, '#version-live')).toContain('尚未发布');
  expect(page.root.querySelector('#version-audit')).toBeUndefined();
  expect(textOf(page, '#versions-checked')).toContain('微信数据更新于');
  expect(JSON.stringify(page.root.data)).not.toMatch(/access_token|accessToken/);
  unloadAllPages();

  mockLocal.openid = STRANGER;
  const stranger = await loadPage('pages/account-detail/index', { wxShims: wx, query: { appid: mini.appid } });
  await until(stranger, 'the not-found state', () => stranger.root.data.state === 'notFound');
  expect(stranger.root.data.versionsState).toBe('idle');
  expect(
    await action<unknown>(STRANGER, 'getMiniProgramVersions', { appid: mini.appid }).catch((e: Error) => e.message),
  ).toContain('NOT_FOUND');
});
