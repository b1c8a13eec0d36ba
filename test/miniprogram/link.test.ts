// The "Authorize on another device" page: PC and H5 links bound to this merchant, copying,
// expiry, and checking the result. Only WeChat's transport (wx.cloud) is faked.
import type { ActionName, AuthorizerSummary, AuthSessionView } from '../../typings/api';
import { loadPage, tap, unloadAllPages, type LoadedPage, type SimNode } from './harness';
import { qrModules } from '../../miniprogram/utils/qr';
import { decodeGif } from './gif';

const PAGE = 'pages/link/index';
const SESSION_ID = 'b'.repeat(32);
const EXPIRES_AT = new Date(2026, 10, 23, 20, 15).getTime();
const PC_URL = `https://env.example.test/wx/entry?sid=${SESSION_ID}`;
const H5_URL = `https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wx3f8a2c61d9e07b45&pre_auth_code=preauthcode%40%40%40x&auth_type=1#wechat_redirect`;

type Reply = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };
type Handler = (payload: Record<string, unknown>) => Reply | Promise<Reply> | 'network-error';

function fakeCloud(handlers: Partial<Record<ActionName, Handler>>) {
  const calls: { action: ActionName; payload: Record<string, unknown> }[] = [];
  const cloud = {
    init: () => undefined,
    callFunction: async ({ data }: { data: { action: ActionName; payload: Record<string, unknown> } }) => {
      calls.push(data);
      const handler = handlers[data.action];
      if (!handler) throw new Error(`no fake for ${data.action}`);
      const reply = await handler(data.payload ?? {});
      if (reply === 'network-error') throw new Error('cloud.callFunction:fail network');
      return { result: reply };
    },
  };
  return { cloud, callsOf: (action: ActionName) => calls.filter((c) => c.action === action).map((c) => c.payload) };
}

const ok = (data: unknown): Reply => ({ ok: true, data });
const fail = (code: string, message: string): Reply => ({ ok: false, error: { code, message } });

function config(bundles: { id: string; name: string; categoryIds: number[] }[] = []): Reply {
  return ok({ componentAppId: 'wx3f8a2c61d9e07b45', isAdmin: false, bundles, requiredSets: [], minPluginVersion: '0.3.10' });
}

/** createAuthSession as the function answers it for the pc and h5 channels. */
function createLink(payload: Record<string, unknown>, sessionId = SESSION_ID): Reply {
  const base = { sessionId, channel: payload.channel, expiresAt: EXPIRES_AT };
  return ok(
    payload.channel === 'pc' ? { ...base, pcEntryUrl: PC_URL.replace(SESSION_ID, sessionId) } : { ...base, h5Url: H5_URL },
  );
}

const OFFICIAL_ACCOUNT: AuthorizerSummary = {
  appid: 'wx8c41f2a9e6d07b13',
  kind: 'official_account',
  name: '青禾生活服务中心',
  avatarUrl: 'https://example.test/avatar.png',
  principalName: '青禾生活服务（杭州）有限公司',
  userName: 'gh_1b2c3d4e5f60',
  status: 'active',
  grantedSets: [{ id: 1, name: '消息管理' }],
  missingSets: [],
  authorizedAt: 1,
  updatedAt: 1,
};

function view(status: AuthSessionView['status'], extra: Partial<AuthSessionView> = {}): Reply {
  return ok({ sessionId: SESSION_ID, channel: 'pc', status, expiresAt: EXPIRES_AT, ...extra });
}

function byId(page: LoadedPage, id: string): SimNode | undefined {
  return page.root.querySelector(`#${id}`);
}

function text(page: LoadedPage, id: string): string {
  return byId(page, id)?.dom?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

/** Rendered classes without simulate's "<tag>--" scope prefix ("page--chip" -> "chip"). */
function classes(node: SimNode | undefined): string[] {
  return Array.from(node?.dom?.classList ?? []).map((name) => name.replace(/^[a-z-]+?--(?=[a-z])/, ''));
}

const vanButton = (page: LoadedPage, id: string) => byId(page, id)?.querySelector('.van-button');

async function open(handlers: Partial<Record<ActionName, Handler>> = {}, query?: Record<string, string>) {
  const backend = fakeCloud({ getAppConfig: () => config(), createAuthSession: (p) => createLink(p), ...handlers });
  const page = await loadPage(PAGE, { wxShims: { cloud: backend.cloud }, ...(query ? { query } : {}) });
  return { page, backend };
}

/** Chooses a type and a channel, then generates. */
async function generate(page: LoadedPage, authType: number, channel: 'pc' | 'h5'): Promise<void> {
  await tap(byId(page, `type-${authType}`)?.querySelector('.van-cell'), page);
  await tap(byId(page, `channel-${channel}`), page);
  await tap(vanButton(page, 'create'), page);
}

afterEach(unloadAllPages);

describe('choosing', () => {
  test('offers the kinds in the same radio list as the home page, and the two places to open', async () => {
    const { page } = await open();

    // The same template and words as the home page (pages/authorize/choices.wxml).
    expect(page.root.querySelectorAll('.type-row').map((row) => row.data.title)).toEqual([
      '公众号或小程序',
      '只授权公众号',
      '只授权小程序',
      '视频号',
      '公众号、小程序或视频号',
      '推客账号',
    ]);
    expect(page.root.data.selected).toBe(3);
    expect(text(page, 'channel-pc')).toBe('电脑扫码在电脑浏览器中打开，用管理员微信扫码');
    expect(text(page, 'channel-h5')).toBe('手机微信在微信中打开，由管理员确认');
    expect(classes(byId(page, 'channel-pc'))).toContain('segment--active');
    expect(classes(vanButton(page, 'create'))).not.toContain('van-button--disabled');

    await tap(byId(page, 'type-5')?.querySelector('.van-cell'), page);
    expect(page.root.data.selected).toBe(5);
  });

  test('the type comes preselected from the home page; 视频号 and 全部 show the Channels guidance', async () => {
    const { page } = await open({}, { authType: '6' });
    expect(page.root.data.selected).toBe(6);
    expect(text(page, 'channels-guide')).toBe('请先在视频号助手 → 直播管理 → 开放能力 中开通，再进行授权');

    await tap(byId(page, 'type-1')?.querySelector('.van-cell'), page);
    expect(byId(page, 'channels-guide')).toBeUndefined();
  });

  test('several bundles: the chosen one is requested', async () => {
    const bundles = [
      { id: 'basic', name: '基础服务', categoryIds: [1] },
      { id: 'full', name: '全部服务', categoryIds: [1, 15] },
    ];
    const { page, backend } = await open({ getAppConfig: () => config(bundles) });
    expect(page.root.querySelectorAll('.bundle-row').map((row) => row.data.title)).toEqual(['基础服务', '全部服务']);

    await tap(byId(page, 'bundle-full')?.querySelector('.van-cell'), page);
    await generate(page, 1, 'h5');
    expect(backend.callsOf('createAuthSession')).toEqual([{ authType: 1, channel: 'h5', bundleId: 'full' }]);
  });
});

describe('the link', () => {
  test('PC: the entry URL, its expiry and the steps for a desktop browser', async () => {
    const { page, backend } = await open();
    await generate(page, 1, 'pc');

    expect(backend.callsOf('createAuthSession')).toEqual([{ authType: 1, channel: 'pc' }]);
    expect(text(page, 'link-summary')).toBe('只授权公众号 · 电脑扫码修改');
    expect(text(page, 'link-url')).toBe(PC_URL);
    expect(text(page, 'link-expiry')).toBe('有效期至 2026-11-23 20:15，过期后请重新生成');
    expect(text(page, 'link-steps')).toContain('在电脑浏览器中打开');
    expect(text(page, 'link-steps')).toContain('用账号管理员的微信扫码');
  });

  test('H5: a QR code of the link drawn on the phone, never the raw URL, and the steps', async () => {
    const { page, backend } = await open();
    await generate(page, 2, 'h5');

    expect(backend.callsOf('createAuthSession')).toEqual([{ authType: 2, channel: 'h5' }]);
    expect(text(page, 'link-summary')).toBe('只授权小程序 · 手机微信修改');
    expect(byId(page, 'link-url')).toBeUndefined();
    expect(JSON.stringify(page.root.dom?.outerHTML)).not.toContain('pre_auth_code');
    expect(text(page, 'link-qr-box')).toContain('用账号管理员的微信扫码，或长按二维码识别');
    expect(text(page, 'link-expiry')).toBe('有效期至 2026-11-23 20:15，过期后请重新生成');

    // The picture is a GIF of exactly this link's code: header, size, and every module's colour.
    const qr = (page.root.data.link as { qr: string }).qr;
    expect(qr.startsWith('data:image/gif;base64,')).toBe(true);
    const gif = decodeGif(Buffer.from(qr.slice(qr.indexOf(',') + 1), 'base64'));
    const modules = qrModules(H5_URL);
    expect(gif.width).toBe(modules.length * 4 + 32);
    const darkAt = (row: number, col: number) => gif.pixel(16 + col * 4 + 2, 16 + row * 4 + 2) === 0;
    expect(modules.every((line, row) => line.every((dark, col) => darkAt(row, col) === dark))).toBe(true);
    expect(qrModules(H5_URL.replace('pre_auth_code=', 'pre_auth_code=y'))).not.toEqual(modules);
    expect(text(page, 'link-steps')).toContain('用微信扫描上方二维码');
  });

  test("H5: 把二维码发给管理员 writes the picture and opens WeChat's share menu; a cancel says nothing", async () => {
    const files = new Map<string, string>();
    const shims = {
      env: { USER_DATA_PATH: 'wxfile://usr' },
      getFileSystemManager: () => ({
        writeFile: (o: { filePath: string; data: string; encoding: string; success?: () => void }) => {
          files.set(o.filePath, `${o.encoding}:${o.data}`);
          o.success?.();
        },
      }),
      showShareImageMenu: (o: { path: string; fail?: (e: { errMsg: string }) => void }) =>
        o.fail?.({ errMsg: 'showShareImageMenu:fail cancel' }),
    };
    const backend = fakeCloud({ getAppConfig: () => config(), createAuthSession: (p) => createLink(p) });
    const page = await loadPage(PAGE, { wxShims: { cloud: backend.cloud, ...shims } });
    await generate(page, 2, 'h5');
    await tap(vanButton(page, 'share-qr'), page);

    const qr = (page.root.data.link as { qr: string }).qr;
    expect(files.get('wxfile://usr/authorize-link.gif')).toBe(`base64:${qr.slice(qr.indexOf(',') + 1)}`);
    expect(page.callsTo('showShareImageMenu')[0]?.[0]).toMatchObject({ path: 'wxfile://usr/authorize-link.gif' });
    expect(page.callsTo('showToast')).toEqual([]);
  });

  test('copying puts the link on the clipboard and says so', async () => {
    const { page } = await open();
    await generate(page, 1, 'pc');
    await tap(vanButton(page, 'copy'), page);

    expect(page.callsTo('setClipboardData')[0]?.[0]).toMatchObject({ data: PC_URL });
    const clipboard = (
      await (globalThis as unknown as { wx: { getClipboardData(): Promise<{ data: string }> } }).wx.getClipboardData()
    ).data;
    expect(clipboard).toBe(PC_URL);
    expect(page.callsTo('showToast')[0]?.[0]).toMatchObject({ title: '链接已复制' });
  });

  test('a refusal is shown in Chinese; generating again and 修改 work', async () => {
    let attempt = 0;
    const { page, backend } = await open({
      createAuthSession: (p) =>
        ++attempt === 1
          ? fail('NOT_READY', '平台还没有收到微信的 ticket，请稍后重试')
          : createLink(p, String(attempt).repeat(32)),
    });
    await generate(page, 1, 'pc');
    expect(page.callsTo('showModal')[0]?.[0]).toMatchObject({
      title: '未能生成链接',
      content: '平台还没有收到微信的 ticket，请稍后重试',
    });
    expect(page.root.data.phase).toBe('idle');

    await tap(vanButton(page, 'create'), page);
    expect(text(page, 'link-url')).toContain('2'.repeat(32));
    await tap(byId(page, 'regenerate'), page);
    expect(text(page, 'link-url')).toContain('3'.repeat(32));
    expect(backend.callsOf('createAuthSession')).toHaveLength(3);

    await tap(byId(page, 'edit'), page);
    expect(page.root.data.phase).toBe('idle');
    expect(page.root.data.selected).toBe(1); // the choices are kept
  });

  test('the generate button shows loading and ignores a second tap', async () => {
    let release: (reply: Reply) => void = () => undefined;
    const { page, backend } = await open({ createAuthSession: () => new Promise<Reply>((resolve) => (release = resolve)) });
    await tap(byId(page, 'type-1')?.querySelector('.van-cell'), page);
    await tap(vanButton(page, 'create'), page);
    expect(classes(vanButton(page, 'create'))).toContain('van-button--loading');
    await tap(vanButton(page, 'create'), page);
    expect(backend.callsOf('createAuthSession')).toHaveLength(1);

    release(createLink({ channel: 'pc' }));
    await page.flush();
    expect(text(page, 'link-url')).toBe(PC_URL);
  });
});

describe('checking the result', () => {
  test('pending, then authorized with the account card and a way to my accounts', async () => {
    const replies = [view('pending'), view('authorized', { authorizer: OFFICIAL_ACCOUNT })];
    const { page, backend } = await open({ getAuthSession: () => replies.shift() ?? view('authorized') });
    await generate(page, 1, 'pc');

    await tap(vanButton(page, 'check'), page);
    expect(text(page, 'link-result')).toBe('还没有收到授权结果：请先按上面的步骤完成授权，再来查看。');

    await tap(vanButton(page, 'check'), page);
    expect(backend.callsOf('getAuthSession')).toEqual([{ sessionId: SESSION_ID }, { sessionId: SESSION_ID }]);
    expect(text(page, 'link-result')).toContain('授权成功');
    expect(text(page, 'link-result')).toContain('青禾生活服务中心');
    expect(text(page, 'link-result')).toContain('公众号 · 青禾生活服务（杭州）有限公司');
    expect(text(page, 'link-result')).toContain('消息管理');

    await tap(vanButton(page, 'to-accounts'), page);
    expect(page.callsTo('navigateTo')[0]?.[0]).toMatchObject({ url: '/pages/accounts/index' });
  });

  test('failed with its reason; expired; and a network error while checking', async () => {
    const replies: (Reply | 'network-error')[] = [
      view('failed', { failure: { code: 'UPSTREAM', message: '授权码已失效' } }),
      'network-error',
      view('expired'),
    ];
    const { page } = await open({ getAuthSession: () => replies.shift() ?? view('expired') });
    await generate(page, 5, 'h5');

    await tap(vanButton(page, 'check'), page);
    // WeChat's reason alone, not a generic guess beside it.
    expect(text(page, 'link-result')).toBe('授权未完成：授权码已失效');

    await tap(vanButton(page, 'check'), page);
    expect(text(page, 'link-result')).toBe(
      '还没有收到授权结果：请先按上面的步骤完成授权，再来查看。网络不给力，请检查网络后重试',
    );

    await tap(vanButton(page, 'check'), page);
    expect(text(page, 'link-result')).toBe('链接已过期，请重新生成。');
  });

  test('the check button shows loading while asking', async () => {
    let release: (reply: Reply) => void = () => undefined;
    const { page, backend } = await open({ getAuthSession: () => new Promise<Reply>((resolve) => (release = resolve)) });
    await generate(page, 1, 'pc');
    await tap(vanButton(page, 'check'), page);

    expect(classes(vanButton(page, 'check'))).toContain('van-button--loading');
    await tap(vanButton(page, 'check'), page);
    expect(backend.callsOf('getAuthSession')).toHaveLength(1);
    release(view('pending'));
    await page.flush();
    expect(classes(vanButton(page, 'check'))).not.toContain('van-button--loading');
  });

  test('coming back to the page looks once, quietly: nothing shown while still pending', async () => {
    const replies = [view('pending'), view('authorized', { authorizer: OFFICIAL_ACCOUNT })];
    const { page, backend } = await open({ getAuthSession: () => replies.shift() ?? view('authorized') });
    await generate(page, 1, 'pc');

    await page.show();
    expect(backend.callsOf('getAuthSession')).toHaveLength(1);
    expect(page.root.data.result).toBe('none');
    expect(text(page, 'link-result')).toBe('');

    await page.show();
    expect(text(page, 'link-result')).toContain('青禾生活服务中心');
  });
});
