// Admin page: access check, health states (incl. 61004 with the IP to whitelist), the authorizer
// list with filters and paging, and reconcile.
import type { AuthorizerFilter, AuthorizerSummary, PlatformHealth, ReleaseStatus } from '../../typings/api';
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

/** listAuthorizers over `accounts`, honouring filters and paging, with the counts, like the backend does. */
function listingOf(accounts: AuthorizerSummary[]) {
  return (filter: AuthorizerFilter) => {
    const ofKind = accounts.filter((a) => !filter.kind || a.kind === filter.kind);
    const matching = ofKind.filter((a) => !filter.status || a.status === filter.status);
    const count = (status: AuthorizerSummary['status']) => ofKind.filter((a) => a.status === status).length;
    const offset = filter.offset ?? 0;
    return ok<'listAuthorizers'>({
      total: matching.length,
      authorizers: matching.slice(offset, offset + (filter.limit ?? 20)),
      counts: { active: count('active'), needsReauth: count('needs_reauth'), revoked: count('revoked') },
    });
  };
}

const listing = listingOf(ACCOUNTS);

const RELEASE: ReleaseStatus = {
  released: false,
  testList: [],
  alwaysItems: ['component_verify_ticket', '预授权码', '授权', '取消授权'],
  messageCases: [],
  testAccounts: [],
  jobs: { pending: 0, done: 0, failed: 0 },
  messageForwarding: false,
  messages: [],
};

function admin(more: Handlers = {}): FakeCloud {
  return fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
    platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
    listAuthorizers: listing,
    releaseStatus: () => ok<'releaseStatus'>(RELEASE),
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

const COUNT_IDS = ['#count-total', '#count-active', '#count-needs_reauth', '#count-revoked'];

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
  expect(COUNT_IDS.map((id) => textOf(page, id))).toEqual(['45全部', '45授权有效', '0需重新授权', '0已取消']);
  expect(exists(page, '#problems')).toBe(false);
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
    recentPushFailures: [
      { at: Date.UTC(2026, 10, 22, 1, 0), infoType: 'authorized', outcome: 'api_query_auth failed: 61010', errcode: 61010 },
    ],
  });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));

  expect(textOf(page, '#health-summary')).toBe('有 4 项需要处理');
  expect(classesOf(page, '#health-summary')).toContain('summary--bad');
  expect(textOf(page, '#problems')).toBe(
    '1. 没有按时收到验证票据2. 平台令牌不可用3. 1 个账号需要重新授权4. 最近有 1 条微信推送处理失败',
  );
  expect(textOf(page, '#check-ticket')).toContain('还没有收到');
  expect(textOf(page, '#check-ticket')).toContain('请微信重新推送');
  expect(textOf(page, '#check-ticket')).toContain('授权事件接收 URL');
  expect(tagType(page, 'check-ticket')).toContain('van-tag--danger');
  expect(textOf(page, '#check-token')).toContain('过期');
  expect(tagType(page, 'check-token')).toContain('van-tag--danger');
  expect(textOf(page, '#attention-title')).toBe('需要重新授权（1）');
  const pushes = textOf(page, '#push-failures');
  expect(pushes).toContain('授权成功通知处理失败');
  expect(pushes).toContain('授权码已过期，没能完成授权');
  expect(pushes).toContain('请商家在授权页重新授权一次');
  expect(pushes).toContain('（错误码 61010）');
  expect(pushes).not.toContain('api_query_auth');
  expect(pushes).not.toContain('authorized');

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
  const card = textOf(page, '#upstream');
  expect(card).toContain('服务器的 IP 不在第三方平台的白名单中');
  expect(card).toContain('需要加入白名单的 IP');
  expect(card).toContain('白名单 IP 地址列表');
  expect(card).toContain('（错误码 61004）');
  expect(card).toContain('下一次调用微信成功后，这条提示会自动消失');
  expect(card).not.toContain('caller IP');
  expect(textOf(page, '#check-token')).toContain('尚未获取');
  // Counted with the token it keeps from working, and listed in the banner.
  expect(textOf(page, '#health-summary')).toBe('有 2 项需要处理');
  expect(textOf(page, '#problem-upstream')).toContain('服务器的 IP 不在第三方平台的白名单中');

  await tap(vantInner(page, 'copy-ip', '.van-button'), page);
  expect(page.callsTo('setClipboardData')[0]?.[0]).toEqual(expect.objectContaining({ data: '203.0.113.45' }));
});

test('an upstream error without an IP is worded from its code, counted, and has no IP box', async () => {
  const health = healthyPlatform({
    lastUpstreamError: { at: Date.UTC(2026, 10, 23, 4, 0), errcode: 61005, meaning: 'component ticket is expired' },
  });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));

  expect(textOf(page, '#upstream')).toContain('验证票据（component_verify_ticket）已过期');
  expect(textOf(page, '#upstream')).toContain('（错误码 61005）');
  expect(textOf(page, '#upstream')).not.toContain('component ticket is expired');
  expect(exists(page, '#request-ip')).toBe(false);
  expect(textOf(page, '#health-summary')).toBe('有 1 项需要处理');
});

test('a 61004 without the IP says where to find it', async () => {
  const health = healthyPlatform({
    lastUpstreamError: { at: Date.UTC(2026, 10, 23, 4, 0), errcode: 61004, meaning: 'access clientip is not registered' },
  });
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));
  expect(exists(page, '#request-ip')).toBe(false);
  expect(textOf(page, '#upstream')).toContain('请在云开发控制台查看云函数的出口 IP');
  expect(textOf(page, '#upstream')).not.toContain('clientip');
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

test('"立即对账" reconciles, keeps the result on the page with its time and refreshes health and list', async () => {
  const fake = admin({ reconcile: () => ok<'reconcile'>({ listed: 12, restored: 2, markedRevoked: 1 }) });
  const page = await open(fake);
  expect(exists(page, '#reconcile-result')).toBe(false);

  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  await page.flush();

  expect(fake.payloadsOf('reconcile')).toHaveLength(1);
  expect(toastTitles(page)).toEqual([]);
  const result = textOf(page, '#reconcile-result');
  expect(result).toContain('对账完成');
  expect(result).toContain('微信列出 12 个账号；恢复 2 个本地缺少的账号，把 1 个微信已不再列出的账号标为已取消。');
  expect(result).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d 发起/);
  expect(classesOf(page, '#reconcile-result')).toContain('result--ok');
  expect(fake.payloadsOf('platformHealth')).toHaveLength(2);
  expect(fake.payloadsOf('listAuthorizers')).toHaveLength(2);
  expect(page.root.data.reconciling).toBe(false);

  // Still there after the refresh, and after a later quiet reload.
  await (page.root.instance.reload as (quiet: boolean) => Promise<void>)(true);
  await page.flush();
  expect(textOf(page, '#reconcile-result')).toContain('对账完成');
});

test('a pass the timer carries on says so, with the counts so far', async () => {
  const page = await open(
    admin({ reconcile: () => ok<'reconcile'>({ listed: 500, restored: 0, markedRevoked: 0, inProgress: true }) }),
  );
  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  await page.flush();
  expect(textOf(page, '#reconcile-result')).toContain('对账进行中：定时任务会继续完成');
  expect(textOf(page, '#reconcile-result')).toContain('到目前为止：微信列出 500 个账号');
});

test('a reconcile in progress ignores further taps; a failure stays on the page', async () => {
  const held = deferred<ReturnType<typeof fail>>();
  const fake = admin({ reconcile: () => held.promise });
  const page = await open(fake);

  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  expect(page.root.data.reconciling).toBe(true);
  await tap(vantInner(page, 'reconcile', '.van-button'), page);
  expect(fake.payloadsOf('reconcile')).toHaveLength(1);

  held.resolve(fail('UPSTREAM', '微信接口暂时不可用，请稍后重试'));
  await page.flush();
  expect(textOf(page, '#reconcile-result')).toContain('对账没有完成');
  expect(textOf(page, '#reconcile-result')).toContain('微信接口暂时不可用，请稍后重试');
  expect(classesOf(page, '#reconcile-result')).toContain('result--bad');
  expect(page.root.data.reconciling).toBe(false);
});

test('pull-down refresh reloads health and list for an admin and stops the indicator', async () => {
  const fake = admin();
  const page = await open(fake);

  await (page.root.instance.onPullDownRefresh as () => Promise<void>)();
  await page.flush();

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

/** Everything wrong at once, with the raw English WeChat and the backend hand over. */
function everythingWrong(): PlatformHealth {
  return healthyPlatform({
    ok: false,
    ticket: { ok: false, receivedAt: null, ageSeconds: null },
    componentToken: { ok: false, expiresAt: null },
    timer: { ok: false, lastRunAt: null },
    authorizers: { total: 3, active: 1, needsReauth: 1, revoked: 1 },
    needsAttention: [account(3, { status: 'needs_reauth' })],
    recentPushFailures: [
      { at: Date.UTC(2026, 10, 22, 1, 0), infoType: 'authorized', outcome: 'api_query_auth failed: 61010', errcode: 61010 },
      { at: Date.UTC(2026, 10, 22, 2, 0), infoType: 'updateauthorized', outcome: 'OpenApiError' },
      { at: Date.UTC(2026, 10, 22, 3, 0), infoType: 'notify_something_new', outcome: '授权码已被使用，请重新授权' },
    ],
    lastUpstreamError: {
      at: Date.UTC(2026, 10, 23, 4, 0),
      errcode: 61004,
      meaning: 'access clientip is not registered',
      requestIp: '203.0.113.7',
    },
    broker: { httpKeys: 1, functionSecrets: 0, legacyScope: ['messaging'] },
  });
}

describe('one count of what needs attention', () => {
  const cases: [string, PlatformHealth, number][] = [
    ['healthy', healthyPlatform(), 0],
    ['everything wrong', everythingWrong(), 7],
    ['only the whitelist', healthyPlatform({ lastUpstreamError: everythingWrong().lastUpstreamError }), 1],
    ['only push failures', healthyPlatform({ recentPushFailures: everythingWrong().recentPushFailures }), 1],
    [
      'only accounts',
      healthyPlatform({ authorizers: { total: 3, active: 2, needsReauth: 1, revoked: 0 }, needsAttention: [account(3)] }),
      1,
    ],
  ];

  test.each(cases)('%s: the banner counts and lists exactly the red and orange blocks', async (_name, health, expected) => {
    const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(health) }));
    const blocks = page.root.querySelectorAll('.problem-block').length;
    const lines = page.root.querySelectorAll('.problem-line').length;
    expect(blocks).toBe(expected);
    expect(lines).toBe(blocks);
    expect(textOf(page, '#health-summary')).toBe(blocks ? `有 ${blocks} 项需要处理` : '平台运行正常');
  });

  test('everything wrong: seven blocks, the whitelist card among them', async () => {
    const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(everythingWrong()) }));
    expect(textOf(page, '#health-summary')).toBe('有 7 项需要处理');
    expect(exists(page, '#problem-upstream')).toBe(true);
    expect(textOf(page, '#request-ip')).toBe('203.0.113.7');
  });
});

test('no raw English or bare errcode reaches the page: every reason is worded, codes only as a detail', async () => {
  const page = await open(admin({ platformHealth: () => ok<'platformHealth'>(everythingWrong()) }));
  const text = textOf(page, '.page');
  for (const raw of ['authorized', 'api_query_auth', 'failed', 'access clientip', 'OpenApiError', 'notify_something_new']) {
    expect(text).not.toContain(raw);
  }
  // English left is only names staff type or look up (URL, config keys, API names), never a sentence.
  const words = text.replace(/[A-Za-z0-9_.]*[_.A-Z][A-Za-z0-9_.]*/g, ' ').match(/\b[a-z]{3,}\b/g) ?? [];
  // (success: the reply WeChat expects; scope, =true: config syntax; messaging: the key's configured name; a command.)
  const names = ['success', 'scope', 'true', 'messaging', 'npm', 'run', 'rehearse'];
  expect(words.filter((word) => !names.includes(word))).toEqual([]);
  // Codes appear only as "（错误码 N）".
  expect(text.match(/6100\d|61010/g)?.length).toBe(text.match(/（错误码 (6100\d|61010)）/g)?.length);
  const pushes = textOf(page, '#push-failures');
  expect(pushes).toContain('授权变更通知处理失败');
  expect(pushes).toContain('处理时出错：请在云函数日志中按时间查看详细信息');
  expect(pushes).toContain('微信的其他推送处理失败');
  expect(pushes).toContain('授权码已被使用，请重新授权');
});

test('more accounts to re-authorize than shown: the title says so and one tap lists them all', async () => {
  const stuck = Array.from({ length: 25 }, (_, i) => account(100 + i, { status: 'needs_reauth' }));
  const health = healthyPlatform({
    authorizers: { total: 25, active: 0, needsReauth: 25, revoked: 0 },
    needsAttention: stuck.slice(0, 20),
  });
  const fake = admin({ platformHealth: () => ok<'platformHealth'>(health), listAuthorizers: listingOf(stuck) });
  const page = await open(fake);

  expect(textOf(page, '#attention-title')).toBe('需要重新授权（共 25 个，显示最近 20 个）');
  expect(textOf(page, '#problem-attention')).toContain('25 个账号需要重新授权');
  await tap(vantInner(page, 'attention-all', '.van-button'), page);
  expect(fake.payloadsOf('listAuthorizers').at(-1)).toEqual({ status: 'needs_reauth', offset: 0, limit: 20 });
  expect(page.root.data.status).toBe('needs_reauth');
});

describe('the counts and the list under them', () => {
  const mixed = [
    ...Array.from({ length: 6 }, (_, i) => account(200 + i)),
    ...Array.from({ length: 3 }, (_, i) => account(300 + i, { status: 'needs_reauth' })),
    ...Array.from({ length: 2 }, (_, i) => account(400 + i, { status: 'revoked', kind: 'mini_program' })),
  ];

  test('come from one answer and agree, whatever the health card read', async () => {
    // The health read disagrees on purpose (an older moment): the counts follow the list, not it.
    const page = await open(admin({ listAuthorizers: listingOf(mixed) }));
    expect(COUNT_IDS.map((id) => textOf(page, id))).toEqual(['11全部', '6授权有效', '3需重新授权', '2已取消']);
    expect(textOf(page, '#list-end')).toBe('共 11 个账号，已全部显示');
    expect(page.root.data.total).toBe(11);
  });

  test('a tapped count filters the list, and the kind filter recounts', async () => {
    const fake = admin({ listAuthorizers: listingOf(mixed) });
    const page = await open(fake);

    await tap(page.root.querySelector('#count-needs_reauth'), page);
    expect(fake.payloadsOf('listAuthorizers').at(-1)).toEqual({ status: 'needs_reauth', offset: 0, limit: 20 });
    expect(rowCount(page)).toBe(3);
    expect(textOf(page, '#list-end')).toBe('共 3 个账号，已全部显示');
    expect(classesOf(page, '#count-needs_reauth')).toContain('count--selected');

    page.root.querySelector('#kind-filter')?.dispatchEvent('change', { detail: 'mini_program' });
    await page.flush();
    expect(COUNT_IDS.map((id) => textOf(page, id))).toEqual(['2全部', '0授权有效', '0需重新授权', '2已取消']);

    await tap(page.root.querySelector('#count-total'), page);
    expect(fake.payloadsOf('listAuthorizers').at(-1)).toEqual({ kind: 'mini_program', offset: 0, limit: 20 });
    expect(rowCount(page)).toBe(2);
  });
});
