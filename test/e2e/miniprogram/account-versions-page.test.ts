/**
 * @jest-environment jsdom
 */
// End to end, the merchant's versions card (issue 19): a merchant authorizes a mini-program through
// the emulator (plugin confirm, WeChat's own push to the built function), then the account page,
// rendered by miniprogram-simulate in local mode, asks the real function over HTTP, which asks the
// emulator's code management with the merchant's token. Another merchant opening the same appid
// gets the page's "not found". The stack runs in a child process, as in authorize-page.test.ts
// (esbuild refuses jest's jsdom realm).
import type { RuntimeConfig } from '../../../miniprogram/config/runtime';
import type { LocalConfig } from '../../../miniprogram/dev/localConfig';
import { loadPage, unloadAllPages } from '../../miniprogram/harness';
import { httpJson, startStackChild, textOf, until, wxRequest, type StackChild } from './played-client';
import type { StackAddresses } from './stack-protocol';

const OWNER = 'e2e-versions-owner';
const STRANGER = 'e2e-versions-stranger';

const mockRuntime: RuntimeConfig = { mode: 'local', cloudEnv: '' };
const mockLocal: LocalConfig = { cloudUrl: 'http://127.0.0.1:1', openPlatformUrl: 'http://127.0.0.1:1', openid: OWNER };
jest.mock('../../../miniprogram/config/runtime', () => ({ RUNTIME: mockRuntime }));
jest.mock('../../../miniprogram/dev/localConfig', () => ({ LOCAL: mockLocal }));

jest.setTimeout(60_000);

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

let child: StackChild;
let stack: StackAddresses;

beforeAll(async () => {
  child = await startStackChild('versions-page-e2e-');
  stack = child.addresses;
  mockLocal.cloudUrl = stack.cloudOrigin;
  mockLocal.openPlatformUrl = stack.openPlatformUrl;
});

afterAll(async () => {
  unloadAllPages();
  await child?.stop();
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
