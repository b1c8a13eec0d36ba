/**
 * @jest-environment jsdom
 */
// End to end from the merchant's thumb: the Authorize page rendered by miniprogram-simulate in
// local mode talks over real HTTP to the local stack (cloud runtime running the built function,
// Open Platform emulator). The plugin stand-in confirms through the emulator, the emulator pushes
// `authorized` to the function, and the page learns the outcome from the backend; then the
// "My accounts" page lists the account.
//
// What is not WeChat's own code is real: page, backend client, local transport, plugin stand-in,
// function bundle, emulators. Only the WeChat client is played: wx.request (node http), the action
// sheet (the developer picks the first account) and storage. jsdom because simulate needs a DOM;
// the stack runs in a child process (as under `npm start`) because esbuild, which the stack
// imports, refuses jest's jsdom realm (its typed arrays are not Node's).
import { Buffer } from 'node:buffer';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RuntimeConfig } from '../../../miniprogram/config/runtime';
import type { LocalConfig } from '../../../miniprogram/dev/localConfig';
import type { AuthorizerSummary } from '../../../typings/api';
import { loadPage, PROJECT_ROOT, tap, unloadAllPages, type LoadedPage } from '../../miniprogram/harness';
import { READY_PREFIX, type StackAddresses } from './stack-protocol';

const MERCHANT_OPENID = 'e2e-page-merchant';

// The committed config says 'cloud'; local mode is the same switch `npm start` users flip. The
// page loads its modules in an isolated registry, so the switch is made where every load sees it.
const mockRuntime: RuntimeConfig = { mode: 'local', cloudEnv: '' };
const mockLocal: LocalConfig = { cloudUrl: 'http://127.0.0.1:1', openPlatformUrl: 'http://127.0.0.1:1', openid: MERCHANT_OPENID };
jest.mock('../../../miniprogram/config/runtime', () => ({ RUNTIME: mockRuntime }));
jest.mock('../../../miniprogram/dev/localConfig', () => ({ LOCAL: mockLocal }));

jest.setTimeout(60_000);

// ---------- the WeChat client, played ----------

interface RequestOptions {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: unknown;
  success?: (result: { data: unknown; statusCode: number; header: Record<string, unknown>; errMsg: string }) => void;
  fail?: (error: { errMsg: string }) => void;
  complete?: () => void;
}

/** wx.request over real HTTP: GET data becomes the query, other data is sent as JSON. */
function wxRequest(options: RequestOptions): { abort(): void } {
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

/** The developer picks the first test account the stand-in offers… */
function pickFirst(options: { itemList: string[]; success?: (r: { tapIndex: number }) => void }): void {
  setTimeout(() => options.success?.({ tapIndex: 0 }), 0);
}

/** …or closes the sheet, like closing the real plugin: nothing is confirmed. */
function closeSheet(options: { fail?: (e: { errMsg: string }) => void }): void {
  setTimeout(() => options.fail?.({ errMsg: 'showActionSheet:fail cancel' }), 0);
}

/** wx storage that outlives a page, as it outlives a cold start. */
function createStorage() {
  const items = new Map<string, unknown>();
  return {
    items,
    shims: {
      setStorageSync: (key: string, value: unknown) => void items.set(key, value),
      getStorageSync: (key: string) => (items.has(key) ? items.get(key) : ''),
      removeStorageSync: (key: string) => void items.delete(key),
    },
  };
}

interface WxShimOptions {
  storage?: ReturnType<typeof createStorage>;
  actionSheet?: typeof pickFirst | typeof closeSheet;
}

/** The played WeChat client; `answers` keeps what the cloud runtime answered each callFunction. */
function wxClient({ storage = createStorage(), actionSheet = pickFirst }: WxShimOptions = {}) {
  const answers: { action: string; result: unknown }[] = [];
  const request = (options: RequestOptions) =>
    wxRequest({
      ...options,
      success: (result) => {
        if (options.url.endsWith('/callFunction')) {
          const sent = options.data as { data: { action: string } };
          answers.push({ action: sent.data.action, result: (result.data as { result?: unknown }).result });
        }
        options.success?.(result);
      },
    });
  return { answers, shims: { request, showActionSheet: actionSheet, ...storage.shims } };
}

/** Every backend action the page sent over wx.request since `from` (an index into wxCalls). */
function actionsSent(page: LoadedPage, from = 0): string[] {
  return page.wxCalls
    .slice(from)
    .filter((call) => call.api === 'request' && (call.args[0] as RequestOptions).url.endsWith('/callFunction'))
    .map((call) => ((call.args[0] as RequestOptions).data as { data: { action: string } }).data.action);
}

/** Lets real timers and HTTP run until the condition holds. */
async function until(page: LoadedPage, what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    await page.flush();
  }
}

const textOf = (page: LoadedPage, selector: string) =>
  page.root.querySelector(selector)?.dom?.textContent?.replace(/\s+/g, ' ') ?? '';

/** The test's own look at the stack, over the same HTTP the page uses. */
function httpJson<T>(method: string, url: string, data?: unknown): Promise<T> {
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

// ---------- the stack ----------

let stackProcess: ChildProcess | undefined;
let stack: StackAddresses;
let dataDir: string;

/** Starts stack-process.ts with tsx and waits for its one line of addresses. */
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
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'authorize-page-e2e-'));
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

interface EmulatorAccount {
  appid: string;
  kind: string;
  nickName: string;
  principalName: string;
}
interface EmulatorPush {
  infoType: string;
  fields: Record<string, string | number>;
  delivered: boolean;
}

test('tap 立即授权 → the stand-in confirms → the push reaches the function → the page and My accounts show the account', async () => {
  const page = await loadPage('pages/authorize/index', { wxShims: wxClient().shims });
  expect(page.root.data.configState).toBe('ready'); // getAppConfig answered over HTTP

  await tap(page.root.querySelector('#type-2')?.querySelector('.van-cell'), page);
  await tap(page.root.querySelector('#authorize')?.querySelector('.van-button'), page);

  // The stand-in offered the emulator's mini-programs; the first was picked and confirmed.
  await until(page, 'the action sheet', () => page.callsTo('showActionSheet').length > 0);
  const offered = (page.callsTo('showActionSheet')[0][0] as { itemList: string[] }).itemList;
  const eligible = await httpJson<{ accounts: EmulatorAccount[] }>(
    'GET',
    `${stack.openPlatformUrl}/__emulator/accounts?authType=2`,
  );
  const picked = eligible.accounts.find((account) => offered[0]?.startsWith(`${account.nickName}（`));
  expect(picked?.kind).toBe('mini_program');
  if (!picked) throw new Error('the offered account is not an emulator account');

  // Back from the plugin: the page asks the backend until the session is authorized.
  await page.hide();
  const shownAt = page.wxCalls.length;
  await page.show();
  await until(page, 'the authorized account', () => page.root.data.phase === 'success' || page.root.data.phase === 'incomplete');
  expect(page.root.data.phase).toBe('success');
  expect(textOf(page, '#success')).toContain(picked.nickName);
  expect(textOf(page, '#success')).toContain(`小程序 · ${picked.principalName}`);
  expect(actionsSent(page, shownAt)).toContain('getAuthSession');

  // The emulator really pushed `authorized` for the code the page's session carried.
  const created = page.wxCalls.find(
    (call) => call.api === 'request' && String((call.args[0] as RequestOptions).url).includes('/__emulator/plugin/confirm'),
  );
  const preAuthCode = ((created?.args[0] as RequestOptions).data as { preAuthCode: string }).preAuthCode;
  const { pushes } = await httpJson<{ pushes: EmulatorPush[] }>('GET', `${stack.openPlatformUrl}/__emulator/pushes`);
  const authorizedPush = pushes.find((push) => push.infoType === 'authorized' && push.fields.PreAuthCode === preAuthCode);
  expect(authorizedPush?.delivered).toBe(true);
  expect(authorizedPush?.fields.AuthorizerAppid).toBe(picked.appid);

  // The backend lists it for this merchant.
  const mine = await httpJson<{ result: { ok: boolean; data: { authorizers: AuthorizerSummary[] } } }>(
    'POST',
    `${stack.cloudOrigin}/callFunction`,
    {
      name: 'authorization',
      data: { action: 'listMyAuthorizers', payload: {} },
      openid: MERCHANT_OPENID,
    },
  );
  expect(mine.result.data.authorizers.map((a) => a.appid)).toEqual([picked.appid]);

  // "查看我的账号" goes to My accounts, which lists the account.
  await tap(page.root.querySelector('#to-accounts')?.querySelector('.van-button'), page);
  expect(page.callsTo('navigateTo')[0]?.[0]).toMatchObject({ url: '/pages/accounts/index' });
  const accounts = await loadPage('pages/accounts/index', { wxShims: wxClient().shims });
  await until(accounts, 'the account list', () => (accounts.dom.textContent ?? '').includes(picked.nickName));
  expect(accounts.dom.textContent).toContain(picked.nickName);
});

test('a cold start while WeChat was open: the next launch resumes the stored session and shows the account', async () => {
  const storage = createStorage();
  const first = wxClient({ storage, actionSheet: closeSheet });
  const before = await loadPage('pages/authorize/index', { wxShims: first.shims });
  await tap(before.root.querySelector('#type-1')?.querySelector('.van-cell'), before);
  await tap(before.root.querySelector('#authorize')?.querySelector('.van-button'), before);
  await until(before, 'the action sheet', () => before.callsTo('showActionSheet').length > 0);

  // The session is remembered, then WeChat kills the mini-program.
  const stored = storage.items.get('pendingAuthSession') as { sessionId: string } | undefined;
  const session = first.answers.find((a) => a.action === 'createAuthSession')?.result as {
    data: { sessionId: string; plugin: { preAuthCode: string } };
  };
  expect(stored?.sessionId).toBe(session.data.sessionId);
  before.unload();

  // Meanwhile the admin confirms in WeChat (the emulator's plugin endpoint, as the stand-in uses).
  const eligible = await httpJson<{ accounts: EmulatorAccount[] }>(
    'GET',
    `${stack.openPlatformUrl}/__emulator/accounts?authType=1`,
  );
  const official = eligible.accounts[0];
  expect(official?.kind).toBe('official_account');
  const confirmed = await httpJson<{ ok: boolean }>('POST', `${stack.openPlatformUrl}/__emulator/plugin/confirm`, {
    preAuthCode: session.data.plugin.preAuthCode,
    authorizerAppid: official.appid,
  });
  expect(confirmed.ok).toBe(true);

  // Next launch: the home page finds the stored session, asks the backend and shows the result.
  const after = await loadPage('pages/authorize/index', { wxShims: wxClient({ storage }).shims });
  expect(after.root.data.selected).toBe(1);
  await until(after, 'the resumed session', () => after.root.data.phase === 'success' || after.root.data.phase === 'incomplete');
  expect(after.root.data.phase).toBe('success');
  expect(textOf(after, '#success')).toContain(official.nickName);
  expect(textOf(after, '#success')).toContain(`公众号 · ${official.principalName}`);
  expect(storage.items.has('pendingAuthSession')).toBe(false);
});
