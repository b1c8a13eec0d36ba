// The one navigation failure policy (miniprogram/utils/navigation.ts), through the real pages:
// WeChat refusing to open a page over this one (ten pages deep) replaces this page instead; a
// page with nothing below goes to its fallback; when even that fails, the merchant is told.
import { accountDetailUrl, OPEN_FAILED, ROUTES } from '../../miniprogram/utils/routes';
import { appConfig, detail, fail, fakeCloud, ok, summary, urlsOf, vantInner } from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const COFFEE = summary();
const DETAIL_URL = accountDetailUrl(COFFEE.appid);

type Callbacks = { fail?: (error: { errMsg: string }) => void; success?: (result: { errMsg: string }) => void };

/** A wx navigation API that refuses, as WeChat does, through the fail callback. */
function refusing(errMsg: string) {
  return (options: Callbacks) => {
    setTimeout(() => options.fail?.({ errMsg }), 0);
  };
}

const STACK_FULL = refusing('navigateTo:fail webview count limit exceed');

async function accountsPage(wxShims: Record<string, unknown>): Promise<LoadedPage> {
  const fake = fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(false)),
    listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: [COFFEE] }),
  });
  return loadPage('pages/accounts/index', { wxShims: { cloud: fake.cloud, ...wxShims } });
}

function toastTitles(page: LoadedPage): string[] {
  return page.callsTo('showToast').map((args) => (args[0] as { title: string }).title);
}

async function tapAccount(page: LoadedPage): Promise<void> {
  await tap(page.root.querySelector(`#account-${COFFEE.appid}`)?.querySelector('.card'), page);
  await page.flush();
}

afterEach(unloadAllPages);

test('a page opens over the current one, and nothing else happens', async () => {
  const page = await accountsPage({});
  await tapAccount(page);

  expect(urlsOf(page, 'navigateTo')).toEqual([DETAIL_URL]);
  expect(urlsOf(page, 'redirectTo')).toEqual([]);
  expect(toastTitles(page)).toEqual([]);
});

test('when WeChat refuses to stack another page, the page replaces the current one', async () => {
  const page = await accountsPage({ navigateTo: STACK_FULL });
  await tapAccount(page);

  expect(urlsOf(page, 'navigateTo')).toEqual([DETAIL_URL]);
  expect(urlsOf(page, 'redirectTo')).toEqual([DETAIL_URL]);
  expect(toastTitles(page)).toEqual([]);
});

test('when replacing fails too, the merchant is told to try again', async () => {
  const page = await accountsPage({ navigateTo: STACK_FULL, redirectTo: refusing('redirectTo:fail page not found') });
  await tapAccount(page);

  expect(urlsOf(page, 'redirectTo')).toEqual([DETAIL_URL]);
  expect(toastTitles(page)).toEqual([OPEN_FAILED]);
});

test('every page follows the same policy: the link page opening "my accounts"', async () => {
  const fake = fakeCloud({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)) });
  const page = await loadPage('pages/link/index', { wxShims: { cloud: fake.cloud, navigateTo: STACK_FULL } });

  (page.root.instance.onAccountsTap as () => void)();
  await page.flush();

  expect(urlsOf(page, 'redirectTo')).toEqual([ROUTES.accounts]);
});

describe('going back', () => {
  const openDetail = (wxShims: Record<string, unknown>) => {
    const fake = fakeCloud({ getAuthorizer: () => fail('NOT_FOUND', '没有找到这个账号') });
    return loadPage('pages/account-detail/index', {
      wxShims: { cloud: fake.cloud, ...wxShims },
      query: { appid: detail().appid },
    });
  };

  test('goes back to the page below when there is one', async () => {
    const page = await openDetail({});
    await tap(vantInner(page, 'back-not-found', '.van-button'), page);

    expect(page.callsTo('navigateBack')).toHaveLength(1);
    expect(urlsOf(page, 'redirectTo')).toEqual([]);
  });

  test('with nothing below and the fallback page failing too, the merchant is told', async () => {
    const page = await openDetail({
      navigateBack: refusing('navigateBack:fail cannot navigate back at first page.'),
      redirectTo: refusing('redirectTo:fail timeout'),
    });
    await tap(vantInner(page, 'back-not-found', '.van-button'), page);
    await page.flush();

    expect(urlsOf(page, 'redirectTo')).toEqual([ROUTES.accounts]);
    expect(toastTitles(page)).toEqual([OPEN_FAILED]);
  });
});
