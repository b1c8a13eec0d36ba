// The function's HTML pages and the emulator's authorization pages, each in one state, reached
// in a real browser through the local stack as a merchant's admin would reach them.
import type { Page } from 'playwright-core';
import { DEFAULT_ACCOUNTS } from '../../emulator/open-platform';
import { CONFIRM_PATH } from '../../emulator/open-platform/pages/html';
import { LATE_PUSH_GRACE_MS } from '../../cloudfunctions/authorization/src/sessions/sessions';
import { startLauncher, type Launcher } from '../../scripts/launcher';
import { seedAuthorizers } from '../../emulator/scale-seed';
import type { WebStateName } from './web-names';
import { entryTarget, type FlowStack } from '../e2e/helpers/flows-stack';
import { rehearseOn } from '../e2e/helpers/release';
import { BrokerError, BrokerHttpClient } from '../../clients/broker-client/src';

export interface WebState {
  name: WebStateName;
  title: string;
  /** The page's <h1> in this state, checked before the picture is taken. */
  heading: string;
  /** Leaves `page` showing the state. */
  open(page: Page, flow: FlowStack): Promise<void>;
  /** Desk pages (the console) are drawn at this size instead of the phone's. */
  viewport?: { width: number; height: number };
  /** After every picture: waits for what the state left running, so the stack closes idle. */
  settle?(flow: FlowStack): Promise<void>;
}

const MERCHANT = 'o-gallery-merchant';
const flowerShop = DEFAULT_ACCOUNTS.find((account) => account.nickName === '青禾鲜花预订')!;
const serviceCenter = DEFAULT_ACCOUNTS.find((account) => account.nickName === '青禾生活服务中心')!;

async function pcEntryUrl(flow: FlowStack, authType: 1 | 2 | 3 = 3): Promise<string> {
  const created = await flow.ok(MERCHANT, 'createAuthSession', { authType, channel: 'pc' });
  return created.pcEntryUrl!;
}

/** Entry page → WeChat's PC page (the browser sends the Referer), as the admin arrives there. */
async function toPcPage(page: Page, flow: FlowStack, entryUrl?: string): Promise<void> {
  await page.goto(entryUrl ?? (await pcEntryUrl(flow)));
  await page.waitForURL((url) => url.pathname === '/cgi-bin/componentloginpage');
  await page.locator('#authorize-form').waitFor();
}

/**
 * Keeps the page where it is when it tries to move on by itself (the entry page's script, the
 * processing page's refresh): a 204 answer makes the browser stay.
 */
async function stayOn(page: Page, pattern: string): Promise<void> {
  await page.route(pattern, (route) =>
    route.request().isNavigationRequest() ? route.fulfill({ status: 204 }) : route.continue(),
  );
}

/** Picks `account` on WeChat's page, confirms, and lands on our callback page. */
async function confirm(page: Page, account = flowerShop): Promise<void> {
  await page.locator(`#account-${account.appid}`).check();
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/wx/callback', { timeout: 20_000 }),
    page.locator('#confirm').click(),
  ]);
  await page.locator('h1').waitFor();
}

/**
 * The callback page while the code exchange is still under way: the push reaches the function
 * first and its exchange is slow (WeChat answers after 12 s), so the callback, arriving 2 s later,
 * stops waiting after 8 s. (A callback that starts the exchange itself waits for its own answer.)
 * First in the list: the exchange then ends while the other pictures are taken.
 */
function processingState(): WebState {
  let sessionId = '';
  return {
    name: 'web-callback-processing',
    title: '网页：授权处理中',
    heading: '授权处理中',
    async open(page, flow) {
      const { faults } = flow.stack.openPlatform;
      const slowExchange = faults.inject({ api: 'api_query_auth', delayMs: 12_000, times: 1 });
      try {
        const entryUrl = await pcEntryUrl(flow);
        sessionId = new URL(entryUrl).searchParams.get('sid') ?? '';
        await toPcPage(page, flow, entryUrl);
        // WeChat redirects at once and pushes in the background; the browser follows 2 s late.
        await page.route(`**${CONFIRM_PATH}`, async (route) => {
          const response = await route.fetch({ maxRedirects: 0 });
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          await route.fulfill({ response });
        });
        await confirm(page, serviceCenter);
        await stayOn(page, '**/wx/callback**');
      } finally {
        faults.clear(slowExchange);
      }
    },
    async settle(flow) {
      const deadline = Date.now() + 30_000;
      while ((await flow.ok(MERCHANT, 'getAuthSession', { sessionId })).status !== 'authorized') {
        if (Date.now() > deadline) throw new Error('web-callback-processing: the slow exchange never completed');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

/** `npm start`'s launcher (scripts/launcher.ts) on this stack, closed once the pictures are taken. */
function launcherState(): WebState {
  let launcher: Launcher | undefined;
  return {
    name: 'launcher',
    title: '本地启动页：选择授权方式和账号类型',
    heading: '授权一个测试账号',
    async open(page, flow) {
      launcher = await startLauncher({ port: 0, merchant: MERCHANT, call: flow.stack.call });
      await page.goto(launcher.url);
    },
    async settle() {
      await launcher?.close();
    },
  };
}

/** The provider's PC console (issue 20), at desk width, signed in as the gallery's admin. */
export const GALLERY_ADMIN = 'o-gallery-admin';
const DESK = { width: 1280, height: 800 };

/** The broker key the gallery's release job is created with (in GALLERY_ENV below). */
const GALLERY_SHIP_KEY = {
  id: 'gallery-ship',
  secret: 'gallery-ship-secret-0123456789abcdef0123456789',
  scope: { ops: ['ship'], appids: '*' },
};

/** The broker's callers in the gallery's function (shoot.ts sets them): two at work, one retired. */
const brokerSecret = (id: string) => `${id}-gallery-secret-0123456789abcdef0123456789`;
const GALLERY_KEYS = [
  { id: 'order-service', scope: { ops: ['call'], apis: ['/cgi-bin/message/'], appids: '*' } },
  { id: 'report-job', scope: { ops: ['token'], appids: [flowerShop.appid] } },
  { id: 'old-backend', revoked: true, scope: { ops: ['call'], apis: ['/'], appids: '*' } },
];
/** The 授权测试列表: the flower shop (authorized by an earlier state) and one account not yet. */
export const GALLERY_ENV = {
  BROKER_CLIENT_KEYS: JSON.stringify([
    ...GALLERY_KEYS.map((key) => ({ ...key, secret: brokerSecret(key.id) })),
    GALLERY_SHIP_KEY,
  ]),
  RELEASE_TEST_LIST: `${flowerShop.userName};gh_0123456789ab`,
};

/** Requests through the broker's signed-HTTP way in, as the provider's services make them: some refused. */
async function brokerTraffic(flow: FlowStack): Promise<void> {
  const client = (id: string) =>
    new BrokerHttpClient({
      baseUrl: flow.stack.publicBaseUrl,
      keyId: id,
      secret: brokerSecret(id),
      now: () => flow.stack.clock.now(),
    });
  async function refused(promise: Promise<unknown>): Promise<void> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof BrokerError) return;
      throw error;
    }
    throw new Error('console-proxy: a request out of scope was not refused');
  }
  const send = {
    method: 'POST' as const,
    path: '/cgi-bin/message/custom/send',
    json: { touser: 'o1', msgtype: 'text', text: { content: '您的订单已发货' } },
  };
  for (let i = 0; i < 3; i++) await client('order-service').call(flowerShop.appid, send);
  await refused(client('order-service').call(flowerShop.appid, { method: 'GET', path: '/cgi-bin/account/getaccountbasicinfo' }));
  await client('report-job').token(flowerShop.appid);
  await refused(client('old-backend').call(flowerShop.appid, send));
}

function consoleStates(): WebState[] {
  const login = (flow: FlowStack) => `${flow.stack.publicBaseUrl}/console/login`;
  async function signedIn(page: Page, flow: FlowStack): Promise<void> {
    await page.goto(login(flow));
    if (new URL(page.url()).pathname.endsWith('/console/health')) return;
    const href = await page.locator('#local-scan').getAttribute('href');
    const ticket = new URL(href!).searchParams.get('t')!;
    await flow.ok(GALLERY_ADMIN, 'consoleSignInPreview', { ticket });
    await flow.ok(GALLERY_ADMIN, 'consoleSignInConfirm', { ticket, approve: true });
    await page.waitForURL((url) => url.pathname.endsWith('/console/health'));
  }
  return [
    {
      name: 'console-login',
      title: '电脑版控制台：扫码登录',
      heading: '扫码登录电脑版控制台',
      viewport: DESK,
      open: async (page, flow) => void (await page.goto(login(flow))),
    },
    {
      name: 'console-health',
      title: '电脑版控制台：健康',
      heading: '授权平台控制台',
      viewport: DESK,
      open: signedIn,
    },
    {
      name: 'console-authorizers',
      title: '电脑版控制台：授权账号',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/authorizers`);
        await page.locator('.console-table').waitFor();
      },
    },
    {
      name: 'console-account',
      title: '电脑版控制台：一个授权账号与测试调用',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/authorizers`);
        await page.locator('.console-table tbody tr a').first().click();
        await page.locator('.console-account form button[type=submit]').click();
        await page.locator('.console-test-call').waitFor();
      },
    },
    {
      name: 'console-audit',
      title: '电脑版控制台：操作记录',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/audit`);
        await page.locator('#audit-log').waitFor();
      },
    },
    {
      name: 'console-proxy',
      title: '电脑版控制台：代理调用',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        await brokerTraffic(flow);
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/proxy`);
        await page.locator('#proxy-callers').waitFor();
      },
    },
    {
      name: 'console-release',
      title: '电脑版控制台：全网发布',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        const report = await rehearseOn(flow, { groups: [1], selectedFuncIds: [1] });
        if (!report.ok) throw new Error("console-release: the rehearsal of WeChat's test failed");
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/release`);
        await page.locator('#release-test-list').waitFor();
      },
    },
    ...shippingStates(signedIn),
  ];
}

/**
 * A release job as ops would find it mid-way: 8 flower shops, a canary of 3 then the rest;
 * after two rounds of audits some wait for the release command, one was rejected for its name,
 * one failed on a code nobody knows, one was skipped (no ext_json values), the rest are in audit.
 */
async function galleryJob(flow: FlowStack): Promise<string> {
  const { openPlatform, cloud, clock, publicBaseUrl } = flow.stack;
  const grants = openPlatform
    .bulkAuthorize(96, 'gallery-ship')
    .filter((g) => g.account.kind === 'mini_program' && g.account.serviceTypeId === 0)
    .slice(0, 8);
  await seedAuthorizers(cloud.db, grants, clock.now());
  const appids = grants.map((g) => g.account.appid);
  const ship = new BrokerHttpClient({
    baseUrl: publicBaseUrl,
    keyId: GALLERY_SHIP_KEY.id,
    secret: GALLERY_SHIP_KEY.secret,
    now: () => clock.now(),
  }).ship;
  for (const [i, grant] of grants.entries())
    if (i !== 6) await ship.values(grant.account.appid, { shopName: grant.account.nickName });
  const cm = openPlatform.codeManagement;
  cm.configure(appids[1], {
    outcome: 'fail',
    failReason: '小程序名称与实际提供的服务不符<br>请修改名称或补充相应服务类目后重新提交',
  });
  cm.injectError(appids[2], '/wxa/commit', 99999, 5);
  const { templateId } = cm.uploadDraft({ userVersion: '2.0.0', userDesc: '春季上新：预约送花', toTemplate: true });
  cm.uploadDraft({ userVersion: '1.9.2', userDesc: '修复下单页地址选择', toTemplate: true });
  const { jobId } = await ship.create({
    templateId: templateId!,
    userVersion: '2.0.0',
    userDesc: '春季上新：预约送花',
    extJsonTemplate: { extEnable: true, extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } },
    targets: appids,
    release: 'command',
    waveSizes: [3, 10],
  });
  const timer = () => cloud.triggerTimer('authorization');
  // The canary through its audits, then the next wave committed and submitted.
  await timer();
  clock.advance(61);
  await timer();
  await timer();
  clock.advance(901);
  await cm.settle();
  await timer();
  clock.advance(61);
  await timer();
  await timer();
  return jobId;
}

function shippingStates(signedIn: (page: Page, flow: FlowStack) => Promise<void>): WebState[] {
  let job: Promise<string> | undefined;
  const jobOf = (flow: FlowStack) => (job ??= galleryJob(flow));
  return [
    {
      name: 'console-shipping',
      title: '电脑版控制台：发布到商家（任务与模板库）',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        await jobOf(flow);
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/shipping`);
        await page.locator('#ship-jobs table').waitFor();
      },
    },
    {
      name: 'console-ship-job',
      title: '电脑版控制台：发布任务（每个商家的状态与原因）',
      heading: '授权平台控制台',
      viewport: DESK,
      async open(page, flow) {
        const jobId = await jobOf(flow);
        await signedIn(page, flow);
        await page.goto(`${flow.stack.publicBaseUrl}/console/shipping/${jobId}`);
        await page.locator('.ship-merchants').waitFor();
      },
    },
  ];
}

export const WEB_STATES: WebState[] = [
  processingState(),
  {
    name: 'web-entry',
    title: '网页：授权入口页',
    heading: '前往微信授权',
    async open(page, flow) {
      await stayOn(page, '**/cgi-bin/componentloginpage**');
      await page.goto(await pcEntryUrl(flow));
    },
  },
  { name: 'emulator-pc', title: '模拟微信：电脑授权页', heading: '授权给第三方平台', open: (page, flow) => toPcPage(page, flow) },
  {
    name: 'emulator-h5',
    title: '模拟微信：手机授权页',
    heading: '授权给第三方平台',
    async open(page, flow) {
      const created = await flow.ok(MERCHANT, 'createAuthSession', { authType: 1, channel: 'h5' });
      await page.goto(created.h5Url!);
      await page.locator('#authorize-form').waitFor();
    },
  },
  {
    name: 'emulator-error',
    title: '模拟微信：错误页（直接打开链接）',
    heading: '无法完成授权',
    async open(page, flow) {
      await page.goto(entryTarget((await flow.page(await pcEntryUrl(flow, 1))).html));
      await page.locator('#error').waitFor();
    },
  },
  {
    name: 'web-callback-success',
    title: '网页：授权成功',
    heading: '授权成功',
    async open(page, flow) {
      await toPcPage(page, flow);
      await confirm(page);
    },
  },
  {
    name: 'web-callback-unchanged',
    title: '网页：授权未变更（同一账号再次确认）',
    heading: '授权未变更',
    async open(page, flow) {
      await toPcPage(page, flow);
      await confirm(page);
    },
  },
  {
    name: 'web-callback-failed',
    title: '网页：授权未完成',
    heading: '授权未完成',
    async open(page, flow) {
      const entry = new URL(await pcEntryUrl(flow));
      await page.goto(`${flow.stack.publicBaseUrl}/callback?sid=${entry.searchParams.get('sid')}`);
    },
  },
  {
    name: 'emulator-used-code',
    title: '模拟微信：授权链接已使用（从结果页按「返回」）',
    heading: '授权链接已使用',
    async open(page, flow) {
      await toPcPage(page, flow);
      await confirm(page);
      await page.goBack();
      await page.locator('#error').waitFor();
    },
  },
  launcherState(),
  // Moves the shared clock: keep it last.
  {
    name: 'web-link-expired',
    title: '网页：链接已失效',
    heading: '链接已失效',
    async open(page, flow) {
      const url = await pcEntryUrl(flow);
      flow.stack.clock.advance(Math.ceil(600 + LATE_PUSH_GRACE_MS / 1000 + 1));
      await page.goto(url);
    },
  },
  ...consoleStates(),
];
