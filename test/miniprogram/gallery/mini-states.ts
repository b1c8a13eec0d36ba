// Every mini-program page in each of its main states, reached the way a merchant gets there:
// the real page and Vant, only WeChat's transport (wx.cloud), storage and the plugin faked.
import type { AuthorizerSummary, AuthSessionView, BrokerCallerView, ReleaseStatus } from '../../../typings/api';
import {
  appConfig,
  CODE_SET,
  deferred,
  detail,
  fail,
  fakeCloud,
  healthyPlatform,
  MEDIA_SET,
  MESSAGE_SET,
  ok,
  summary,
  USER_SET,
  type Handlers,
} from '../accounts-fixtures';
import { AVATAR_DATA_URL } from '../../gallery/avatar';
import { loadPage, tap, type LoadedPage } from '../harness';
import { toAccountCard } from '../../../miniprogram/pages/authorize/accountCard';
import { JOB_ID, jobStatus, pausedForQuota, rejectedForCategory, shipJob, versionsAnswer } from '../ship-fixtures';

export interface MiniState {
  /** File name of the picture. */
  name: string;
  title: string;
  open(): Promise<LoadedPage>;
}

const SESSION_ID = 'c'.repeat(32);
/** miniprogram/pages/authorize/pendingSession.ts (not imported: it needs the wx global's types). */
const PENDING_SESSION_KEY = 'pendingAuthSession';
const never = <T>() => deferred<T>().promise;

const ACCOUNTS: AuthorizerSummary[] = [
  summary({ avatarUrl: AVATAR_DATA_URL }),
  summary({
    appid: 'wx6b93d0f2a7c4e815',
    kind: 'mini_program',
    name: '青禾鲜花预订',
    avatarUrl: '',
    principalName: '青禾花艺（杭州）有限公司',
    grantedSets: [CODE_SET],
    missingSets: [{ ...MEDIA_SET, reason: '上传商品图片和视频素材' }],
  }),
  summary({ appid: 'wx0a1b2c3d4e5f6a7b', kind: 'channels', name: '青禾生活视频号', avatarUrl: '', status: 'needs_reauth' }),
  summary({ appid: 'wx7c2d9e4f1a3b5c6d', name: '青禾旧公众号', avatarUrl: '', status: 'revoked', grantedSets: [] }),
];

const cloudOf = (handlers: Handlers) => ({ cloud: fakeCloud(handlers).cloud });

/** wx storage holding one pending plugin session, as after a cold start mid-authorization. */
function storageWithPending(): Record<string, unknown> {
  const pending = { sessionId: SESSION_ID, expiresAt: Date.now() + 600_000, authType: 3 };
  const items = new Map<string, unknown>([[PENDING_SESSION_KEY, pending]]);
  return {
    setStorageSync: (key: string, value: unknown) => void items.set(key, value),
    getStorageSync: (key: string) => items.get(key) ?? '',
    removeStorageSync: (key: string) => void items.delete(key),
  };
}

async function until(page: LoadedPage, done: () => boolean, what: string): Promise<LoadedPage> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gallery: the page never reached ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await page.flush();
  }
  return page;
}

/** The authorize page resuming a stored session that the backend reports as `view`. */
async function authorizeOutcome(
  view: Partial<AuthSessionView> & Pick<AuthSessionView, 'status'>,
  phase: string,
): Promise<LoadedPage> {
  const session: AuthSessionView = { sessionId: SESSION_ID, channel: 'plugin', expiresAt: Date.now() + 600_000, ...view };
  const wxShims = {
    ...storageWithPending(),
    ...cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)), getAuthSession: () => ok<'getAuthSession'>(session) }),
  };
  const page = await loadPage('pages/authorize/index', { wxShims });
  return until(page, () => page.root.data.phase === phase, `phase ${phase}`);
}

/** The authorize page showing how a session ended, as its poll would leave it. */
async function settled(outcome: { kind: 'pending'; reason: string }, account: AuthorizerSummary | null, phase: string) {
  const page = await loadPage('pages/authorize/index', {
    wxShims: cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)) }),
  });
  const card = account ? toAccountCard(account) : null;
  (page.root.instance.settle as (o: typeof outcome, c: unknown) => void).call(page.root.instance, outcome, card);
  return until(page, () => page.root.data.phase === phase, `phase ${phase}`);
}

const AUTHORIZE: MiniState[] = [
  {
    name: 'authorize',
    title: '授权（首页）',
    open: () =>
      loadPage('pages/authorize/index', {
        wxShims: cloudOf({
          getAppConfig: () =>
            ok<'getAppConfig'>({ ...appConfig(true), provider: { name: '青禾数字', logoUrl: AVATAR_DATA_URL } }),
        }),
      }),
  },
  {
    name: 'authorize-config-error',
    title: '授权：设置读取失败',
    open: () =>
      loadPage('pages/authorize/index', { wxShims: cloudOf({ getAppConfig: () => fail('UPSTREAM', '网络不稳定，请稍后重试') }) }),
  },
  {
    name: 'authorize-creating',
    title: '授权：正在发起',
    async open() {
      const wxShims = cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)), createAuthSession: () => never() });
      const page = await loadPage('pages/authorize/index', { wxShims });
      await tap(page.root.querySelector('#authorize')?.querySelector('.van-button'), page);
      return until(page, () => page.root.data.phase === 'creating', 'phase creating');
    },
  },
  {
    name: 'authorize-modal',
    title: '授权：发起失败的对话框',
    async open() {
      const wxShims = cloudOf({
        getAppConfig: () => ok<'getAppConfig'>(appConfig(false)),
        createAuthSession: () => fail('RATE_LIMITED', '发起授权太频繁，请一分钟后再试'),
      });
      const page = await loadPage('pages/authorize/index', { wxShims });
      await tap(page.root.querySelector('#authorize')?.querySelector('.van-button'), page);
      return until(page, () => page.callsTo('showModal').length === 1, 'the modal');
    },
  },
  {
    name: 'authorize-waiting',
    title: '授权：等待微信确认',
    async open() {
      const wxShims = {
        ...storageWithPending(),
        ...cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)), getAuthSession: () => never() }),
      };
      const page = await loadPage('pages/authorize/index', { wxShims });
      return until(page, () => page.root.data.phase === 'waiting', 'phase waiting');
    },
  },
  {
    name: 'authorize-success',
    title: '授权成功',
    open: () => authorizeOutcome({ status: 'authorized', authorizer: { ...ACCOUNTS[1], avatarUrl: AVATAR_DATA_URL } }, 'success'),
  },
  {
    name: 'authorize-failed',
    title: '授权未完成（微信给出的原因）',
    open: () =>
      authorizeOutcome(
        { status: 'failed', failure: { code: 'UPSTREAM', message: '该账号已授权给其他服务商的互斥权限集' } },
        'failed',
      ),
  },
  {
    name: 'authorize-unchanged',
    title: '授权未变更（重新授权一个已授权的账号）',
    // The poll's whole schedule (16 s) ends this way; authorize.test.ts walks it, the picture skips the wait.
    open: () => settled({ kind: 'pending', reason: '' }, { ...ACCOUNTS[1], avatarUrl: AVATAR_DATA_URL }, 'unchanged'),
  },
  {
    name: 'authorize-no-result',
    title: '暂未收到授权结果',
    open: () => settled({ kind: 'pending', reason: '' }, null, 'unknown'),
  },
  {
    name: 'authorize-bundles',
    title: '授权：选择权限组合',
    open: () =>
      loadPage('pages/authorize/index', {
        wxShims: cloudOf({
          getAppConfig: () =>
            ok<'getAppConfig'>({
              ...appConfig(false),
              provider: { name: '青禾数字', logoUrl: AVATAR_DATA_URL },
              bundles: [
                { id: 'basic', name: '基础服务（消息与菜单）', categoryIds: [1, 15] },
                { id: 'full', name: '全部服务（含小程序开发）', categoryIds: [1, 15, 18, 30] },
              ],
            }),
        }),
      }),
  },
  {
    name: 'authorize-channels',
    title: '授权：视频号（先开通开放能力）',
    async open() {
      const page = await loadPage('pages/authorize/index', {
        wxShims: cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)) }),
      });
      await tap(page.root.querySelector('#type-5')?.querySelector('.van-cell'), page);
      return until(page, () => page.root.data.showChannelsGuide === true, 'the Channels guide');
    },
  },
  {
    name: 'authorize-expired',
    title: '授权已过期',
    open: () => authorizeOutcome({ status: 'expired' }, 'expired'),
  },
];

const accountsPage = (handlers: Handlers) =>
  loadPage('pages/accounts/index', {
    wxShims: cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)), ...handlers }),
  });

const ACCOUNTS_PAGE: MiniState[] = [
  { name: 'accounts-loading', title: '我的账号：加载中', open: () => accountsPage({ listMyAuthorizers: () => never() }) },
  {
    name: 'accounts-empty',
    title: '我的账号：空',
    open: () => accountsPage({ listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: [] }) }),
  },
  {
    name: 'accounts-list',
    title: '我的账号：列表',
    open: () => accountsPage({ listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: ACCOUNTS }) }),
  },
  {
    name: 'accounts-lapse-notice',
    title: '我的账号：开启授权失效提醒',
    async open() {
      const page = await loadPage('pages/accounts/index', {
        wxShims: {
          ...cloudOf({
            getAppConfig: () =>
              ok<'getAppConfig'>({ ...appConfig(false), lapseNotice: { templateId: 'tmplLapse_0001abcdEF', credits: 0 } }),
            listMyAuthorizers: () => ok<'listMyAuthorizers'>({ authorizers: ACCOUNTS.slice(0, 2) }),
            subscribeLapseNotice: () => ok<'subscribeLapseNotice'>({ credits: 1 }),
          }),
          // WeChat's consent dialog, answered "accept".
          requestSubscribeMessage: (o: { tmplIds: string[]; success?: (r: Record<string, string>) => void }) =>
            setTimeout(() => o.success?.({ errMsg: 'requestSubscribeMessage:ok', [o.tmplIds[0]]: 'accept' }), 0),
        },
      });
      await until(page, () => page.root.data.lapseNotice !== null, 'the notice card');
      await tap(page.root.querySelector('#subscribe')?.querySelector('.van-button'), page);
      return until(page, () => page.callsTo('showToast').length === 1, 'the toast');
    },
  },
  {
    name: 'accounts-error',
    title: '我的账号：出错',
    open: () => accountsPage({ listMyAuthorizers: () => fail('UPSTREAM', '网络不稳定，请稍后重试') }),
  },
];

const detailPage = (handlers: Handlers, appid = ACCOUNTS[0].appid) =>
  loadPage('pages/account-detail/index', { wxShims: cloudOf(handlers), query: { appid } });
const HISTORY_START = Date.UTC(2026, 10, 20, 2, 0);

const DETAIL_PAGE: MiniState[] = [
  { name: 'account-detail-loading', title: '账号详情：加载中', open: () => detailPage({ getAuthorizer: () => never() }) },
  {
    name: 'account-detail',
    title: '账号详情',
    open: () =>
      detailPage({
        getAuthorizer: () =>
          ok<'getAuthorizer'>({
            authorizer: detail({
              avatarUrl: AVATAR_DATA_URL,
              grantedSets: [MESSAGE_SET, CODE_SET],
              missingSets: [{ ...USER_SET, reason: '按粉丝标签发送会员通知' }],
              history: [
                { at: HISTORY_START, event: 'authorized', added: [1, 2], removed: [] },
                { at: HISTORY_START + 3600_000, event: 'updateauthorized', added: [18], removed: [2] },
                { at: HISTORY_START + 7200_000, event: 'reconciled', added: [], removed: [] },
              ],
              historySets: [MESSAGE_SET, USER_SET, CODE_SET],
            }),
          }),
      }),
  },
  {
    name: 'account-detail-versions',
    title: '账号详情：小程序版本，审核因类目未通过（商家处理）',
    async open() {
      const mini = ACCOUNTS[1];
      const page = await detailPage(
        {
          getAuthorizer: () => ok<'getAuthorizer'>({ authorizer: detail({ ...mini, missingSets: [], history: [] }) }),
          getMiniProgramVersions: () => ok<'getMiniProgramVersions'>({ ...rejectedForCategory(), appid: mini.appid }),
        },
        mini.appid,
      );
      return until(page, () => page.root.data.versionsState === 'ready', 'the versions card');
    },
  },
  {
    name: 'account-detail-versions-missing-set',
    title: '账号详情：小程序版本，未授予开发管理权限',
    async open() {
      const mini = ACCOUNTS[1];
      const answer = {
        ...versionsAnswer({ appid: mini.appid, live: null, audit: null, trial: null, shipment: null }),
        availability: 'missing_set' as const,
        notice: '你还没有授予服务商“开发管理”权限，服务商无法为你发布新版本，也看不到版本信息。请重新授权并勾选开发管理权限。',
      };
      const page = await detailPage(
        {
          getAuthorizer: () =>
            ok<'getAuthorizer'>({
              authorizer: detail({
                ...mini,
                grantedSets: [],
                missingSets: [{ ...CODE_SET, reason: '为你的小程序发布新版本' }],
                history: [],
              }),
            }),
          getMiniProgramVersions: () => ok<'getMiniProgramVersions'>(answer),
        },
        mini.appid,
      );
      return until(page, () => page.root.data.versionsState === 'ready', 'the versions card');
    },
  },
  {
    name: 'account-detail-not-found',
    title: '账号详情：未找到',
    open: () => detailPage({ getAuthorizer: () => fail('NOT_FOUND', '没有找到这个账号') }),
  },
  {
    name: 'account-detail-error',
    title: '账号详情：出错',
    open: () => detailPage({ getAuthorizer: () => fail('UPSTREAM', '网络不稳定，请稍后重试') }),
  },
];

const adminPage = (handlers: Handlers) =>
  loadPage('pages/admin/index', {
    wxShims: cloudOf({
      getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
      // A healthy platform's list has no account to re-authorize: the health and the list agree.
      listAuthorizers: listOf(ACCOUNTS.filter((a) => a.status !== 'needs_reauth')),
      releaseStatus: () => ok<'releaseStatus'>(RELEASE),
      ...handlers,
    }),
  });

/** The admin list's answer over these accounts, with its counts. */
function listOf(accounts: AuthorizerSummary[]) {
  const count = (status: AuthorizerSummary['status']) => accounts.filter((a) => a.status === status).length;
  return () =>
    ok<'listAuthorizers'>({
      total: accounts.length,
      authorizers: accounts,
      counts: { active: count('active'), needsReauth: count('needs_reauth'), revoked: count('revoked') },
    });
}

const UNHEALTHY = healthyPlatform({
  ok: false,
  ticket: { ok: false, receivedAt: null, ageSeconds: null },
  componentToken: { ok: false, expiresAt: null },
  authorizers: { total: 4, active: 2, needsReauth: 1, revoked: 1 },
  needsAttention: [ACCOUNTS[2]],
  recentPushFailures: [
    { at: Date.UTC(2026, 10, 22, 1, 0), infoType: 'authorized', outcome: 'api_query_auth failed: 61010', errcode: 61010 },
  ],
  lastUpstreamError: {
    at: Date.UTC(2026, 10, 23, 4, 0),
    errcode: 61004,
    meaning: 'access clientip is not registered',
    requestIp: '203.0.113.7',
  },
});

const BROKER_CALLERS: BrokerCallerView[] = [
  {
    way: 'http',
    id: 'messaging',
    revoked: false,
    legacyScope: false,
    scope: { ops: ['call'], apis: ['/cgi-bin/message/'], appids: '*' },
    totals: { calls: 1284, errors: 3, refused: 12, lastAt: Date.UTC(2026, 11, 3, 2, 5) },
    usage: [
      { api: '/cgi-bin/message/custom/send', calls: 1270, errors: 3, refused: 0, lastOutcome: 0, lastAt: 2 },
      { api: 'token', calls: 12, errors: 0, refused: 12, lastOutcome: 'SCOPE_DENIED', lastAt: 1 },
    ],
  },
  {
    way: 'http',
    id: 'release',
    revoked: false,
    legacyScope: false,
    scope: { ops: ['call', 'component', 'list'], apis: ['/wxa/'], appids: '*' },
    totals: { calls: 310, errors: 0, refused: 0, lastAt: Date.UTC(2026, 11, 2, 9, 30) },
    usage: [{ api: '/wxa/commit', calls: 150, errors: 0, refused: 0, lastOutcome: 0, lastAt: 1 }],
  },
  {
    way: 'function',
    id: 'BROKER_SECRET',
    revoked: false,
    legacyScope: true,
    scope: { ops: ['list'], apis: [], appids: '*' },
    totals: { calls: 0, errors: 0, refused: 0, lastAt: null },
    usage: [],
  },
];

const RELEASE: ReleaseStatus = {
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
    { appid: 'wx570bc396a51b8ff8', group: 1, kind: 'official_account', lastEvent: 'unauthorized', lastEventAt: HISTORY_START },
  ],
  jobs: { pending: 0, done: 1, failed: 0 },
  messageForwarding: false,
  messages: [
    { appid: 'wx570bc396a51b8ff8', type: 'text', count: 2, forwardFailures: 0, lastAt: HISTORY_START, releaseTest: true },
    {
      appid: 'wx8c41f2a9e6d07b13',
      type: 'event.subscribe',
      count: 5,
      forwardFailures: 1,
      lastAt: HISTORY_START,
      releaseTest: false,
    },
  ],
};

const ADMIN_PAGE: MiniState[] = [
  { name: 'admin-loading', title: '平台状态：加载中', open: () => adminPage({ platformHealth: () => never() }) },
  {
    name: 'admin-healthy',
    title: '平台状态：正常',
    open: () => adminPage({ platformHealth: () => ok<'platformHealth'>(healthyPlatform()) }),
  },
  {
    name: 'admin-unhealthy',
    title: '平台状态：异常',
    open: () => adminPage({ platformHealth: () => ok<'platformHealth'>(UNHEALTHY), listAuthorizers: listOf(ACCOUNTS) }),
  },
  {
    name: 'admin-release',
    title: '平台管理：全网发布（详情展开）',
    async open() {
      const page = await adminPage({ platformHealth: () => ok<'platformHealth'>(healthyPlatform()) });
      await until(page, () => page.root.data.releaseState === 'ready', 'the 全网发布 card');
      await tap(page.root.querySelector('#toggle-release-details')?.querySelector('.van-button'), page);
      return until(page, () => page.root.data.releaseDetails === true, 'the 全网发布 details');
    },
  },
  {
    name: 'admin-reconciled',
    title: '平台管理：对账结果留在页面上',
    async open() {
      const page = await adminPage({
        platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
        reconcile: () => ok<'reconcile'>({ listed: 4, restored: 1, markedRevoked: 1 }),
      });
      await tap(page.root.querySelector('#reconcile')?.querySelector('.van-button'), page);
      return until(page, () => page.root.data.reconcileResult !== null, 'the reconcile result');
    },
  },
  {
    name: 'admin-callers',
    title: '平台管理：调用方与用量（展开），一个密钥未配置权限范围',
    async open() {
      const page = await adminPage({
        platformHealth: () =>
          ok<'platformHealth'>(healthyPlatform({ broker: { httpKeys: 2, functionSecrets: 1, legacyScope: ['BROKER_SECRET'] } })),
        brokerCallers: () => ok<'brokerCallers'>({ callers: BROKER_CALLERS }),
      });
      await tap(page.root.querySelector('#load-callers')?.querySelector('.van-button'), page);
      return until(page, () => page.root.data.callersState === 'ready', 'the callers card');
    },
  },
  {
    name: 'admin-ship',
    title: '平台管理：发布到全部商家（展开一个任务，发布结果）',
    async open() {
      const page = await adminPage({
        platformHealth: () => ok<'platformHealth'>(healthyPlatform()),
        shipJobs: () => ok<'shipJobs'>({ jobs: [shipJob(), pausedForQuota()] }),
        shipJobStatus: () => ok<'shipJobStatus'>(jobStatus()),
        shipJobCommand: () => ok<'shipJobCommand'>({ jobId: JOB_ID, state: 'running', moved: 38, busy: 2, more: false }),
      });
      await tap(page.root.querySelector('#load-ship')?.querySelector('.van-button'), page);
      await until(page, () => page.root.data.shipState === 'ready', 'the shipping card');
      await tap(page.root.querySelector(`#ship-cell-${JOB_ID}`)?.querySelector('.van-cell'), page);
      await until(page, () => page.root.data.shipDetailState === 'ready', "the job's details");
      await tap(page.root.querySelector('#ship-release')?.querySelector('.van-button'), page);
      const confirm = page.root.querySelector('#ship-dialog')?.querySelectorAll('.van-dialog__button')[1];
      await tap(confirm?.querySelector('.van-button'), page);
      await until(page, () => page.root.data.shipResult !== null && !page.root.data.shipBusy, 'the result');
      // The dialog's leave transition (300 ms) ends before the picture.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await page.flush();
      return page;
    },
  },
  {
    name: 'admin-forbidden',
    title: '平台状态：无权限',
    open: () =>
      adminPage({
        getAppConfig: () => ok<'getAppConfig'>(appConfig(false)),
        platformHealth: () => fail('FORBIDDEN', '没有权限'),
      }),
  },
  {
    name: 'admin-error',
    title: '平台状态：出错',
    open: () => adminPage({ platformHealth: () => fail('UPSTREAM', '网络不稳定，请稍后重试') }),
  },
];

/** The link page after choosing a channel and tapping 生成授权链接. */
async function linkReady(channel: 'pc' | 'h5'): Promise<LoadedPage> {
  const expiresAt = new Date(2026, 10, 23, 20, 15).getTime();
  const wxShims = cloudOf({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(false)),
    createAuthSession: (input) =>
      ok<'createAuthSession'>(
        channel === 'pc'
          ? {
              sessionId: SESSION_ID,
              channel,
              expiresAt,
              pcEntryUrl: `https://env-7g3k.service.tcloudbase.com/wx/entry?sid=${SESSION_ID}`,
            }
          : {
              sessionId: SESSION_ID,
              channel,
              expiresAt,
              h5Url: `https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wx3f8a2c61d9e07b45&pre_auth_code=preauthcode%40%40%40x&auth_type=${input.authType}#wechat_redirect`,
            },
      ),
    getAuthSession: () => ok<'getAuthSession'>({ sessionId: SESSION_ID, channel, status: 'pending', expiresAt }),
  });
  const page = await loadPage('pages/link/index', { wxShims, query: { authType: '3' } });
  await tap(page.root.querySelector(`#channel-${channel}`), page);
  await tap(page.root.querySelector('#create')?.querySelector('.van-button'), page);
  return until(page, () => page.root.data.phase === 'ready', 'phase ready');
}

const LINK_PAGE: MiniState[] = [
  {
    name: 'link',
    title: '链接授权：选择',
    open: () =>
      loadPage('pages/link/index', {
        wxShims: cloudOf({ getAppConfig: () => ok<'getAppConfig'>(appConfig(false)) }),
        query: { authType: '3' },
      }),
  },
  { name: 'link-pc', title: '链接授权：电脑链接', open: () => linkReady('pc') },
  {
    name: 'link-copied',
    title: '链接授权：已复制（提示）',
    async open() {
      const page = await linkReady('pc');
      await tap(page.root.querySelector('#copy')?.querySelector('.van-button'), page);
      return until(page, () => page.callsTo('showToast').length === 1, 'the toast');
    },
  },
  { name: 'link-h5', title: '链接授权：手机链接', open: () => linkReady('h5') },
];

/** The admin's side of the PC console's sign-in (issue 20): scanned, the browser shown, confirmed. */
async function consoleSignIn(then?: 'approve'): Promise<LoadedPage> {
  const ticket = 'e'.repeat(32);
  const scanCode = (options: { success?: (r: { result: string }) => void }) =>
    setTimeout(() => options.success?.({ result: `https://env-7g3k.service.tcloudbase.com/wx/console/scan?t=${ticket}` }), 0);
  const page = await loadPage('pages/console-signin/index', {
    wxShims: {
      scanCode,
      ...cloudOf({
        consoleSignInPreview: () =>
          ok<'consoleSignInPreview'>({
            browser: 'Chrome 143 · Windows',
            userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/143.0.0.0',
            ip: '203.0.113.7',
            requestedAt: new Date(2026, 11, 4, 11, 20).getTime(),
            expiresAt: new Date(2026, 11, 4, 11, 22).getTime(),
          }),
        consoleSignInConfirm: () => ok<'consoleSignInConfirm'>({ approved: true }),
      }),
    },
  });
  await tap(page.root.querySelector('#scan')?.querySelector('.van-button'), page);
  await until(page, () => Boolean(page.root.querySelector('#preview')), 'the preview');
  if (!then) return page;
  await tap(page.root.querySelector('#approve')?.querySelector('.van-button'), page);
  return until(page, () => Boolean(page.root.querySelector('#approved')), 'the confirmation');
}

const CONSOLE_SIGNIN_PAGE: MiniState[] = [
  { name: 'console-signin-preview', title: '登录电脑版控制台：核对浏览器', open: () => consoleSignIn() },
  { name: 'console-signin-approved', title: '登录电脑版控制台：已确认', open: () => consoleSignIn('approve') },
];

export const MINI_STATES: MiniState[] = [
  ...AUTHORIZE,
  ...ACCOUNTS_PAGE,
  ...DETAIL_PAGE,
  ...ADMIN_PAGE,
  ...LINK_PAGE,
  ...CONSOLE_SIGNIN_PAGE,
];
