// "My accounts" page: states, taps and refresh, against a fake WeChat cloud.
import {
  appConfig,
  deferred,
  exists,
  fail,
  fakeCloud,
  MEDIA_SET,
  ok,
  summary,
  textOf,
  urlsOf,
  vantInner,
  type FakeCloud,
  type Handlers,
} from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const PAGE = 'pages/accounts/index';

const COFFEE = summary();
const SHOP = summary({
  appid: 'wxabcdef1234567890',
  kind: 'mini_program',
  name: '晨光小铺',
  principalName: '晨光咖啡有限公司',
  missingSets: [MEDIA_SET],
});
const OLD = summary({ appid: 'wx0000000000000001', kind: 'channels', name: '晨光视频号', status: 'needs_reauth' });
const GONE = summary({ appid: 'wx0000000000000002', name: '旧号', status: 'revoked', grantedSets: [] });

function answering(accounts: ReturnType<typeof summary>[], isAdmin = false): Handlers {
  return {
    listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: accounts }),
    getAppConfig: () => ok<'getAppConfig'>(appConfig(isAdmin)),
  };
}

async function open(fake: FakeCloud, wxShims: Record<string, unknown> = {}): Promise<LoadedPage> {
  return loadPage(PAGE, { wxShims: { cloud: fake.cloud, ...wxShims } });
}

function cardText(page: LoadedPage, appid: string): string {
  return textOf(page, `#account-${appid}`);
}

function tagClass(page: LoadedPage, appid: string): string[] {
  return Array.from(page.root.querySelector(`#account-${appid}`)?.querySelector('.status')?.dom?.classList ?? []);
}

afterEach(unloadAllPages);

test('shows a skeleton while the accounts load, then the list', async () => {
  const held = deferred<ReturnType<typeof ok<'listMyAuthorizers'>>>();
  const fake = fakeCloud({ ...answering([COFFEE]), listMyAuthorizers: () => held.promise });
  const page = await open(fake);

  expect(page.root.data.state).toBe('loading');
  expect(exists(page, '#loading')).toBe(true);
  expect(exists(page, '#list')).toBe(false);

  held.resolve(ok<'listMyAuthorizers'>({ authorizers: [COFFEE] }));
  await page.flush();

  expect(exists(page, '#loading')).toBe(false);
  expect(textOf(page, '#list')).toContain('已授权 1 个账号');
});

test('each account shows its name, kind, principal, status tag and what it is missing', async () => {
  const page = await open(fakeCloud(answering([COFFEE, SHOP, OLD, GONE])));

  expect(cardText(page, COFFEE.appid)).toContain('晨光咖啡');
  expect(cardText(page, COFFEE.appid)).toContain('公众号');
  expect(cardText(page, COFFEE.appid)).toContain('晨光咖啡有限公司');
  expect(cardText(page, COFFEE.appid)).toContain('正常');
  expect(tagClass(page, COFFEE.appid).join(' ')).toContain('status--success');
  expect(cardText(page, COFFEE.appid)).not.toContain('缺少权限');

  expect(cardText(page, SHOP.appid)).toContain('小程序');
  // One state per account: never 正常 beside what is missing.
  expect(cardText(page, SHOP.appid)).toContain('需补充权限');
  expect(cardText(page, SHOP.appid)).not.toContain('正常');
  expect(tagClass(page, SHOP.appid).join(' ')).toContain('status--warning');
  expect(cardText(page, SHOP.appid)).toContain('缺少：素材管理');

  expect(cardText(page, OLD.appid)).toContain('视频号');
  expect(cardText(page, OLD.appid)).toContain('需重新授权');
  expect(tagClass(page, OLD.appid).join(' ')).toContain('status--danger');
  expect(cardText(page, OLD.appid)).toContain('授权已失效，重新授权后恢复服务');

  expect(cardText(page, GONE.appid)).toContain('已取消');
  expect(tagClass(page, GONE.appid).join(' ')).toContain('status--default');

  // simulate keeps built-in attributes off the DOM: the card's own data carries the avatar it renders.
  const card = page.root.querySelector(`#account-${COFFEE.appid}`);
  expect(card?.querySelector('.avatar')).toBeTruthy();
  expect((card?.data.view as { avatarUrl?: string }).avatarUrl).toBe('https://example.test/avatar.png');
});

test('an account without an avatar shows the first character of its name instead', async () => {
  const page = await open(fakeCloud(answering([summary({ avatarUrl: '', name: '晨光咖啡' })])));
  const placeholder = page.root.querySelector(`#account-${COFFEE.appid}`)?.querySelector('.avatar--placeholder');
  expect(placeholder?.dom?.textContent?.trim()).toBe('晨');
});

test('tapping an account opens its detail page', async () => {
  const page = await open(fakeCloud(answering([COFFEE, SHOP])));

  await tap(page.root.querySelector(`#account-${SHOP.appid}`)?.querySelector('.card'), page);

  expect(urlsOf(page, 'navigateTo')).toEqual([`/pages/account-detail/index?appid=${SHOP.appid}`]);
});

test('one tap on 重新授权 / 补充权限 in the list opens authorize for that account, not its detail', async () => {
  const page = await open(fakeCloud(answering([COFFEE, SHOP, OLD, GONE])));
  const action = (appid: string) => page.root.querySelector(`#account-${appid}`)?.querySelector('.action');

  expect(action(COFFEE.appid)).toBeUndefined(); // nothing to do for a 正常 account
  expect(action(SHOP.appid)?.dom?.textContent?.trim()).toBe('补充权限');
  expect(action(OLD.appid)?.dom?.textContent?.trim()).toBe('重新授权');
  expect(action(GONE.appid)?.dom?.textContent?.trim()).toBe('重新授权');

  await tap(action(OLD.appid), page);
  await tap(action(SHOP.appid), page);
  expect(urlsOf(page, 'navigateTo')).toEqual([
    `/pages/authorize/index?bizAppid=${OLD.appid}&authType=5`,
    `/pages/authorize/index?bizAppid=${SHOP.appid}&authType=2`,
  ]);
});

test('the heading counts the accounts that need the merchant', async () => {
  const page = await open(fakeCloud(answering([COFFEE, SHOP, OLD, GONE])));
  expect(textOf(page, '#list-heading')).toBe('已授权 4 个账号，2 个需要处理');
});

test('from four accounts a search box filters by name, principal, AppID or status word', async () => {
  const few = await open(fakeCloud(answering([COFFEE, SHOP, OLD])));
  expect(exists(few, '#search')).toBe(false);
  few.unload();

  const page = await open(fakeCloud(answering([COFFEE, SHOP, OLD, GONE])));
  const search = page.root.querySelector('#search');
  expect(search).toBeTruthy();
  const shown = () => page.root.querySelectorAll('.account').map((card) => card.data.account as { appid: string });
  const type = async (text: string) => {
    search?.dispatchEvent('change', { detail: text });
    await page.flush();
  };

  await type('小铺');
  expect(shown().map((a) => a.appid)).toEqual([SHOP.appid]);
  await type('小程序 晨光'); // every word must match: kind and name
  expect(shown().map((a) => a.appid)).toEqual([SHOP.appid]);
  await type('晨光咖啡有限公司');
  expect(shown()).toHaveLength(4);
  await type('需重新授权');
  expect(shown().map((a) => a.appid)).toEqual([OLD.appid]);
  await type(GONE.appid.toUpperCase());
  expect(shown().map((a) => a.appid)).toEqual([GONE.appid]);
  await type('没有这个');
  expect(shown()).toEqual([]);
  expect(textOf(page, '#no-match')).toContain('没有找到“没有这个”相关的账号');

  search?.dispatchEvent('clear');
  await page.flush();
  expect(shown()).toHaveLength(4);
});

describe('授权失效时提醒我 (the lapse notice)', () => {
  const TEMPLATE = 'tmplLapse_0001abcdEF';
  const withNotice = (credits: number, extra: Handlers = {}): Handlers => ({
    ...answering([COFFEE]),
    getAppConfig: () => ok<'getAppConfig'>({ ...appConfig(false), lapseNotice: { templateId: TEMPLATE, credits } }),
    ...extra,
  });
  /** wx.requestSubscribeMessage answering `answer` for the template, as WeChat's dialog would. */
  const consentDialog = (answer: string) => ({
    requestSubscribeMessage: (o: { tmplIds: string[]; success?: (r: Record<string, string>) => void }) =>
      setTimeout(() => o.success?.({ errMsg: 'requestSubscribeMessage:ok', [o.tmplIds[0]]: answer }), 0),
  });

  test('hidden when the provider has not set it up', async () => {
    const page = await open(fakeCloud(answering([COFFEE])));
    expect(exists(page, '#lapse-notice')).toBe(false);
  });

  test('accept: asks WeChat for exactly the template, then tells the function, and shows what is allowed', async () => {
    const fake = fakeCloud(withNotice(0, { subscribeLapseNotice: () => ok<'subscribeLapseNotice'>({ credits: 1 }) }));
    const page = await open(fake, consentDialog('accept'));
    expect(textOf(page, '#lapse-notice')).toContain('账号需要重新授权或被取消时，通过微信通知你');

    await tap(vantInner(page, 'subscribe', '.van-button'), page);
    await page.flush();

    expect(page.callsTo('requestSubscribeMessage')[0]?.[0]).toMatchObject({ tmplIds: [TEMPLATE] });
    expect(fake.payloadsOf('subscribeLapseNotice')).toEqual([{ result: 'accept' }]);
    expect(textOf(page, '#lapse-notice')).toContain('已开启，还可提醒 1 次');
    expect(textOf(page, '#subscribe')).toBe('再开启一次');
    expect(page.callsTo('showToast')[0]?.[0]).toMatchObject({ title: '已开启提醒' });
  });

  test('reject: the function hears it (nothing counted) and the page says so', async () => {
    const fake = fakeCloud(withNotice(0, { subscribeLapseNotice: () => ok<'subscribeLapseNotice'>({ credits: 0 }) }));
    const page = await open(fake, consentDialog('reject'));
    await tap(vantInner(page, 'subscribe', '.van-button'), page);
    await page.flush();

    expect(fake.payloadsOf('subscribeLapseNotice')).toEqual([{ result: 'reject' }]);
    expect(textOf(page, '#subscribe')).toBe('开启提醒');
    expect(page.callsTo('showToast')[0]?.[0]).toMatchObject({ title: '未开启提醒' });
  });
});

test('with no accounts, the empty state leads to the authorize page', async () => {
  const page = await open(fakeCloud(answering([])));

  expect(textOf(page, '#empty')).toContain('还没有授权的账号');
  expect(exists(page, '#list')).toBe(false);
  await tap(vantInner(page, 'go-authorize', '.van-button'), page);

  expect(urlsOf(page, 'navigateTo')).toEqual(['/pages/authorize/index']);
});

test('the list also offers to authorize another account', async () => {
  const page = await open(fakeCloud(answering([COFFEE])));
  await tap(vantInner(page, 'add-account', '.van-button'), page);
  expect(urlsOf(page, 'navigateTo')).toEqual(['/pages/authorize/index']);
});

test('a failed load shows the reason and a retry that loads again', async () => {
  const fake = fakeCloud({
    ...answering([COFFEE]),
    listMyAuthorizers: () => fail('INTERNAL', '服务暂时不可用，请稍后重试'),
  });
  const page = await open(fake);

  expect(page.root.data.state).toBe('error');
  expect(textOf(page, '#error')).toContain('服务暂时不可用，请稍后重试');

  fake.answer({ listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: [COFFEE] }) });
  await tap(vantInner(page, 'retry', '.van-button'), page);

  expect(exists(page, '#error')).toBe(false);
  expect(cardText(page, COFFEE.appid)).toContain('晨光咖啡');
  expect(fake.payloadsOf('listMyAuthorizers')).toHaveLength(2);
});

test('a network failure shows the network message', async () => {
  const fake = fakeCloud({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)) }); // no list answer: transport throws
  const page = await open(fake);
  expect(textOf(page, '#error')).toContain('网络不给力，请检查网络后重试');
});

test('pull-down refresh reloads the list and stops the refresh indicator', async () => {
  const fake = fakeCloud(answering([COFFEE]));
  const page = await open(fake);

  fake.answer({ listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: [COFFEE, SHOP] }) });
  await (page.root.instance.onPullDownRefresh as () => Promise<void>)();
  await page.flush();

  expect(textOf(page, '#list')).toContain('已授权 2 个账号');
  expect(page.callsTo('stopPullDownRefresh')).toHaveLength(1);
});

test('a failed pull-down refresh keeps the list, explains by toast and still stops the indicator', async () => {
  const fake = fakeCloud(answering([COFFEE]));
  const page = await open(fake);

  fake.answer({ listMyAuthorizers: () => fail('INTERNAL', '服务暂时不可用，请稍后重试') });
  await (page.root.instance.onPullDownRefresh as () => Promise<void>)();
  await page.flush();

  expect(cardText(page, COFFEE.appid)).toContain('晨光咖啡');
  expect(page.callsTo('showToast').map((args) => (args[0] as { title: string }).title)).toEqual(['服务暂时不可用，请稍后重试']);
  expect(page.callsTo('stopPullDownRefresh')).toHaveLength(1);
});

test('coming back to the page refreshes quietly, without the skeleton', async () => {
  const fake = fakeCloud(answering([COFFEE]));
  const page = await open(fake);
  expect(fake.payloadsOf('listMyAuthorizers')).toHaveLength(1); // onLoad + first onShow load once

  fake.answer({ listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: [SHOP, COFFEE] }) });
  await page.hide();
  await page.show();

  expect(fake.payloadsOf('listMyAuthorizers')).toHaveLength(2);
  expect(textOf(page, '#list')).toContain('已授权 2 个账号');
});

test('admins see the platform management entry, which opens the admin page', async () => {
  const page = await open(fakeCloud(answering([COFFEE], true)));

  expect(textOf(page, '#admin-entry')).toContain('平台管理');
  await tap(vantInner(page, 'admin-entry', '.van-cell'), page);

  expect(urlsOf(page, 'navigateTo')).toEqual(['/pages/admin/index']);
});

test('merchants who are not admins do not see the entry, nor when the config cannot be read', async () => {
  const merchant = await open(fakeCloud(answering([COFFEE], false)));
  expect(exists(merchant, '#admin-entry')).toBe(false);

  const unreadable = await open(
    fakeCloud({ ...answering([COFFEE], true), getAppConfig: () => fail('INTERNAL', '配置读取失败') }),
  );
  expect(exists(unreadable, '#admin-entry')).toBe(false);
  expect(cardText(unreadable, COFFEE.appid)).toContain('晨光咖啡');
});

test('the page json enables pull-down refresh', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const json = require('../../miniprogram/pages/accounts/index.json') as { enablePullDownRefresh?: boolean };
  expect(json.enablePullDownRefresh).toBe(true);
});
