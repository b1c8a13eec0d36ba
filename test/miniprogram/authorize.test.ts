// The Authorize page (home): choosing, validation, the plugin launch, waiting on the backend and
// every way a session can end. Only WeChat's transport (wx.cloud), storage and the plugin are
// faked; the page, the backend client, polling and labels are the real code.
import type { ActionName, AuthorizerSummary, AuthSessionView, PermissionBundle } from '../../typings/api';
import type { ThirdPartyPlugin } from '../../typings/plugin';
import {
  createRecordingPlugin,
  loadPage,
  tap,
  unloadAllPages,
  type LoadedPage,
  type RecordingPlugin,
  type SimNode,
} from './harness';

const PAGE = 'pages/authorize/index';
const COMPONENT_APPID = 'wx3f8a2c61d9e07b45';
const SESSION_ID = 'a'.repeat(32);
const PRE_AUTH_CODE = 'preauthcode@@@first';
const STORAGE_KEY = 'pendingAuthSession';
/** POLL_SCHEDULE_MS in total, with room to spare. */
const WHOLE_SCHEDULE_MS = 20_000;

// ---------- fakes of WeChat's side ----------

type Reply = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };
type Handler = (payload: Record<string, unknown>) => Reply | Promise<Reply> | 'network-error';
interface BackendCall {
  action: ActionName;
  payload: Record<string, unknown>;
}

/** wx.cloud answering like the cloud function would; unanswered actions fail loudly. */
function fakeCloud(handlers: Partial<Record<ActionName, Handler>>) {
  const calls: BackendCall[] = [];
  const cloud = {
    init: () => undefined,
    callFunction: async ({ data }: { name: string; data: BackendCall }) => {
      calls.push({ action: data.action, payload: data.payload });
      const handler = handlers[data.action];
      if (!handler) throw new Error(`no fake for ${data.action}`);
      const reply = await handler(data.payload ?? {});
      if (reply === 'network-error') throw new Error('cloud.callFunction:fail network');
      return { result: reply, errMsg: 'cloud.callFunction:ok' };
    },
  };
  const callsOf = (action: ActionName) => calls.filter((call) => call.action === action).map((call) => call.payload);
  return { cloud, calls, callsOf };
}

/** wx storage with state (simulate's keeps none). */
function fakeStorage(initial: Record<string, unknown> = {}) {
  const items = new Map<string, unknown>(Object.entries(initial));
  return {
    items,
    shims: {
      setStorageSync: (key: string, value: unknown) => void items.set(key, JSON.parse(JSON.stringify(value))),
      getStorageSync: (key: string) => (items.has(key) ? items.get(key) : ''),
      removeStorageSync: (key: string) => void items.delete(key),
    },
  };
}

const ok = (data: unknown): Reply => ({ ok: true, data });
const fail = (code: string, message: string): Reply => ({ ok: false, error: { code, message } });

const LOGO = 'https://example.test/provider-logo.png';

function appConfig(bundles: PermissionBundle[] = [], isAdmin = false, provider = { name: '青禾数字', logoUrl: '' }): Reply {
  return ok({ componentAppId: COMPONENT_APPID, isAdmin, bundles, provider, requiredSets: [], minPluginVersion: '0.3.10' });
}

function created(authType: number, bizAppid?: string, preAuthCode = PRE_AUTH_CODE, sessionId = SESSION_ID): Reply {
  return ok({
    sessionId,
    channel: 'plugin',
    expiresAt: Date.now() + 1_800_000,
    plugin: { platformAppID: COMPONENT_APPID, preAuthCode, authType, ...(bizAppid ? { bizAppid } : {}) },
  });
}

const FLOWER_SHOP: AuthorizerSummary = {
  appid: 'wx6b93d0f2a7c4e815',
  kind: 'mini_program',
  name: '青禾鲜花预订',
  avatarUrl: '',
  principalName: '青禾花艺（杭州）有限公司',
  userName: 'gh_4a7c2e9b1d30',
  status: 'active',
  grantedSets: [
    { id: 17, name: '获取小程序码' },
    { id: 18, name: '小程序开发与数据分析' },
  ],
  missingSets: [{ id: 49, name: '小程序云开发管理' }],
  authorizedAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
};

function sessionView(status: AuthSessionView['status'], extra: Partial<AuthSessionView> = {}): Reply {
  return ok({ sessionId: SESSION_ID, channel: 'plugin', status, expiresAt: Date.now() + 1_800_000, ...extra });
}

/** getAuthSession answering from a script: one reply per call, the last one repeating. */
function scripted(...replies: Reply[]): Handler {
  let index = 0;
  return () => replies[Math.min(index++, replies.length - 1)];
}

// ---------- page helpers ----------

function byId(page: LoadedPage, id: string): SimNode | undefined {
  return page.root.querySelector(`#${id}`);
}

function button(page: LoadedPage, id: string): SimNode | undefined {
  return byId(page, id)?.querySelector('.van-button');
}

function classesOf(node: SimNode | undefined): string[] {
  return Array.from(node?.dom?.classList ?? []);
}

function textOf(page: LoadedPage, id: string): string {
  return byId(page, id)?.dom?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

async function chooseType(page: LoadedPage, authType: number): Promise<void> {
  await tap(byId(page, `type-${authType}`)?.querySelector('.van-cell'), page);
}

/** Types into the AppID field the way the keyboard does: an input event on Vant's <input>. */
async function typeBizAppid(page: LoadedPage, value: string): Promise<void> {
  const input = byId(page, 'biz-appid')
    ?.querySelectorAll('.van-field__control')
    .find((node) => node.dom?.tagName.toLowerCase() === 'wx-input');
  if (!input) throw new Error('AppID input not found');
  input.dispatchEvent('input', { detail: { value } });
  await page.flush();
}

/** Lets real timers run until the page reaches a phase (the first poll is 300 ms away). */
async function untilPhase(page: LoadedPage, phase: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (page.root.data.phase !== phase) {
    if (Date.now() > deadline) throw new Error(`page stayed in ${String(page.root.data.phase)}, expected ${phase}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await page.flush();
  }
}

interface Setup {
  handlers?: Partial<Record<ActionName, Handler>>;
  storage?: Record<string, unknown>;
  plugin?: ThirdPartyPlugin;
  query?: Record<string, string>;
}

async function open(setup: Setup = {}) {
  const backend = fakeCloud({ getAppConfig: () => appConfig(), ...setup.handlers });
  const storage = fakeStorage(setup.storage);
  const plugin = setup.plugin ?? createRecordingPlugin();
  const page = await loadPage(PAGE, {
    wxShims: { cloud: backend.cloud, ...storage.shims },
    plugin,
    ...(setup.query ? { query: setup.query } : {}),
  });
  return { page, backend, storage, plugin: plugin as RecordingPlugin };
}

afterEach(() => {
  unloadAllPages();
  jest.useRealTimers();
});

// ---------- choosing ----------

describe('choosing what to authorize', () => {
  test('lists the kinds in plain words, one line each, with the most common one preselected', async () => {
    const { page, backend } = await open();

    const rows = page.root.querySelectorAll('.type-row').map((row) => row.querySelector('.van-cell')?.dom?.textContent ?? '');
    expect(rows.map((text) => text.replace(/\s+/g, ''))).toEqual([
      '公众号或小程序最常用：服务号、订阅号、小程序或小游戏',
      '只授权公众号只列出服务号和订阅号',
      '只授权小程序只列出小程序和小游戏',
      '视频号需先在视频号助手开通开放能力',
      '公众号、小程序或视频号三类账号都列出，由管理员在微信中选择',
      '推客账号为小程序带货推广的推客账号',
    ]);
    expect(page.root.data.selected).toBe(3);
    expect(textOf(page, 'authorize')).toBe('立即授权');
    expect(classesOf(button(page, 'authorize'))).not.toContain('van-button--van-button--disabled');
    expect(byId(page, 'choose-hint')).toBeUndefined();
    expect(backend.callsOf('getAppConfig')).toHaveLength(1);

    await chooseType(page, 2);
    expect(page.root.data.selected).toBe(2);
  });

  test('arriving for one account without a type: the button is disabled and says why', async () => {
    const { page, backend } = await open({ query: { bizAppid: 'wx6b93d0f2a7c4e815' } });

    expect(page.root.data.selected).toBe(0);
    expect(classesOf(button(page, 'authorize'))).toContain('van-button--van-button--disabled');
    expect(textOf(page, 'choose-hint')).toBe('请先在上方选择要授权的账号类型');
    await tap(button(page, 'authorize'), page);
    expect(backend.callsOf('createAuthSession')).toHaveLength(0);

    await chooseType(page, 2);
    expect(byId(page, 'choose-hint')).toBeUndefined();
  });

  test("the provider's name and logo come from the configuration", async () => {
    const named = await open({ handlers: { getAppConfig: () => appConfig([], false, { name: '青禾数字', logoUrl: LOGO }) } });
    expect(textOf(named.page, 'provider-name')).toBe('授权给青禾数字');
    expect(byId(named.page, 'provider-logo')).toBeTruthy();
    expect((named.page.root.data.provider as { logoUrl: string }).logoUrl).toBe(LOGO);

    const plain = await open({ handlers: { getAppConfig: () => appConfig([], false, { name: '服务商', logoUrl: '' }) } });
    expect(textOf(plain.page, 'provider-name')).toBe('授权给服务商');
    expect(byId(plain.page, 'provider-logo')).toBeUndefined();
  });

  test('客服 is one tap away: a WeChat contact button', async () => {
    const { page } = await open();
    expect(byId(page, 'contact')?.dom?.textContent?.replace(/\s+/g, '')).toBe('遇到问题？联系客服');
    expect(byId(page, 'contact')?.dom?.outerHTML).toContain('contact');
  });

  test('the Channels guidance shows for 视频号 and 全部 only', async () => {
    const { page } = await open();
    const guide = '请先在视频号助手 → 直播管理 → 开放能力 中开通，再进行授权';

    for (const [authType, shown] of [
      [1, false],
      [5, true],
      [3, false],
      [6, true],
      [4, false],
    ] as const) {
      await chooseType(page, authType);
      expect(textOf(page, 'channels-guide')).toBe(shown ? guide : '');
    }
  });

  test('a tapped radio selects its type; unknown values from the group are ignored', async () => {
    const { page } = await open();

    const radios = page.root.querySelectorAll('.type-radio');
    await tap(radios[5]?.querySelector('.van-radio__icon'), page);
    expect(page.root.data.selected).toBe(4);

    byId(page, 'account-types')?.dispatchEvent('change', { detail: '7' });
    await page.flush();
    expect(page.root.data.selected).toBe(4);
  });

  test('with several permission bundles the merchant picks one, the first preselected', async () => {
    const bundles = [
      { id: 'basic', name: '基础服务', categoryIds: [1, 15] },
      { id: 'full', name: '全部服务', categoryIds: [1, 15, 18, 30] },
    ];
    const { page, backend } = await open({
      handlers: { getAppConfig: () => appConfig(bundles), createAuthSession: () => created(1) },
    });

    expect(
      page.root
        .querySelectorAll('.bundle-row')
        .map((row) => row.querySelector('.van-cell')?.dom?.textContent?.replace(/\s+/g, '')),
    ).toEqual(['基础服务共2个权限集', '全部服务共4个权限集']);
    expect(page.root.data.bundleId).toBe('basic');

    await tap(byId(page, 'bundle-full')?.querySelector('.van-cell'), page);
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);

    expect(backend.callsOf('createAuthSession')).toEqual([{ authType: 1, channel: 'plugin', bundleId: 'full' }]);
  });

  test('a single bundle is requested without asking; none means no bundleId', async () => {
    const single = await open({
      handlers: {
        getAppConfig: () => appConfig([{ id: 'only', name: '服务', categoryIds: [1] }]),
        createAuthSession: () => created(1),
      },
    });
    expect(single.page.root.querySelectorAll('.bundle-row')).toHaveLength(0);
    await chooseType(single.page, 1);
    await tap(button(single.page, 'authorize'), single.page);
    expect(single.backend.callsOf('createAuthSession')).toEqual([{ authType: 1, channel: 'plugin', bundleId: 'only' }]);

    const none = await open({ handlers: { createAuthSession: () => created(1) } });
    await chooseType(none.page, 1);
    await tap(button(none.page, 'authorize'), none.page);
    expect(none.backend.callsOf('createAuthSession')).toEqual([{ authType: 1, channel: 'plugin' }]);
  });

  test('a config that cannot be read says so and retries on tap; authorizing still works', async () => {
    let attempts = 0;
    const { page, backend } = await open({
      handlers: {
        getAppConfig: () => (++attempts === 1 ? fail('CONFIGURATION', '服务商尚未完成配置') : appConfig([], true)),
        createAuthSession: () => created(2),
      },
    });

    expect(textOf(page, 'config-error')).toBe('授权设置读取失败：服务商尚未完成配置重试');
    expect(byId(page, 'to-admin')).toBeUndefined();

    await tap(byId(page, 'reload-config'), page);
    expect(byId(page, 'config-error')).toBeUndefined();
    expect(textOf(page, 'to-admin')).toContain('平台管理');
    expect(backend.callsOf('getAppConfig')).toHaveLength(2);
  });
});

// ---------- the AppID field ----------

describe('authorizing one specific account', () => {
  test('a malformed AppID shows the field error and calls nothing', async () => {
    const { page, backend, plugin } = await open({ handlers: { createAuthSession: () => created(1) } });
    await chooseType(page, 1);

    for (const bad of ['wx123', 'gh_4a7c2e9b1d30abc', 'wx6b93d0f2a7c4e81!', 'WX6b93d0f2a7c4e815']) {
      await typeBizAppid(page, bad);
      await tap(button(page, 'authorize'), page);
      expect(textOf(page, 'biz-appid')).toContain('AppID 格式不正确：应为 wx 开头、共 18 位的字母或数字');
    }
    expect(backend.callsOf('createAuthSession')).toHaveLength(0);
    expect(plugin.authorizeAccountCalls).toHaveLength(0);

    await typeBizAppid(page, 'wx6b93d0f2a7c4e815');
    expect(textOf(page, 'biz-appid')).not.toContain('格式不正确'); // typing clears the error
  });

  test('a valid AppID goes to the backend and, as bizAppid, to the plugin', async () => {
    const { page, backend, plugin } = await open({
      handlers: { createAuthSession: (p) => created(2, p.bizAppid as string), getAuthSession: () => sessionView('pending') },
    });
    await chooseType(page, 2);
    await typeBizAppid(page, '  wx6b93d0f2a7c4e815 ');
    await tap(button(page, 'authorize'), page);

    expect(backend.callsOf('createAuthSession')).toEqual([{ authType: 2, channel: 'plugin', bizAppid: 'wx6b93d0f2a7c4e815' }]);
    expect(plugin.authorizeAccountCalls).toEqual([
      { platformAppID: COMPONENT_APPID, preAuthCode: PRE_AUTH_CODE, authType: 2, bizAppid: 'wx6b93d0f2a7c4e815' },
    ]);
  });

  test("the account page's 更新授权 arrives with bizAppid and authType preselected", async () => {
    const { page } = await open({ query: { bizAppid: 'wx6b93d0f2a7c4e815', authType: '2' } });

    expect(page.root.data.selected).toBe(2);
    expect(page.root.data.bizAppid).toBe('wx6b93d0f2a7c4e815');
    const checked = page.root
      .querySelectorAll('.type-radio')
      .map((r) => classesOf(r.querySelector('.van-radio__icon')).includes('van-radio--van-radio__icon--checked'));
    expect(checked).toEqual([false, false, true, false, false, false]);
  });
});

// ---------- launching the plugin ----------

describe('launching the plugin', () => {
  test('creates a plugin session and passes exactly the four launch fields', async () => {
    const { page, backend, plugin, storage } = await open({
      handlers: { createAuthSession: () => created(3), getAuthSession: () => sessionView('pending') },
    });
    await chooseType(page, 3);
    await tap(button(page, 'authorize'), page);

    expect(backend.callsOf('createAuthSession')).toEqual([{ authType: 3, channel: 'plugin' }]);
    expect(plugin.initCalls).toHaveLength(1);
    expect(plugin.authorizeAccountCalls).toEqual([{ platformAppID: COMPONENT_APPID, preAuthCode: PRE_AUTH_CODE, authType: 3 }]);
    expect(Object.keys(plugin.authorizeAccountCalls[0]).sort()).toEqual(['authType', 'platformAppID', 'preAuthCode']);
    expect(page.root.data.phase).toBe('waiting');
    expect(textOf(page, 'waiting')).toContain('等待微信确认…');
    expect(storage.items.get(STORAGE_KEY)).toEqual({ sessionId: SESSION_ID, expiresAt: expect.any(Number), authType: 3 });
  });

  test('the button shows loading while the session is created and ignores a second tap', async () => {
    let release: (reply: Reply) => void = () => undefined;
    const { page, backend, plugin } = await open({
      handlers: {
        createAuthSession: () => new Promise<Reply>((resolve) => (release = resolve)),
        getAuthSession: () => sessionView('pending'),
      },
    });
    await chooseType(page, 1);
    const authorize = button(page, 'authorize');
    await tap(authorize, page);

    expect(page.root.data.phase).toBe('creating');
    expect(classesOf(button(page, 'authorize'))).toContain('van-button--van-button--loading');
    expect(textOf(page, 'authorize')).toBe('正在发起授权…');
    await tap(authorize, page);
    await tap(button(page, 'authorize'), page);
    expect(backend.callsOf('createAuthSession')).toHaveLength(1);

    release(created(1));
    await page.flush();
    expect(page.root.data.phase).toBe('waiting');
    expect(plugin.authorizeAccountCalls).toHaveLength(1);
  });

  test('a backend refusal is shown in Chinese and the page returns to the choices', async () => {
    const { page, plugin } = await open({
      handlers: { createAuthSession: () => fail('NOT_READY', '平台还没有收到微信的 ticket，请稍后重试') },
    });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);

    expect(page.callsTo('showModal')).toEqual([
      [expect.objectContaining({ title: '未能发起授权', content: '平台还没有收到微信的 ticket，请稍后重试', showCancel: false })],
    ]);
    expect(page.root.data.phase).toBe('idle');
    expect(classesOf(button(page, 'authorize'))).not.toContain('van-button--van-button--loading');
    expect(plugin.authorizeAccountCalls).toHaveLength(0);
  });

  test('a network failure is shown as a network message', async () => {
    const { page } = await open({ handlers: { createAuthSession: () => 'network-error' } });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);

    expect(page.callsTo('showModal')[0]?.[0]).toMatchObject({ content: '网络不给力，请检查网络后重试' });
  });

  test('no plugin at all: a dialog explains it and no session is kept', async () => {
    const { page, storage } = await open({ handlers: { createAuthSession: () => created(1) } });
    (globalThis as unknown as { requirePlugin: () => never }).requirePlugin = () => {
      throw new Error('plugin not defined');
    };
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);

    expect(page.callsTo('showModal')).toEqual([
      [
        expect.objectContaining({
          title: '无法打开微信授权',
          content: '未能加载微信授权插件：请确认服务商已在开放平台开通「小程序服务商组件」。',
        }),
      ],
    ]);
    expect(page.root.data.phase).toBe('idle');
    expect(page.root.data.session).toBeNull();
    expect(storage.items.has(STORAGE_KEY)).toBe(false);
  });

  test('a plugin too old to have openAuthorizeAccount: the dialog names the version', async () => {
    const oldPlugin = { init() {}, authorize() {}, openTrial() {} } as unknown as ThirdPartyPlugin;
    const { page } = await open({ plugin: oldPlugin, handlers: { createAuthSession: () => created(1) } });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);

    expect(page.callsTo('showModal')[0]?.[0]).toMatchObject({
      title: '无法打开微信授权',
      content: '授权插件版本过低：需要 0.3.10 及以上版本，请联系服务商更新小程序。',
    });
    expect(page.root.data.phase).toBe('idle');
  });
});

// ---------- learning the outcome ----------

describe('after the plugin closes', () => {
  test('authorized: the account card with granted and missing sets, then the two buttons', async () => {
    const { page, backend, storage } = await open({
      handlers: {
        createAuthSession: () => created(2),
        getAuthSession: scripted(sessionView('pending'), sessionView('authorized', { authorizer: FLOWER_SHOP })),
      },
    });
    await chooseType(page, 2);
    await tap(button(page, 'authorize'), page);
    await page.hide(); // the plugin page covers ours
    await page.show(); // and closes
    await untilPhase(page, 'success');

    expect(backend.callsOf('getAuthSession').every((p) => p.sessionId === SESSION_ID)).toBe(true);
    const card = textOf(page, 'success');
    expect(card).toContain('授权成功');
    expect(card).toContain('青禾鲜花预订');
    expect(card).toContain('小程序 · 青禾花艺（杭州）有限公司');
    const granted = page.root.querySelectorAll('.account-card__granted')[0];
    expect(granted?.dom?.textContent?.replace(/\s+/g, '')).toBe('获取小程序码小程序开发与数据分析');
    expect(page.root.querySelectorAll('.account-card__missing')[0]?.dom?.textContent?.trim()).toBe('小程序云开发管理');
    expect(card).toContain('还缺少的权限集');
    expect(storage.items.has(STORAGE_KEY)).toBe(false);

    await tap(button(page, 'to-accounts'), page);
    expect(page.callsTo('navigateTo')[0]?.[0]).toMatchObject({ url: '/pages/accounts/index' });

    await tap(button(page, 'continue'), page);
    expect(page.root.data.phase).toBe('idle');
    expect(byId(page, 'authorize')).toBeDefined();
  });

  test('no missing sets: the card has no warning', async () => {
    const { page } = await open({
      handlers: {
        createAuthSession: () => created(2),
        getAuthSession: () => sessionView('authorized', { authorizer: { ...FLOWER_SHOP, missingSets: [] } }),
      },
    });
    await chooseType(page, 2);
    await tap(button(page, 'authorize'), page);
    await untilPhase(page, 'success');

    expect(textOf(page, 'success')).not.toContain('还缺少的权限集');
  });

  test('failed: says it was not completed, with the reason, and 重新授权 asks for a fresh code', async () => {
    let codes = 0;
    const { page, backend, plugin } = await open({
      handlers: {
        createAuthSession: () => {
          codes += 1;
          return created(1, undefined, `preauthcode@@@${codes}`);
        },
        getAuthSession: scripted(
          sessionView('failed', { failure: { code: 'UPSTREAM', message: '该账号已授权给其他服务商的互斥权限集' } }),
          sessionView('pending'),
        ),
      },
    });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);
    await untilPhase(page, 'failed');

    expect(textOf(page, 'failed')).toContain('授权未完成');
    // The specific reason alone: no generic "no result received" text to contradict it.
    expect(textOf(page, 'failed')).not.toContain('没有收到');
    expect(textOf(page, 'failure-reason')).toBe('该账号已授权给其他服务商的互斥权限集');
    expect(byId(page, 'unchanged-hint')).toBeUndefined();

    await tap(button(page, 'retry'), page);
    expect(backend.callsOf('createAuthSession')).toHaveLength(2);
    expect(plugin.authorizeAccountCalls.map((call) => call.preAuthCode)).toEqual(['preauthcode@@@1', 'preauthcode@@@2']);
    expect(page.root.data.phase).toBe('waiting');
  });

  test('the schedule runs out while pending: no result yet (not a failure), the unchanged case explained; 刷新结果 looks again', async () => {
    const { page, backend } = await open({
      handlers: {
        createAuthSession: () => created(1),
        getAuthSession: scripted(
          ...Array<Reply>(9).fill(sessionView('pending')),
          sessionView('authorized', { authorizer: FLOWER_SHOP }),
        ),
      },
    });
    await chooseType(page, 1);
    jest.useFakeTimers();
    byId(page, 'authorize')?.querySelector('.van-button')?.dispatchEvent('tap');
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);

    expect(page.root.data.phase).toBe('unknown');
    expect(backend.callsOf('getAuthSession')).toHaveLength(9);
    expect(textOf(page, 'unknown')).toContain('暂未收到授权结果');
    expect(textOf(page, 'unknown')).not.toContain('授权未完成');
    expect(byId(page, 'failure-reason')).toBeUndefined();
    // WeChat sends nothing when an authorized account re-confirms the same sets: say so.
    expect(textOf(page, 'unchanged-hint')).toContain('这次权限没有变化');

    byId(page, 'recheck')?.querySelector('.van-button')?.dispatchEvent('tap');
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);
    expect(page.root.data.phase).toBe('success');
    expect(backend.callsOf('getAuthSession')).toHaveLength(10);
  });

  test('checks that keep failing end as "no result yet" with the network reason', async () => {
    const { page } = await open({ handlers: { createAuthSession: () => created(1), getAuthSession: () => 'network-error' } });
    await chooseType(page, 1);
    jest.useFakeTimers();
    byId(page, 'authorize')?.querySelector('.van-button')?.dispatchEvent('tap');
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);

    expect(page.root.data.phase).toBe('unknown');
    expect(textOf(page, 'check-error')).toBe('查询结果时出错：网络不给力，请检查网络后重试');
  });

  test('a transient failure only skips one round', async () => {
    let calls = 0;
    const { page } = await open({
      handlers: {
        createAuthSession: () => created(2),
        getAuthSession: () => (++calls === 1 ? 'network-error' : sessionView('authorized', { authorizer: FLOWER_SHOP })),
      },
    });
    await chooseType(page, 2);
    await tap(button(page, 'authorize'), page);
    await untilPhase(page, 'success');
    expect(calls).toBe(2);
  });

  test('expired: says so and offers a fresh authorization', async () => {
    const { page, backend, storage } = await open({
      handlers: { createAuthSession: () => created(1), getAuthSession: () => sessionView('expired') },
    });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);
    await untilPhase(page, 'expired');

    expect(textOf(page, 'expired')).toContain('授权已过期');
    expect(storage.items.has(STORAGE_KEY)).toBe(false);
    await tap(byId(page, 'edit'), page);
    expect(page.root.data.phase).toBe('idle');
    expect(page.root.data.selected).toBe(1); // the choices are kept
    expect(backend.callsOf('createAuthSession')).toHaveLength(1);
  });

  test('a session the backend does not know: back to the choices with a toast', async () => {
    const { page } = await open({
      handlers: { createAuthSession: () => created(1), getAuthSession: () => fail('NOT_FOUND', '没有找到这次授权') },
    });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);
    await untilPhase(page, 'idle');

    expect(page.callsTo('showToast')[0]?.[0]).toMatchObject({ title: '没有找到这次授权，请重新发起' });
    expect(page.root.data.session).toBeNull();
  });

  test('hiding the page stops polling; showing it again resumes', async () => {
    const { page, backend } = await open({
      handlers: { createAuthSession: () => created(1), getAuthSession: () => sessionView('pending') },
    });
    await chooseType(page, 1);
    jest.useFakeTimers();
    byId(page, 'authorize')?.querySelector('.van-button')?.dispatchEvent('tap');
    await jest.advanceTimersByTimeAsync(0);
    (page.root.instance.onHide as () => void).call(page.root.instance); // page.hide() would wait on faked timers
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);
    expect(backend.callsOf('getAuthSession')).toHaveLength(0);
    expect(page.root.data.phase).toBe('waiting');

    (page.root.instance.onShow as () => void).call(page.root.instance);
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);
    expect(backend.callsOf('getAuthSession')).toHaveLength(9);
    expect(page.root.data.phase).toBe('unknown');
  });

  test('re-authorizing one owned account with no news: 授权未变更, neutral-positive, with the account as it stands', async () => {
    const { page, backend } = await open({
      query: { bizAppid: FLOWER_SHOP.appid, authType: '2' },
      handlers: {
        createAuthSession: (p) => created(2, p.bizAppid as string),
        getAuthSession: () => sessionView('pending'),
        getAuthorizer: () =>
          ok({ authorizer: { ...FLOWER_SHOP, serviceTypeId: 0, verified: true, history: [], historySets: [] } }),
      },
    });
    jest.useFakeTimers();
    byId(page, 'authorize')?.querySelector('.van-button')?.dispatchEvent('tap');
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);

    expect(page.root.data.phase).toBe('unchanged');
    expect(backend.callsOf('getAuthorizer')).toEqual([{ appid: FLOWER_SHOP.appid }]);
    expect(textOf(page, 'unchanged')).toContain('授权未变更');
    expect(textOf(page, 'unchanged')).toContain('原有授权继续有效');
    expect(textOf(page, 'unchanged')).toContain('青禾鲜花预订');
    // Blue, as on the web callback page: neither the green of success nor the orange of a problem.
    expect(byId(page, 'unchanged-icon')?.data.color).toBe('#1989fa');
  });

  test('no news about an account that is not (or no longer) theirs stays "no result yet"', async () => {
    const { page } = await open({
      query: { bizAppid: FLOWER_SHOP.appid, authType: '2' },
      handlers: {
        createAuthSession: (p) => created(2, p.bizAppid as string),
        getAuthSession: () => sessionView('pending'),
        getAuthorizer: () => fail('NOT_FOUND', '没有找到这个账号'),
      },
    });
    jest.useFakeTimers();
    byId(page, 'authorize')?.querySelector('.van-button')?.dispatchEvent('tap');
    await jest.advanceTimersByTimeAsync(WHOLE_SCHEDULE_MS);
    expect(page.root.data.phase).toBe('unknown');
  });

  test('不等了 stops waiting and forgets the session', async () => {
    const { page, storage } = await open({
      handlers: { createAuthSession: () => created(1), getAuthSession: () => sessionView('pending') },
    });
    await chooseType(page, 1);
    await tap(button(page, 'authorize'), page);
    await tap(button(page, 'cancel-waiting'), page);

    expect(page.root.data.phase).toBe('idle');
    expect(storage.items.has(STORAGE_KEY)).toBe(false);
  });
});

// ---------- cold start ----------

describe('a pending session in storage', () => {
  const stored = { sessionId: SESSION_ID, expiresAt: Date.now() + 600_000, authType: 5 };

  test('is resumed on load and polled on show', async () => {
    const { page, backend, storage } = await open({
      storage: { [STORAGE_KEY]: stored },
      handlers: {
        getAuthSession: () => sessionView('authorized', { authorizer: { ...FLOWER_SHOP, kind: 'channels', name: '青禾花艺' } }),
      },
    });

    expect(page.root.data.selected).toBe(5);
    expect(['waiting', 'success']).toContain(page.root.data.phase);
    await untilPhase(page, 'success');
    expect(backend.callsOf('getAuthSession')).toEqual([{ sessionId: SESSION_ID }]);
    expect(textOf(page, 'success')).toContain('视频号 · 青禾花艺（杭州）有限公司');
    expect(storage.items.has(STORAGE_KEY)).toBe(false);
  });

  test('is ignored when it is malformed', async () => {
    const { page, backend } = await open({ storage: { [STORAGE_KEY]: { sessionId: 'nope', expiresAt: 1, authType: 1 } } });
    expect(page.root.data.phase).toBe('idle');
    await page.flush();
    expect(backend.callsOf('getAuthSession')).toHaveLength(0);
  });

  test('gives way to an explicit request in the query', async () => {
    const { page } = await open({ storage: { [STORAGE_KEY]: stored }, query: { bizAppid: 'wx6b93d0f2a7c4e815', authType: '1' } });
    expect(page.root.data.phase).toBe('idle');
    expect(page.root.data.selected).toBe(1);
  });
});

// ---------- the other ways in ----------

describe('links from the home page', () => {
  test('to the link page (with the chosen type), to my accounts, and to the admin page for admins', async () => {
    const { page } = await open({ handlers: { getAppConfig: () => appConfig([], true) } });

    await tap(byId(page, 'to-link')?.querySelector('.van-cell'), page);
    await chooseType(page, 6);
    await tap(byId(page, 'to-link')?.querySelector('.van-cell'), page);
    await tap(byId(page, 'to-my-accounts')?.querySelector('.van-cell'), page);
    await tap(byId(page, 'to-admin')?.querySelector('.van-cell'), page);

    expect(page.callsTo('navigateTo').map((args) => (args[0] as { url: string }).url)).toEqual([
      '/pages/link/index?authType=3',
      '/pages/link/index?authType=6',
      '/pages/accounts/index',
      '/pages/admin/index',
    ]);
  });

  test('merchants who are not admins see no admin entry', async () => {
    const { page } = await open();
    expect(textOf(page, 'to-link')).toContain('在其他设备上授权');
    expect(byId(page, 'to-admin')).toBeUndefined();
  });
});
