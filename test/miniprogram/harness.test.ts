// The harness's own contract: the globals a page sees and the call log tests read.
import { createRecordingPlugin, loadPage, unloadAllPages } from './harness';

const PAGE = 'pages/authorize/index';
type Fn = (...args: unknown[]) => unknown;
const pageGlobals = globalThis as unknown as {
  wx: Record<string, Fn> & { cloud: Record<string, Fn> };
  requirePlugin: Fn;
  getApp: Fn;
};

afterEach(unloadAllPages);

test('requirePlugin returns the given plugin and refuses other names', async () => {
  const plugin = createRecordingPlugin();
  await loadPage(PAGE, { plugin });

  const loaded = pageGlobals.requirePlugin('miniprogram-thirdparty-plugin') as typeof plugin;
  loaded.openAuthorizeAccount({ platformAppID: 'wxcomponent', preAuthCode: 'preauthcode@@@x', authType: 3 });

  expect(plugin.authorizeAccountCalls).toEqual([{ platformAppID: 'wxcomponent', preAuthCode: 'preauthcode@@@x', authType: 3 }]);
  expect(() => pageGlobals.requirePlugin('another-plugin')).toThrow('unknown plugin another-plugin');
});

test('getApp returns the given app object', async () => {
  const app = { globalData: { launched: true } };
  await loadPage(PAGE, { app });
  expect(pageGlobals.getApp()).toBe(app);
});

test('wx calls are recorded, the clipboard keeps state and wx.cloud is the given object', async () => {
  const callFunction = jest.fn(async () => ({ result: { ok: true } }));
  const page = await loadPage(PAGE, { wxShims: { cloud: { init: () => undefined, callFunction } } });

  await pageGlobals.wx.setClipboardData({ data: 'https://example.test/link' });
  const read = (await pageGlobals.wx.getClipboardData()) as { data: string };
  const answer = await pageGlobals.wx.cloud.callFunction({ name: 'authorizer', data: { action: 'ping' } });

  expect(read.data).toBe('https://example.test/link');
  expect(answer).toEqual({ result: { ok: true } });
  // The page itself calls its own function ('authorization') on load; only ours is counted here.
  const ours = page.callsTo('cloud.callFunction').filter(([options]) => (options as { name: string }).name === 'authorizer');
  expect(callFunction).toHaveBeenCalledWith({ name: 'authorizer', data: { action: 'ping' } });
  expect(ours).toEqual([[{ name: 'authorizer', data: { action: 'ping' } }]]);
  expect(page.wxCalls.map((call) => call.api)).toEqual(
    expect.arrayContaining(['setClipboardData', 'getClipboardData', 'cloud.callFunction']),
  );
});

test('callback-style wx calls invoke success asynchronously', async () => {
  const page = await loadPage(PAGE);
  const success = jest.fn();

  pageGlobals.wx.setClipboardData({ data: 'x', success });
  expect(success).not.toHaveBeenCalled();
  await page.flush();

  expect(success).toHaveBeenCalledWith({ errMsg: 'setClipboardData:ok' });
});

test('the same page loads twice as independent instances', async () => {
  const first = await loadPage(PAGE);
  const second = await loadPage(PAGE);

  first.root.instance.setData({ selected: 2 });
  await first.flush();

  expect(first.root.data.selected).toBe(2);
  expect(second.root.data.selected).toBe(3); // the page's own default, untouched by the first
  expect([first.dom.isConnected, second.dom.isConnected]).toEqual([true, true]);
  first.unload();
  expect([first.dom.isConnected, second.dom.isConnected]).toEqual([false, true]);
});
