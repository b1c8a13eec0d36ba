// Admin page, 全网发布 card: its summary (ready or not, what is missing, the last test) read with the
// page; on a tap the test list, which sets trigger which release-test items, what WeChat's test
// accounts did, and message counts.
import type { ReleaseStatus } from '../../typings/api';
import { appConfig, exists, fail, fakeCloud, healthyPlatform, ok, textOf, vantInner, type FakeCloud } from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const PAGE = 'pages/admin/index';

function status(overrides: Partial<ReleaseStatus> = {}): ReleaseStatus {
  return {
    released: false,
    testList: [
      { userName: 'gh_5a2e9c7d41b8', authorizedAppid: 'wx8c41f2a9e6d07b13', name: '青禾测试服务号' },
      { userName: 'gh_0123456789ab', authorizedAppid: null, name: null },
    ],
    alwaysItems: ['component_verify_ticket', '预授权码', '授权', '取消授权'],
    messageCases: [
      { setId: 1, setName: '消息管理', kind: 'official_account', selected: true, items: ['返回普通文本消息', '返回Api文本消息'] },
      {
        setId: 19,
        setName: '小程序客服管理',
        kind: 'mini_program',
        selected: false,
        items: ['返回普通文本消息', '返回Api文本消息'],
      },
    ],
    testAccounts: [
      {
        appid: 'wx570bc396a51b8ff8',
        group: 1,
        kind: 'official_account',
        lastEvent: 'unauthorized',
        lastEventAt: Date.UTC(2026, 11, 3, 2, 0),
      },
    ],
    jobs: { pending: 0, done: 1, failed: 0 },
    messageForwarding: false,
    messages: [
      {
        appid: 'wx570bc396a51b8ff8',
        type: 'text',
        count: 2,
        forwardFailures: 0,
        lastAt: Date.UTC(2026, 11, 3, 2, 0),
        releaseTest: true,
      },
      {
        appid: 'wx8c41f2a9e6d07b13',
        type: 'event.subscribe',
        count: 5,
        forwardFailures: 1,
        lastAt: Date.UTC(2026, 11, 3, 3, 0),
        releaseTest: false,
      },
    ],
    ...overrides,
  };
}

function admin(release: () => unknown): FakeCloud {
  return fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
    platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
    listAuthorizers: () => ok<'listAuthorizers'>({ total: 0, authorizers: [] }),
    releaseStatus: release as never,
  });
}

const open = (fake: FakeCloud): Promise<LoadedPage> => loadPage(PAGE, { wxShims: { cloud: fake.cloud } });

afterEach(unloadAllPages);

/** The details (test list, cases, activity, messages) open on a tap. */
async function openDetails(page: LoadedPage): Promise<void> {
  await tap(vantInner(page, 'toggle-release-details', '.van-button'), page);
}

test('the summary shows without a tap: not released, what is missing, the last test; details on a tap', async () => {
  const fake = admin(() => ok<'releaseStatus'>(status()));
  const page = await open(fake);
  expect(fake.requests.filter((r) => r.action === 'releaseStatus')).toHaveLength(1);

  expect(textOf(page, '#release-summary')).toBe('尚未全网发布：还有 1 项要处理');
  const overview = textOf(page, '#release-overview');
  expect(overview).toContain('授权测试列表中 gh_0123456789ab 还没有授权给服务商');
  expect(textOf(page, '#release-last-test')).toMatch(
    /^最近一次检测 2026-12-03 \d\d:00：1 个检测账号，客服消息 1 条回复全部成功$/,
  );
  expect(exists(page, '#release-test-list')).toBe(false);

  await openDetails(page);
  const list = textOf(page, '#release-test-list');
  expect(list).toContain('gh_5a2e9c7d41b8');
  expect(list).toContain('已授权：青禾测试服务号');
  expect(list).toContain('尚未授权');
  expect(textOf(page, '#release-always')).toContain('component_verify_ticket、预授权码、授权、取消授权');
  expect(textOf(page, '#release-case-1')).toContain('会检测：返回普通文本消息、返回Api文本消息');
  expect(textOf(page, '#release-case-1')).toContain('已选');
  expect(textOf(page, '#release-case-19')).toContain('未选择：不检测消息');
  expect(textOf(page, '#release-activity')).toContain('第 1 组公众号 wx570bc396a51b8ff8');
  expect(textOf(page, '#release-activity')).toContain('已取消授权');
  expect(textOf(page, '#release-jobs')).toContain('完成 1，进行中 0，失败 0');
  const messages = textOf(page, '#release-messages');
  expect(messages).toContain('未配置消息服务');
  expect(messages).toContain('wx8c41f2a9e6d07b13 · 关注事件');
  expect(messages).not.toContain('event.subscribe');
  expect(messages).toContain('5 条');
  expect(messages).toContain('转发失败 1 次');
  expect(messages).toContain('测试账号');

  await openDetails(page);
  expect(exists(page, '#release-test-list')).toBe(false);
});

test('everything in place and not yet released: ready to submit; failed replies are what is missing', async () => {
  const authorized = status().testList.map((entry) => ({ ...entry, authorizedAppid: 'wx8c41f2a9e6d07b13' }));
  const ready = await open(admin(() => ok<'releaseStatus'>(status({ testList: authorized }))));
  expect(textOf(ready, '#release-summary')).toBe('尚未全网发布：可以在开放平台提交全网发布检测');

  const failing = await open(
    admin(() => ok<'releaseStatus'>(status({ testList: authorized, jobs: { pending: 0, done: 3, failed: 2 } }))),
  );
  expect(textOf(failing, '#release-summary')).toBe('尚未全网发布：还有 1 项要处理');
  expect(textOf(failing, '#release-overview')).toContain('最近的检测中有 2 条客服消息没有回复成功');
  expect(textOf(failing, '#release-last-test')).toContain('2 条回复失败');
});

test('released, nothing configured, no activity yet', async () => {
  const page = await open(
    admin(() => ok<'releaseStatus'>(status({ released: true, testList: [], testAccounts: [], messages: [] }))),
  );
  expect(textOf(page, '#release-summary')).toContain('已全网发布');
  expect(textOf(page, '#release-last-test')).toContain('还没有收到微信检测账号的推送');
  await openDetails(page);
  expect(exists(page, '#release-test-list-empty')).toBe(true);
  expect(exists(page, '#release-no-activity')).toBe(true);
});

test('a failure shows the message and a retry that works', async () => {
  const fake = admin(() => fail('INTERNAL', '服务出错了，请稍后重试'));
  const page = await open(fake);
  expect(textOf(page, '#release-error')).toContain('服务出错了，请稍后重试');
  fake.answer({ releaseStatus: () => ok<'releaseStatus'>(status()) });
  await tap(vantInner(page, 'retry-release', '.van-button'), page);
  expect(textOf(page, '#release-summary')).toContain('尚未全网发布');
});

test('a release not yet ready is blue, not red: the health banner counts every red block, and this is go-live work', async () => {
  const page = await open(admin(() => ok<'releaseStatus'>(status())));
  const classes = Array.from(page.root.querySelector('#release-summary')?.dom?.classList ?? []).join(' ');
  expect(classes).toContain('summary--info');
  expect(classes).not.toContain('summary--bad');
  expect(textOf(page, '#health-summary')).toBe('平台运行正常');
});

test('coming back to the page rereads the summary (the test list may have been fixed meanwhile)', async () => {
  const fake = admin(() => ok<'releaseStatus'>(status()));
  const page = await open(fake);
  expect(textOf(page, '#release-summary')).toBe('尚未全网发布：还有 1 项要处理');

  const authorized = status().testList.map((entry) => ({ ...entry, authorizedAppid: 'wx8c41f2a9e6d07b13' }));
  fake.answer({ releaseStatus: () => ok<'releaseStatus'>(status({ testList: authorized })) });
  await (page.root.instance.reload as (quiet: boolean) => Promise<void>)(true);
  await page.flush();
  expect(fake.requests.filter((r) => r.action === 'releaseStatus')).toHaveLength(2);
  expect(textOf(page, '#release-summary')).toBe('尚未全网发布：可以在开放平台提交全网发布检测');
});
