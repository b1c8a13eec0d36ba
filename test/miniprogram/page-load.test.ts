// The pageLoad Behavior (miniprogram/behaviors/pageLoad.ts), exercised through the real pages that
// use it: only the latest load's answer lands, a quiet load never hides what is shown, a failure
// the page claims gets its own state, and coming back refreshes only a settled page.
import type { AuthorizerDetail } from '../../typings/api';
import {
  appConfig,
  deferred,
  detail,
  exists,
  fail,
  fakeCloud,
  healthyPlatform,
  ok,
  summary,
  textOf,
  type FakeCloud,
} from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const COFFEE = summary();
const SHOP = summary({ appid: 'wxabcdef1234567890', name: '晨光小铺' });
const APPID = COFFEE.appid;

type ListAnswer = ReturnType<typeof ok<'listMyAuthorizers'>>;

function accountsCloud(answers: (() => ListAnswer | Promise<ListAnswer>)[]): FakeCloud {
  let call = 0;
  return fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(false)),
    listMyAuthorizers: () => {
      const answer = answers[Math.min(call, answers.length - 1)];
      call += 1;
      return answer();
    },
  });
}

async function accountsPage(fake: FakeCloud): Promise<LoadedPage> {
  return loadPage('pages/accounts/index', { wxShims: { cloud: fake.cloud } });
}

async function pullDown(page: LoadedPage): Promise<void> {
  await (page.root.instance.onPullDownRefresh as () => Promise<void>)();
  await page.flush();
}

function toastTitles(page: LoadedPage): string[] {
  return page.callsTo('showToast').map((args) => (args[0] as { title: string }).title);
}

afterEach(unloadAllPages);

describe('only the latest load lands', () => {
  test('a slow first answer arriving after a newer refresh is dropped', async () => {
    const slow = deferred<ListAnswer>();
    const page = await accountsPage(accountsCloud([() => slow.promise, () => ok<'listMyAuthorizers'>({ authorizers: [SHOP] })]));
    expect(page.root.data.state).toBe('loading');

    await pullDown(page);
    expect(textOf(page, '#list')).toContain('晨光小铺');

    slow.resolve(ok<'listMyAuthorizers'>({ authorizers: [COFFEE] }));
    await page.flush();
    expect(exists(page, `#account-${SHOP.appid}`)).toBe(true);
    expect(exists(page, `#account-${COFFEE.appid}`)).toBe(false);
  });

  test('a slow first failure arriving after a newer success shows no error', async () => {
    const slow = deferred<ListAnswer>();
    const page = await accountsPage(accountsCloud([() => slow.promise, () => ok<'listMyAuthorizers'>({ authorizers: [SHOP] })]));

    await pullDown(page);
    slow.resolve(fail('INTERNAL', '服务暂时不可用，请稍后重试'));
    await page.flush();

    expect(page.root.data.state).toBe('ready');
    expect(exists(page, '#error')).toBe(false);
    expect(toastTitles(page)).toEqual([]);
  });

  test('the admin list keeps its own sequence: an old filter answering late never replaces the new one', async () => {
    const oldFilter = deferred<ReturnType<typeof ok<'listAuthorizers'>>>();
    let call = 0;
    const fake = fakeCloud({
      getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
      platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
      listAuthorizers: () => {
        call += 1;
        if (call === 2) return oldFilter.promise;
        return ok<'listAuthorizers'>({ total: 1, authorizers: [call === 1 ? COFFEE : SHOP] });
      },
    });
    const page = await loadPage('pages/admin/index', { wxShims: { cloud: fake.cloud } });

    const onKindChange = page.root.instance.onKindChange as (event: { detail: unknown }) => void;
    onKindChange.call(page.root.instance, { detail: 'mini_program' });
    onKindChange.call(page.root.instance, { detail: 'official_account' });
    await page.flush();
    oldFilter.resolve(ok<'listAuthorizers'>({ total: 1, authorizers: [COFFEE] }));
    await page.flush();

    const names = (page.root.data.authorizers as { name: string }[]).map((a) => a.name);
    expect(names).toEqual(['晨光小铺']);
  });
});

describe('failures', () => {
  test('a first load that fails shows the error state; retry loads again with the skeleton', async () => {
    const held = deferred<ListAnswer>();
    const page = await accountsPage(accountsCloud([() => fail('INTERNAL', '服务暂时不可用，请稍后重试'), () => held.promise]));
    expect(textOf(page, '#error')).toContain('服务暂时不可用');

    await tap(page.root.querySelector('#retry')?.querySelector('.van-button'), page);
    expect(page.root.data.state).toBe('loading');
    expect(page.root.data.errorText).toBe('');

    held.resolve(ok<'listMyAuthorizers'>({ authorizers: [COFFEE] }));
    await page.flush();
    expect(page.root.data.state).toBe('ready');
  });

  test('a failure the page claims gets its state (account-detail: NOT_FOUND) instead of the error state', async () => {
    const fake = fakeCloud({ getAuthorizer: () => fail('NOT_FOUND', '没有找到这个账号') });
    const page = await loadPage('pages/account-detail/index', { wxShims: { cloud: fake.cloud }, query: { appid: APPID } });

    expect(page.root.data.state).toBe('notFound');
    expect(page.root.data.errorText).toBe('');
    expect(exists(page, '#error')).toBe(false);
  });

  test('a quiet reload that fails keeps the account, its title, and explains by toast', async () => {
    const account: AuthorizerDetail = detail();
    const fake = fakeCloud({ getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: account }) });
    const page = await loadPage('pages/account-detail/index', { wxShims: { cloud: fake.cloud }, query: { appid: APPID } });

    fake.answer({ getAuthorizer: () => fail('INTERNAL', '服务暂时不可用，请稍后重试') });
    await page.hide();
    await page.show();

    expect(page.root.data.state).toBe('ready');
    expect(textOf(page, '#header')).toContain(account.name);
    expect(toastTitles(page)).toEqual(['服务暂时不可用，请稍后重试']);
    const titles = page.callsTo('setNavigationBarTitle').map((args) => (args[0] as { title: string }).title);
    expect(titles).toEqual([account.name]);
  });
});

describe('coming back to the page', () => {
  test('the first show right after onLoad does not load a second time', async () => {
    const fake = accountsCloud([() => ok<'listMyAuthorizers'>({ authorizers: [COFFEE] })]);
    await accountsPage(fake);
    expect(fake.payloadsOf('listMyAuthorizers')).toHaveLength(1);
  });

  test('after an error, coming back tries again and shows the list', async () => {
    const fake = accountsCloud([
      () => fail('INTERNAL', '服务暂时不可用，请稍后重试'),
      () => ok<'listMyAuthorizers'>({ authorizers: [COFFEE] }),
    ]);
    const page = await accountsPage(fake);
    expect(page.root.data.state).toBe('error');

    await page.hide();
    await page.show();

    expect(fake.payloadsOf('listMyAuthorizers')).toHaveLength(2);
    expect(textOf(page, '#list')).toContain('晨光咖啡');
  });

  test('a page still loading is not asked again', async () => {
    const held = deferred<ListAnswer>();
    const fake = accountsCloud([() => held.promise]);
    const page = await accountsPage(fake);

    await page.hide();
    await page.show();

    expect(fake.payloadsOf('listMyAuthorizers')).toHaveLength(1);
  });

  test('a page in a state of its own (invalid link) is not reloaded', async () => {
    const fake = fakeCloud({});
    const page = await loadPage('pages/account-detail/index', { wxShims: { cloud: fake.cloud }, query: { appid: 'nope' } });

    await page.hide();
    await page.show();

    expect(page.root.data.state).toBe('invalid');
    expect(fake.requests).toEqual([]);
  });

  test('the admin page refreshes its health panel only, leaving the list as it was', async () => {
    const fake = fakeCloud({
      getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
      platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
      listAuthorizers: () => ok<'listAuthorizers'>({ total: 1, authorizers: [COFFEE] }),
    });
    const page = await loadPage('pages/admin/index', { wxShims: { cloud: fake.cloud } });

    await page.hide();
    await page.show();

    expect(fake.payloadsOf('platformHealth')).toHaveLength(2);
    expect(fake.payloadsOf('listAuthorizers')).toHaveLength(1);
    expect(fake.payloadsOf('getAppConfig')).toHaveLength(1);
  });
});
