// Admin page: access check, health states (incl. 61004 with the IP to whitelist), the authorizer
// list with filters and paging, and reconcile.
import type { AuthorizerFilter, AuthorizerSummary } from '../../typings/api';
import { ageLabel, durationLabel, healthView } from '../../miniprogram/pages/admin/healthView';
import {
  appConfig,
  deferred,
  exists,
  fail,
  fakeCloud,
  healthyPlatform,
  ok,
  summary,
  textOf,
  urlsOf,
  vantInner,
  type FakeCloud,
  type Handlers,
} from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const PAGE = 'pages/admin/index';

function account(index: number, overrides: Partial<AuthorizerSummary> = {}): AuthorizerSummary {
  const appid = `wx${String(index).padStart(16, '0')}`;
  return summary({ appid, name: `账号${index}`, ...overrides });
}

const ACCOUNTS = Array.from({ length: 45 }, (_, i) => account(i + 1, i % 3 === 1 ? { kind: 'mini_program' } : {}));

/** listAuthorizers over ACCOUNTS, honouring filters and paging like the backend does. */
function listing(filter: AuthorizerFilter) {
  const matching = ACCOUNTS.filter(
    (a) => (!filter.kind || a.kind === filter.kind) && (!filter.status || a.status === filter.status),
  );
  const offset = filter.offset ?? 0;
  return ok<'listAuthorizers'>({
    total: matching.length,
    authorizers: matching.slice(offset, offset + (filter.limit ?? 20)),
  });
}

function admin(more: Handlers = {}): FakeCloud {
  return fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
    platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
    listAuthorizers: listing,
    ...more,
  });
}

async function open(fake: FakeCloud, wxShims: Record<string, unknown> = {}): Promise<LoadedPage> {
  return loadPage(PAGE, { wxShims: { cloud: fake.cloud, ...wxShims } });
}

function rowCount(page: LoadedPage): number {
  return page.root.querySelectorAll('.list-account').length;
}

function toastTitles(page: LoadedPage): string[] {
  return page.callsTo('showToast').map((args) => (args[0] as { title: string }).title);
}

/** Rendered classes as one string; simulate prefixes each class with its component's tag. */
function classesOf(page: LoadedPage, selector: string): string {
  return Array.from(page.root.querySelector(selector)?.dom?.classList ?? []).join(' ');
}

function tagType(page: LoadedPage, checkId: string): string {
  const tag = page.root.querySelector(`#${checkId}-tag`)?.querySelector('.van-tag');
  return Array.from(tag?.dom?.classList ?? []).join(' ');
}

afterEach(unloadAllPages);

test('a merchant who is not an admin sees "没有权限" and no admin action is ever sent', async () => {
  const fake = fakeCloud({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)) });
  const page = await open(fake);

  expect(textOf(page, '#forbidden')).toContain('没有权限');
  expect(exists(page, '#reconcile')).toBe(false);
  expect(exists(page, '#filters')).toBe(false);
  expect(fake.requests.map((r) => r.action)).toEqual(['getAppConfig']);

  await (page.root.instance.onPullDownRefresh as () => Promise<void>)();
  expect(fake.requests.map((r) => r.action)).toEqual(['getAppConfig', 'getAppConfig']);
  expect(page.callsTo('stopPullDownRefresh')).toHaveLength(1);
});

test('while access is being checked nothing else is asked; a failed check offers a retry', async () => {
  const held = deferred<ReturnType<typeof ok<'getAppConfig'>>>();
  const fake = admin({ getAppConfig: () => held.promise });
  const page = await open(fake);
  expect(exists(page, '#checking')).toBe(true);
  expect(fake.requests.map((r) => r.action)).toEqual(['getAppConfig']);

  held.resolve(fail('INTERNAL', '服务暂时不可用，请稍后重试'));
  await page.flush();
  expect(textOf(page, '#error')).toContain('服务暂时不可用，请稍后重试');
  expect(fake.requests.map((r) => r.action)).toEqual(['getAppConfig']);

  fake.answer({ getAppConfig: () => ok<'getAppConfig'>(appConfig(true)) });
  await tap(vantInner(page, 'retry', '.van-button'), page);
  expect(textOf(page, '#health-summary')).toBe('平台运行正常');
});

test('a healthy platform is green throughout', async () => {
  const page = await open(admin());

  expect(textOf(page, '#health-summary')).toBe('平台运行正常');
  expect(classesOf(page, '#health-summary')).toContain('summary--ok');
  expect(textOf(page, '#check-ticket')).toContain('3 分钟前收到');
  expect(tagType(page, 'check-ticket')).toContain('van-tag--success');
  expect(textOf(page, '#check-token')).toMatch(/有效，还剩 1 小时 (29|30) 分钟/);
  expect(tagType(page, 'check-token')).toContain('van-tag--success');
  expect(textOf(page, '#check-timer')).toContain('上次运行');
  expect(tagType(page, 'check-timer')).toContain('van-tag--success');
  expect(['#count-total', '#count-active', '#count-needs-reauth', '#count-revoked'].map((id) => textOf(page, id))).toEqual([
    '3',
    '3',
    '0',
    '0',
  ]);
  expect(exists(page, '#upstream')).toBe(false);
  expect(exists(page, '#attention')).toBe(false);
  expect(exists(page, '#push-failures')).toBe(false);
});

test('an unhealthy platform: missing ticket with the fix, expired token, accounts needing attention, push failures', async () => {
  const stuck = account(7, { name: '需要处理的号', status: 'needs_reauth' });
  const health = healthyPlatform({
    ok: false,
    ticket: { ok: false, receivedAt: null, ageSeconds: null },
    componentToken: { ok: false, expiresAt: Date.now() - 60_000 },
    authorizers: { total: 4, active: 2, needsReauth: 1, revoked: 1 },
    needsAttention: [stuck],
    recentPushFailures: [{ at: Date.UTC(2026, 10, 22, 1, 0), infoType: 'authorized', outcome: 'api_query_auth failed: 61010' }],
  });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));

  expect(textOf(page, '#health-summary')).toBe('有 4 项需要处理');
  expect(classesOf(page, '#health-summary')).toContain('summary--bad');
  expect(textOf(page, '#check-ticket')).toContain('还没有收到');
  expect(textOf(page, '#check-ticket')).toContain('api_start_push_ticket');
  expect(textOf(page, '#check-ticket')).toContain('授权事件接收 URL');
  expect(tagType(page, 'check-ticket')).toContain('van-tag--danger');
  expect(textOf(page, '#check-token')).toContain('过期');
  expect(tagType(page, 'check-token')).toContain('van-tag--danger');
  expect(['#count-total', '#count-active', '#count-needs-reauth', '#count-revoked'].map((id) => textOf(page, id))).toEqual([
    '4',
    '2',
    '1',
    '1',
  ]);
  expect(classesOf(page, '#count-needs-reauth')).toContain('count-value--danger');
  expect(textOf(page, '#push-failures')).toContain('api_query_auth failed: 61010');

  await tap(page.root.querySelector(`#attention-${stuck.appid}`)?.querySelector('.card'), page);
  expect(urlsOf(page, 'navigateTo')).toEqual([`/pages/account-detail/index?appid=${stuck.appid}&admin=1`]);
});

test('a stale ticket shows its age in red with the same hint', async () => {
  const health = healthyPlatform({ ok: false, ticket: { ok: false, receivedAt: Date.now() - 7200_000, ageSeconds: 7200 } });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));

  expect(textOf(page, '#check-ticket')).toContain('2 小时前收到，已过时');
  expect(textOf(page, '#check-ticket')).toContain('api_start_push_ticket');
  expect(textOf(page, '#health-summary')).toBe('有 1 项需要处理');
});

test('a timer that never ran, or stopped, is red with what to check', async () => {
  const never = await open(
    admin({ platformHealth: () => ok<'platformHealth'>(healthyPlatform({ timer: { ok: false, lastRunAt: null } })) }),
  );
  expect(textOf(never, '#check-timer')).toContain('还没有运行过');
  expect(textOf(never, '#check-timer')).toContain('定时触发器');
  expect(tagType(never, 'check-timer')).toContain('van-tag--danger');
  expect(textOf(never, '#health-summary')).toBe('有 1 项需要处理');

  const stopped = healthyPlatform({ timer: { ok: false, lastRunAt: Date.now() - 3600_000 } });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(stopped) }));
  expect(textOf(page, '#check-timer')).toContain('已停止');
});

test('a stale ticket offers to ask WeChat to restart the push; a healthy one does not', async () => {
  const stale = healthyPlatform({ ok: false, ticket: { ok: false, receivedAt: Date.now() - 7200_000, ageSeconds: 7200 } });
  const fake = admin({
    platformHealth: () => ok<'platformHealth'>(stale),
    startPushTicket: () => ok<'startPushTicket'>({ message: '已请求微信重新推送 ticket，通常几分钟内送达' }),
  });
  const page = await open(fake);

  await tap(vantInner(page, 'restart-ticket', '.van-button'), page);
  expect(fake.requests.filter((r) => r.action === 'startPushTicket')).toHaveLength(1);
  expect(toastTitles(page)).toEqual(['已请求微信重新推送 ticket，通常几分钟内送达']);

  const healthy = await open(admin());
  expect(exists(healthy, '#restart-ticket')).toBe(false);
});

test('61004 shows the IP WeChat saw, prominently, with the whitelist fix and a copy button', async () => {
  const health = healthyPlatform({
    ok: false,
    componentToken: { ok: false, expiresAt: null },
    lastUpstreamError: {
      at: Date.UTC(2026, 10, 23, 4, 0),
      errcode: 61004,
      meaning: 'caller IP is not registered in the platform IP whitelist',
      requestIp: '203.0.113.45',
    },
  });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));

  expect(textOf(page, '#request-ip')).toBe('203.0.113.45');
  expect(textOf(page, '#upstream')).toContain('61004');
  expect(textOf(page, '#upstream')).toContain('把该 IP 加入第三方平台的白名单');
  expect(textOf(page, '#check-token')).toContain('尚未获取');

  await tap(vantInner(page, 'copy-ip', '.van-button'), page);
  expect(page.callsTo('setClipboardData')[0]?.[0]).toEqual(expect.objectContaining({ data: '203.0.113.45' }));
});

test('an upstream error without an IP shows the code and meaning, no IP box', async () => {
  const health = healthyPlatform({
    lastUpstreamError: { at: Date.UTC(2026, 10, 23, 4, 0), errcode: 61005, meaning: 'component ticket is expired' },
  });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));

  expect(textOf(page, '#upstream')).toContain('上游错误 61005');
  expect(textOf(page, '#upstream')).toContain('component ticket is expired');
  expect(exists(page, '#request-ip')).toBe(false);
  expect(textOf(page, '#health-summary')).toBe('平台运行正常');
});

test('a failed health read is shown on its own, with a retry, and the list still loads', async () => {
  const fake = admin({ platformHealth: () => fail('INTERNAL', '健康状态读取失败') });
  const page = await open(fake);

  expect(textOf(page, '#health-error')).toContain('健康状态读取失败');
  expect(rowCount(page)).toBe(20);

  fake.answer({ platformHealth: () => ok<'platformHealth'>(healthyPlatform()) });
  await tap(vantInner(page, 'retry-health', '.van-button'), page);
  expect(textOf(page, '#health-summary')).toBe('平台运行正常');
});

test('lists the first page of all authorizers and loads more until all are shown', async () => {
  const fake = admin();
  const page = await open(fake);

  expect(fake.payloadsOf('listAuthorizers')).toEqual([{ offset: 0, limit: 20 }]);
  expect(rowCount(page)).toBe(20);
  expect(textOf(page, '#row-wx0000000000000001')).toContain('账号1');

  await tap(vantInner(page, 'load-more', '.van-button'), page);
  expect(fake.payloadsOf('listAuthorizers')[1]).toEqual({ offset: 20, limit: 20 });
  expect(rowCount(page)).toBe(40);

  await tap(vantInner(page, 'load-more', '.van-button'), page);
  expect(fake.payloadsOf('listAuthorizers')[2]).toEqual({ offset: 40, limit: 20 });
  expect(rowCount(page)).toBe(45);
  expect(exists(page, '#load-more')).toBe(false);
  expect(textOf(page, '#list-end')).toBe('共 45 个账号，已全部显示');
});

test('a failed "加载更多" keeps the rows and explains by toast', async () => {
  const fake = admin();
  const page = await open(fake);
  fake.answer({ listAuthorizers: () => fail('INTERNAL', '列表读取失败') });

  await tap(vantInner(page, 'load-more', '.van-button'), page);

  expect(rowCount(page)).toBe(20);
  expect(toastTitles(page)).toEqual(['列表读取失败']);
  expect(exists(page, '#load-more')).toBe(true);
});

test('the kind and status filters change the query sent and restart from the first page', async () => {
  const fake = admin();
  const page = await open(fake);
  await tap(vantInner(page, 'load-more', '.van-button'), page);

  page.root.querySelector('#kind-filter')?.dispatchEvent('change', { detail: 'mini_program' });
  await page.flush();
  expect(fake.payloadsOf('listAuthorizers').at(-1)).toEqual({ kind: 'mini_program', offset: 0, limit: 20 });
  expect(rowCount(page)).toBe(15);
  expect(exists(page, '#load-more')).toBe(false);

  page.root.querySelector('#status-filter')?.dispatchEvent('change', { detail: 'revoked' });
  await page.flush();
  expect(fake.payloadsOf('listAuthorizers').at(-1)).toEqual({ kind: 'mini_program', status: 'revoked', offset: 0, limit: 20 });
  expect(textOf(page, '#list-empty')).toContain('没有符合条件的账号');

  page.root.querySelector('#kind-filter')?.dispatchEvent('change', { detail: '' });
  await page.flush();
  expect(fake.payloadsOf('listAuthorizers').at(-1)).toEqual({ status: 'revoked', offset: 0, limit: 20 });
});

test('filter values the page does not offer are treated as "all"', async () => {
  const fake = admin();
  const page = await open(fake);

  page.root.querySelector('#kind-filter')?.dispatchEvent('change', { detail: 'robot' });
  await page.flush();

  expect(fake.payloadsOf('listAuthorizers')).toEqual([{ offset: 0, limit: 20 }]); // nothing changed, nothing sent
});

test('the filter menus offer every kind and status', async () => {
  const page = await open(admin());
  const kinds = (page.root.data.kindOptions as { text: string }[]).map((option) => option.text);
  expect(kinds).toEqual(['全部类型', '公众号', '小程序', '小游戏', '视频号', '微信小店', '带货助手', '供货商', '其他账号']);
  const statuses = (page.root.data.statusOptions as { text: string }[]).map((option) => option.text);
  expect(statuses).toEqual(['全部状态', '授权有效', '需重新授权', '已取消']);
});

test('a failed list shows the reason and a retry', async () => {
  const fake = admin({ listAuthorizers: () => fail('INTERNAL', '列表读取失败') });
  const page = await open(fake);
  expect(textOf(page, '#list-error')).toContain('列表读取失败');

  fake.answer({ listAuthorizers: listing });
  await tap(vantInner(page, 'retry-list', '.van-button'), page);
  expect(rowCount(page)).toBe(20);
});

test('tapping an authorizer in the list opens its detail', async () => {
  const page = await open(admin());
  await tap(page.root.querySelector('#row-wx0000000000000002')?.querySelector('.card'), page);
  expect(urlsOf(page, 'navigateTo')).toEqual(['/pages/account-detail/index?appid=wx0000000000000002&admin=1']);
});

test('"立即对账" reconciles, reports the result by toast and refreshes health and list', async () => {
  const fake = admin({ reconcile: () => ok<'reconcile'>({ listed: 12, restored: 2, markedRevoked: 1 }) });
  const page = await open(fake);

  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  await page.flush();

  expect(fake.payloadsOf('reconcile')).toHaveLength(1);
  expect(toastTitles(page)).toEqual(['对账完成：微信列出 12 个账号，恢复 2 个，标记取消 1 个']);
  expect(fake.payloadsOf('platformHealth')).toHaveLength(2);
  expect(fake.payloadsOf('listAuthorizers')).toHaveLength(2);
  expect(page.root.data.reconciling).toBe(false);
});

test('a reconcile in progress ignores further taps; a failure is reported by toast', async () => {
  const held = deferred<ReturnType<typeof fail>>();
  const fake = admin({ reconcile: () => held.promise });
  const page = await open(fake);

  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  expect(page.root.data.reconciling).toBe(true);
  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  expect(fake.payloadsOf('reconcile')).toHaveLength(1);

  held.resolve(fail('UPSTREAM', '微信接口暂时不可用，请稍后重试'));
  await page.flush();
  expect(toastTitles(page)).toEqual(['微信接口暂时不可用，请稍后重试']);
  expect(page.root.data.reconciling).toBe(false);
});

test('pull-down refresh reloads health and list for an admin and stops the indicator', async () => {
  const fake = admin();
  const page = await open(fake);

  await (page.root.instance.onPullDownRefresh as () => Promise<void>)();

  expect(fake.payloadsOf('platformHealth')).toHaveLength(2);
  expect(fake.payloadsOf('listAuthorizers')).toHaveLength(2);
  expect(page.callsTo('stopPullDownRefresh')).toHaveLength(1);
});

describe('health wording', () => {
  test('ages read like WeChat: 刚刚, minutes, hours, days', () => {
    expect([0, 59, 60, 180, 3599, 3600, 86_399, 86_400, 3 * 86_400].map(ageLabel)).toEqual([
      '刚刚',
      '刚刚',
      '1 分钟前',
      '3 分钟前',
      '59 分钟前',
      '1 小时前',
      '23 小时前',
      '1 天前',
      '3 天前',
    ]);
  });

  test('durations in minutes, then hours and minutes', () => {
    expect([-5_000, 45 * 60_000, 60 * 60_000, 90 * 60_000].map(durationLabel)).toEqual([
      '0 分钟',
      '45 分钟',
      '1 小时',
      '1 小时 30 分钟',
    ]);
  });

  test('a valid token whose expiry the phone clock has already passed shows no remaining time', () => {
    const expiresAt = Date.UTC(2026, 10, 23, 12, 0);
    const view = healthView(healthyPlatform({ componentToken: { ok: true, expiresAt } }), expiresAt + 5_000);
    expect(view.checks[1]?.value).toMatch(/^有效（2026-11-23 \d\d:00 到期）$/);
    expect(view.checks[1]?.ok).toBe(true);
  });
});
