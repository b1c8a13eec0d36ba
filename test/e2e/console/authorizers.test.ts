/**
 * 授权账号 in the console, in Chromium on the local stack: the list (search, filter, sort, pages),
 * an account (sets, history, owners, usage) and its test call, the CSV export, each audited; then
 * the same screen over 100,000 authorizers, where a page must stay a few indexed reads.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform/state/fixtures';
import { seedAuthorizers } from '../../../emulator/scale-seed';
import { authorizeWithPush } from '../helpers/rules-stack';
import { cookieHeader, MERCHANT, raw, signInByActions, startConsoleStack, type ConsoleStack } from './console-stack';

jest.setTimeout(180_000);

const MP = DEFAULT_ACCOUNTS.find((a) => a.kind === 'mini_program')!.appid;
const OA = DEFAULT_ACCOUNTS.find((a) => a.kind === 'official_account')!.appid;

let stack: ConsoleStack;
let desk: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startConsoleStack();
  await authorizeWithPush(stack.flow.stack, MERCHANT, MP);
  await authorizeWithPush(stack.flow.stack, MERCHANT, OA);
  desk = await stack.newDesk();
  page = await desk.newPage();
  await signInByActions(stack, page);
});

afterAll(async () => {
  await stack?.close();
});

const rowAppids = () => page.locator('.console-table tbody tr td:nth-child(2)').allTextContents();

async function auditEntries(): Promise<Array<{ action: string; target: string; outcome: string }>> {
  return (await stack.flow.docs('consoleAudit')).map(({ action, target, outcome }) => ({ action, target, outcome }));
}

describe('the list', () => {
  test('every authorized account, newest change first; the nav marks the screen', async () => {
    await page.goto(`${stack.root}/authorizers`);
    expect(await page.locator('#nav-authorizers').getAttribute('aria-current')).toBe('page');
    expect((await rowAppids()).sort()).toEqual([MP, OA].sort());
    expect(await page.locator('.console-authorizers h1 small').textContent()).toBe('共 2 个');
    expect(await page.locator('[style], script:not([src])').count()).toBe(0);
  });

  test('search by AppID, filter by kind, sort by name', async () => {
    await page.locator('input[name=q]').fill(MP);
    await page.locator('.console-filters button[type=submit]').click();
    await page.waitForURL((url) => url.searchParams.get('q') === MP);
    expect(await rowAppids()).toEqual([MP]);
    expect(await page.locator('.console-note').textContent()).toContain('按 AppID 查找');

    await page.goto(`${stack.root}/authorizers`);
    await page.locator('select[name=kind]').selectOption('official_account');
    await page.locator('.console-filters button[type=submit]').click();
    await page.waitForURL((url) => url.searchParams.get('kind') === 'official_account');
    expect(await rowAppids()).toEqual([OA]);

    await page.goto(`${stack.root}/authorizers`);
    await page.locator('th a', { hasText: '名称' }).click();
    await page.waitForURL((url) => url.searchParams.get('sort') === 'name');
    expect(await page.locator('th[aria-sort]').textContent()).toContain('名称');
  });

  test('a filter the list does not know is said plainly, not a crash', async () => {
    const response = await page.goto(`${stack.root}/authorizers?kind=nonsense`);
    expect(response!.status()).toBe(200);
    expect(await page.locator('.console-error').textContent()).toBeTruthy();
    expect(await page.locator('.console-table').count()).toBe(0);
  });
});

describe('an account', () => {
  test('opens from its row: sets, history, owners, usage', async () => {
    await page.goto(`${stack.root}/authorizers?q=${MP}`);
    await page.locator(`.console-table tbody tr a`).first().click();
    await page.waitForURL((url) => url.pathname.endsWith(`/authorizers/${MP}`));
    expect(await page.locator('#nav-authorizers').getAttribute('aria-current')).toBe('page');
    const text = await page.locator('.console-account').textContent();
    expect(text).toContain(MP);
    expect(text).toContain('已授权的权限集');
    expect(text).toContain(MERCHANT);
    expect(await page.locator('.console-account .console-table').first().textContent()).toContain('授权');
  });

  test('the test call reaches WeChat through the broker and is in the audit log', async () => {
    await page.locator('.console-account form button[type=submit]').click();
    await page.locator('.console-test-call').waitFor();
    expect(await page.locator('.console-test-call').getAttribute('class')).toContain('ok');
    expect(await page.locator('.console-test-call').textContent()).toContain('调用成功');
    expect(await auditEntries()).toContainEqual({ action: 'testAuthorizerCall', target: MP, outcome: 'ok' });
    // The account's usage now counts the call.
    await page.goto(`${stack.root}/authorizers/${MP}`);
    expect(await page.locator('.console-account').textContent()).toContain('getaccountbasicinfo');
  });

  test('an AppID nobody authorized is a 404; a test call without the CSRF token is refused', async () => {
    const response = await page.goto(`${stack.root}/authorizers/wx0000000000000000`);
    expect(response!.status()).toBe(404);
    const cookie = await cookieHeader(desk, 'wxc_session');
    const before = (await auditEntries()).length;
    const forged = await raw(`${stack.root}/authorizers/${MP}/test-call`, {
      method: 'POST',
      cookie,
      origin: stack.origin,
      body: 'csrf=guess',
    });
    expect(forged.status).toBe(403);
    expect((await auditEntries()).length).toBe(before);
  });
});

describe('the CSV export', () => {
  test('the rows the filters select, with a BOM, as an attachment; audited', async () => {
    const cookie = await cookieHeader(desk, 'wxc_session');
    const file = await fetch(`${stack.root}/authorizers.csv?kind=mini_program`, { headers: { cookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="authorizers-\d{8}\.csv"$/);
    const bytes = Buffer.from(await file.arrayBuffer());
    // The BOM that makes Excel read UTF-8 (fetch's text() would hide it).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain(MP);
    expect(text).not.toContain(OA);
    expect(await auditEntries()).toContainEqual({ action: 'exportAuthorizers', target: 'kind=mini_program', outcome: 'ok' });
    // Only the parsed filters reach the log, never other words from the address.
    await fetch(`${stack.root}/authorizers.csv?status=active&note=${encodeURIComponent('伪造的一条记录')}`, {
      headers: { cookie },
    });
    expect(JSON.stringify(await auditEntries())).not.toContain('伪造');
    expect(await auditEntries()).toContainEqual({ action: 'exportAuthorizers', target: 'status=active', outcome: 'ok' });
  });

  test('no session: to the sign-in page; a bad filter: a 400 page', async () => {
    const anonymous = await raw(`${stack.root}/authorizers.csv`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`${new URL(stack.root).pathname}/login`);
    const cookie = await cookieHeader(desk, 'wxc_session');
    const bad = await raw(`${stack.root}/authorizers.csv?sort=bogus`, { cookie });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('无法导出');
  });
});

describe('100,000 authorizers', () => {
  const N = 100_000;
  let someName = '';

  beforeAll(async () => {
    const { openPlatform, cloud, clock } = stack.flow.stack;
    const grants = openPlatform.bulkAuthorize(N, 'console-e2e');
    await seedAuthorizers(cloud.db, grants, clock.now());
    const doc = await cloud.db
      .collection('authorizers')
      .doc(grants[N / 2].account.appid)
      .get();
    someName = String((doc.data as { name: string }).name);
    // Seeding 100,000 accounts with their indexes takes minutes on a busy 2-core machine.
  }, 600_000);

  /** Opens a console address, counting the database work the page cost. */
  async function openCounted(path: string) {
    const before = stack.flow.stack.cloud.dbCalls();
    const response = await page.goto(`${stack.root}${path}`);
    const after = stack.flow.stack.cloud.dbCalls();
    expect(response!.status()).toBe(200);
    // One read of the session, at most three of the list; none walks the whole collection.
    return { reads: after.reads - before.reads, unindexed: after.unindexedReads - before.unindexedReads };
  }

  test('the first page, the next, a search and a filter: each a few indexed reads', async () => {
    const first = await openCounted('/authorizers');
    expect(first).toEqual({ reads: expect.any(Number), unindexed: 0 });
    expect(first.reads).toBeLessThanOrEqual(4);
    expect(await page.locator('.console-authorizers h1 small').textContent()).toBe(`共 ${(N + 2).toLocaleString('zh-CN')} 个`);
    expect(await page.locator('.console-table tbody tr').count()).toBe(20);

    const next = await page.locator('a[rel=next]').getAttribute('href');
    const second = await openCounted(next!.replace(new URL(stack.root).pathname, ''));
    expect(second.unindexed).toBe(0);
    expect(second.reads).toBeLessThanOrEqual(4);

    const prefix = someName.slice(0, Math.max(1, someName.length - 2));
    const search = await openCounted(`/authorizers?q=${encodeURIComponent(prefix)}`);
    expect(search.unindexed).toBe(0);
    expect(search.reads).toBeLessThanOrEqual(4);
    const names = await page.locator('.console-table tbody tr td:first-child a').allTextContents();
    expect(names).toContain(someName);
    expect(names.every((name) => name.startsWith(prefix))).toBe(true);

    const filtered = await openCounted('/authorizers?kind=mini_program&status=active&sort=authorized');
    expect(filtered.unindexed).toBe(0);
    expect(filtered.reads).toBeLessThanOrEqual(4);
    expect(await page.locator('.console-table tbody tr td:nth-child(3)').allTextContents()).toEqual(
      Array.from({ length: 20 }, () => '小程序'),
    );
  });

  test('an export past 20,000 rows is refused in words (narrow the filters), and logged as failed', async () => {
    const cookie = await cookieHeader(desk, 'wxc_session');
    const refused = await raw(`${stack.root}/authorizers.csv`, { cookie });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('一次最多导出 20,000 个账号');
    expect(await auditEntries()).toContainEqual({ action: 'exportAuthorizers', target: '全部', outcome: 'failed' });
  });
});
