// Account detail page: every status, the error states, copy, re-authorization and history.
import type { AuthorizerDetail } from '../../typings/api';
import {
  CODE_SET,
  deferred,
  detail,
  exists,
  fail,
  fakeCloud,
  MEDIA_SET,
  MESSAGE_SET,
  ok,
  textOf,
  urlsOf,
  USER_SET,
  vantInner,
  type FakeCloud,
} from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const PAGE = 'pages/account-detail/index';
const APPID = 'wx1234567890abcdef';

function answering(account: AuthorizerDetail): FakeCloud {
  return fakeCloud({ getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: account }) });
}

async function open(fake: FakeCloud, query: Record<string, string> = { appid: APPID }): Promise<LoadedPage> {
  return loadPage(PAGE, { wxShims: { cloud: fake.cloud }, query });
}

function titles(page: LoadedPage): string[] {
  return page.callsTo('setNavigationBarTitle').map((args) => (args[0] as { title: string }).title);
}

/** Selectors only search a component's own tree, so list items carry their own class. */
function tagTexts(page: LoadedPage, itemClass: '.granted-set' | '.missing-set'): string[] {
  return page.root.querySelectorAll(itemClass).map((tag) => tag.dom?.textContent?.trim() ?? '');
}

afterEach(unloadAllPages);

test('asks the backend for the appid in the query and shows the header card', async () => {
  const fake = answering(detail({ history: [] }));
  const page = await open(fake);

  expect(fake.requests).toEqual([{ action: 'getAuthorizer', payload: { appid: APPID } }]);
  expect(textOf(page, '#header')).toContain('晨光咖啡');
  expect(textOf(page, '#kind-tag')).toBe('公众号');
  expect(textOf(page, '#status-tag')).toBe('正常');
  expect(textOf(page, '#principal')).toContain('晨光咖啡有限公司');
  expect(textOf(page, '#user-name')).toContain('gh_0123456789ab');
  expect(textOf(page, '#appid')).toContain(APPID);
  expect(textOf(page, '#verified')).toContain('已认证');
  expect(titles(page)).toEqual(['晨光咖啡']);
});

test('shows a skeleton until the account arrives', async () => {
  const held = deferred<ReturnType<typeof ok<'getAuthorizer'>>>();
  const page = await open(fakeCloud({ getAuthorizer: () => held.promise }));
  expect(exists(page, '#loading')).toBe(true);
  expect(exists(page, '#header')).toBe(false);

  held.resolve(ok<'getAuthorizer'>({ authorizer: detail() }));
  await page.flush();
  expect(exists(page, '#loading')).toBe(false);
  expect(exists(page, '#header')).toBe(true);
});

test('an active, complete account shows its sets and the revoke guide, and no update button', async () => {
  const page = await open(answering(detail({ verified: false })));

  expect(tagTexts(page, '.granted-set')).toEqual(['消息管理', '用户管理']);
  expect(exists(page, '#missing-sets')).toBe(false);
  expect(exists(page, '#notice')).toBe(false);
  expect(exists(page, '#reauthorize')).toBe(false);
  expect(textOf(page, '#verified')).toContain('未认证');
  expect(textOf(page, '#revoke-guide')).toContain('设置与开发 → 第三方平台授权管理');
  expect(textOf(page, '#revoke-guide')).toContain('只有账号管理员可以在微信中取消授权');
});

test('missing sets are highlighted and "补充权限" opens authorize for this official account', async () => {
  const page = await open(answering(detail({ missingSets: [MEDIA_SET] })));

  expect(tagTexts(page, '.missing-set')).toEqual(['素材管理']);
  const missingTag = page.root.querySelector('.missing-set')?.querySelector('.van-tag');
  expect(Array.from(missingTag?.dom?.classList ?? []).join(' ')).toContain('van-tag--warning');
  // The tag and the notice say the same state: no 正常 under a warning.
  expect(textOf(page, '#status-tag')).toBe('需补充权限');
  expect(textOf(page, '#notice')).toContain('需补充权限');
  expect(textOf(page, '#reauthorize')).toBe('补充权限');

  await tap(vantInner(page, 'reauthorize', '.van-button'), page);
  expect(urlsOf(page, 'navigateTo')).toEqual([`/pages/authorize/index?bizAppid=${APPID}&authType=1`]);
});

test('each missing set says why the provider needs it, when the provider said so', async () => {
  const page = await open(
    answering(detail({ missingSets: [{ ...MEDIA_SET, reason: '为你的公众号发布图文和商品素材' }, USER_SET] })),
  );
  const rows = page.root.querySelectorAll('.missing-row').map((row) => (row.dom?.textContent ?? '').replace(/\s+/g, ''));
  expect(rows).toEqual(['素材管理为你的公众号发布图文和商品素材', '用户管理']);
});

test.each([
  ['mini_program', 2],
  ['mini_game', 2],
  ['store', 2],
  ['channels', 5],
  ['supplier', 6],
  ['unknown', 6],
] as const)('re-authorizing a %s account asks for authType %i', async (kind, authType) => {
  const page = await open(answering(detail({ kind, status: 'needs_reauth' })));
  await tap(vantInner(page, 'reauthorize', '.van-button'), page);
  expect(urlsOf(page, 'navigateTo')).toEqual([`/pages/authorize/index?bizAppid=${APPID}&authType=${authType}`]);
});

test('an account needing re-authorization says so and offers "重新授权"', async () => {
  const page = await open(answering(detail({ kind: 'mini_program', status: 'needs_reauth' })));

  expect(textOf(page, '#status-tag')).toBe('需重新授权');
  expect(Array.from(page.root.querySelector('#status-tag')?.querySelector('.van-tag')?.dom?.classList ?? []).join(' ')).toContain(
    'van-tag--danger',
  );
  expect(textOf(page, '#notice')).toContain('需重新授权');
  expect(textOf(page, '#notice')).toContain('请账号管理员重新授权');
  expect(textOf(page, '#reauthorize')).toBe('重新授权');
  expect(textOf(page, '#revoke-guide')).toContain('设置 → 第三方设置 → 授权管理');
});

test('a revoked account explains it was revoked and offers to authorize again, without the revoke guide', async () => {
  const page = await open(answering(detail({ kind: 'channels', status: 'revoked', grantedSets: [], missingSets: [] })));

  expect(textOf(page, '#status-tag')).toBe('已取消');
  expect(textOf(page, '#notice')).toContain('取消了对本服务商的授权');
  expect(textOf(page, '#reauthorize')).toBe('重新授权');
  expect(exists(page, '#granted-sets')).toBe(false);
  expect(exists(page, '#revoke-guide')).toBe(false);

  await tap(vantInner(page, 'reauthorize', '.van-button'), page);
  expect(urlsOf(page, 'navigateTo')).toEqual([`/pages/authorize/index?bizAppid=${APPID}&authType=5`]);
});

test('a removed set the account no longer has is named from historySets', async () => {
  const account = detail({
    history: [{ at: Date.UTC(2026, 10, 20, 2, 0), event: 'updateauthorized', added: [], removed: [54] }],
    historySets: [{ id: 54, name: '服务号对话管理' }],
  });
  const page = await open(answering(account));
  const text = (page.root.querySelectorAll('.event')[0]?.dom?.textContent ?? '').replace(/\s+/g, ' ');
  expect(text).toContain('− 服务号对话管理');
});

test('the history lists each event newest first, with added and removed set names', async () => {
  const base = Date.UTC(2026, 10, 20, 2, 0);
  const account = detail({
    grantedSets: [MESSAGE_SET, CODE_SET],
    missingSets: [USER_SET],
    history: [
      { at: base, event: 'authorized', added: [1, 2], removed: [] },
      { at: base + 3600_000, event: 'updateauthorized', added: [18], removed: [2, 99] },
      { at: base + 7200_000, event: 'needs_reauth', added: [], removed: [] },
      { at: base + 9000_000, event: 'reconciled', added: [], removed: [] },
      { at: base + 10800_000, event: 'unauthorized', added: [], removed: [] },
    ],
  });
  const page = await open(answering(account));

  const events = page.root.querySelectorAll('.event');
  const texts = events.map((event) => (event.dom?.textContent ?? '').replace(/\s+/g, ' ').trim());
  expect(page.root.querySelectorAll('.event-title').map((title) => title.dom?.textContent)).toEqual([
    '取消授权',
    '与微信同步', // merchants' words: never 对账
    '授权失效',
    '更新授权',
    '授权',
  ]);
  expect(texts[3]).toContain('+ 小程序开发与数据分析');
  expect(texts[3]).toContain('− 用户管理、权限集 99'); // 99 is unknown to this page: numbered, not dropped
  expect(texts[4]).toContain('+ 消息管理、用户管理');
  expect(texts[4]).not.toContain('−');
  const hm = (ms: number) => {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  };
  expect(texts[4]).toContain(hm(base));
});

test('an empty history says so', async () => {
  const page = await open(answering(detail({ history: [] })));
  expect(textOf(page, '#history')).toBe('暂无记录');
});

test('the copy button puts the appid on the clipboard', async () => {
  const page = await open(answering(detail()));

  await tap(vantInner(page, 'copy-appid', '.van-button'), page);

  expect(page.callsTo('setClipboardData')[0]?.[0]).toEqual(expect.objectContaining({ data: APPID }));
  const wxApi = (globalThis as unknown as { wx: { getClipboardData(): Promise<{ data: string }> } }).wx;
  expect((await wxApi.getClipboardData()).data).toBe(APPID);
});

test.each([
  ['missing', {}],
  ['empty', { appid: '' }],
  ['malformed', { appid: 'not-an-appid' }],
  ['too short', { appid: 'wx123' }],
  ['percent-encoded', { appid: '%E0%A4%A' }],
])('a %s appid shows a clear error and never calls the backend', async (_label, query) => {
  const fake = fakeCloud({});
  const page = await open(fake, query);

  expect(fake.requests).toEqual([]);
  expect(textOf(page, '#invalid')).toContain('链接里的账号信息不完整');
  await tap(vantInner(page, 'back-invalid', '.van-button'), page);
  expect(page.callsTo('navigateBack')).toHaveLength(1);
});

test('an account the backend does not know (or not this merchant\'s) shows "没有找到这个账号"', async () => {
  const page = await open(fakeCloud({ getAuthorizer: () => fail('NOT_FOUND', '没有找到这个账号') }));

  expect(textOf(page, '#not-found')).toContain('没有找到这个账号');
  expect(exists(page, '#retry')).toBe(false);
  expect(titles(page)).toEqual(['账号详情']);
});

test('"返回我的账号" opens the list when there is no page to go back to', async () => {
  const navigateBack = (options: { fail?: (e: unknown) => void }) => {
    setTimeout(() => options.fail?.({ errMsg: 'navigateBack:fail cannot navigate back at first page.' }), 0);
  };
  const fake = fakeCloud({ getAuthorizer: () => fail('NOT_FOUND', '没有找到这个账号') });
  const page = await loadPage(PAGE, { wxShims: { cloud: fake.cloud, navigateBack }, query: { appid: APPID } });

  await tap(vantInner(page, 'back-not-found', '.van-button'), page);
  await page.flush();

  expect(urlsOf(page, 'redirectTo')).toEqual(['/pages/accounts/index']);
});

test('other failures show the reason with a retry that loads again', async () => {
  const fake = fakeCloud({ getAuthorizer: () => fail('INTERNAL', '服务暂时不可用，请稍后重试') });
  const page = await open(fake);
  expect(textOf(page, '#error')).toContain('服务暂时不可用，请稍后重试');

  fake.answer({ getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: detail() }) });
  await tap(vantInner(page, 'retry', '.van-button'), page);

  expect(exists(page, '#error')).toBe(false);
  expect(textOf(page, '#header')).toContain('晨光咖啡');
  expect(fake.payloadsOf('getAuthorizer')).toHaveLength(2);
});

test('coming back after re-authorizing reloads quietly and shows the new grant', async () => {
  const fake = answering(detail({ missingSets: [MEDIA_SET] }));
  const page = await open(fake);
  expect(exists(page, '#reauthorize')).toBe(true);

  fake.answer({
    getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: detail({ grantedSets: [MESSAGE_SET, USER_SET, MEDIA_SET] }) }),
  });
  await page.hide();
  await page.show();

  expect(fake.payloadsOf('getAuthorizer')).toHaveLength(2);
  expect(tagTexts(page, '.granted-set')).toEqual(['消息管理', '用户管理', '素材管理']);
  expect(exists(page, '#reauthorize')).toBe(false);
});

describe('opened from the admin page (admin=1): broker usage and a live test call', () => {
  const usage = [
    { api: '/wxa/getwxacodeunlimit', calls: 12, errors: 1, lastErrcode: 0, lastAt: Date.UTC(2026, 11, 1, 2, 30) },
    { api: '/cgi-bin/account/getaccountbasicinfo', calls: 1, errors: 1, lastErrcode: 61007, lastAt: Date.UTC(2026, 11, 2, 3, 0) },
  ];

  function adminCloud(testCall: () => ReturnType<typeof ok<'testAuthorizerCall'>> | ReturnType<typeof fail>): FakeCloud {
    return fakeCloud({
      getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: detail() }),
      authorizerUsage: () => ok<'authorizerUsage'>({ usage }),
      testAuthorizerCall: testCall,
    });
  }

  test('shows the calls per API with their last outcome', async () => {
    const fake = adminCloud(() => fail('INTERNAL', 'unused'));
    const page = await open(fake, { appid: APPID, admin: '1' });
    expect(fake.requests.map((r) => r.action)).toEqual(['getAuthorizer', 'authorizerUsage']);
    expect(fake.payloadsOf('authorizerUsage')).toEqual([{ appid: APPID }]);
    const text = textOf(page, '#usage');
    expect(text).toContain('/wxa/getwxacodeunlimit');
    expect(text).toContain('调用 12 次 · 失败 1 次');
    expect(text).toContain('错误 61007');
    expect(exists(page, '#test-result')).toBe(false);
  });

  test('the test call shows what WeChat answered, then refreshes the figures', async () => {
    const fake = adminCloud(() =>
      ok<'testAuthorizerCall'>({
        ok: true,
        errcode: 0,
        message: '调用成功：已从微信取回账号基本信息',
        nickname: '晨光咖啡',
        principalName: '晨光咖啡有限公司',
      }),
    );
    const page = await open(fake, { appid: APPID, admin: '1' });
    await tap(vantInner(page, 'test-call', '.van-button'), page);
    await page.flush();
    expect(fake.payloadsOf('testAuthorizerCall')).toEqual([{ appid: APPID }]);
    expect(textOf(page, '#test-result')).toBe('调用成功：已从微信取回账号基本信息（晨光咖啡 · 晨光咖啡有限公司）');
    expect(fake.payloadsOf('authorizerUsage')).toHaveLength(2);
  });

  test('a refused test call says what the merchant must do', async () => {
    const fake = adminCloud(() =>
      ok<'testAuthorizerCall'>({
        ok: false,
        errcode: 61007,
        message: '商家未授予「小程序基本信息管理」权限集，请商家更新授权时勾选',
      }),
    );
    const page = await open(fake, { appid: APPID, admin: '1' });
    await tap(vantInner(page, 'test-call', '.van-button'), page);
    await page.flush();
    expect(textOf(page, '#test-result')).toContain('小程序基本信息管理');
  });

  test('without admin=1 there is no usage section and no usage request', async () => {
    const fake = adminCloud(() => fail('INTERNAL', 'unused'));
    const page = await open(fake);
    expect(exists(page, '#usage')).toBe(false);
    expect(fake.payloadsOf('authorizerUsage')).toEqual([]);
  });
});
