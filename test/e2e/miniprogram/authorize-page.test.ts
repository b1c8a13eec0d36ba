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
import type { RuntimeConfig } from '../../../miniprogram/config/runtime';
import type { LocalConfig } from '../../../miniprogram/dev/localConfig';
import type { AuthorizerSummary } from '../../../typings/api';
import { loadPage, tap, unloadAllPages, type LoadedPage } from '../../miniprogram/harness';
import { httpJson, startStackChild, textOf, until, wxRequest, type RequestOptions, type StackChild } from './played-client';
import type { StackAddresses } from './stack-protocol';

const MERCHANT_OPENID = 'e2e-page-merchant';

// The committed config says 'cloud'; local mode is the same switch `npm start` users flip. The
// page loads its modules in an isolated registry, so the switch is made where every load sees it.
const mockRuntime: RuntimeConfig = { mode: 'local', cloudEnv: '' };
const mockLocal: LocalConfig = { cloudUrl: 'http://127.0.0.1:1', openPlatformUrl: 'http://127.0.0.1:1', openid: MERCHANT_OPENID };
jest.mock('../../../miniprogram/config/runtime', () => ({ RUNTIME: mockRuntime }));
jest.mock('../../../miniprogram/dev/localConfig', () => ({ LOCAL: mockLocal }));

jest.setTimeout(60_000);

// ---------- the WeChat client, played ----------

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

// ---------- the stack ----------

let child: StackChild;
let stack: StackAddresses;

beforeAll(async () => {
  child = await startStackChild('authorize-page-e2e-');
  stack = child.addresses;
  mockLocal.cloudUrl = stack.cloudOrigin;
  mockLocal.openPlatformUrl = stack.openPlatformUrl;
});

afterAll(async () => {
  unloadAllPages();
  await child?.stop();
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
