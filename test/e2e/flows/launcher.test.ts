/**
 * `npm start`'s launcher walked in Chromium, as a newcomer does: choose PC or H5 and the kind of
 * account, authorize on the emulated WeChat page, land on our callback page; Browser Back from
 * there explains the used link and leads back; the sixth start in a minute is a page in Chinese.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import { launchChromium } from '../../../scripts/browser/chromium';
import { startLauncher, type Launcher } from '../../../scripts/launcher';
import { pushesSettled, startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(60_000);

const MERCHANT = 'o-launcher-merchant';
const officialAccount = DEFAULT_ACCOUNTS.find((a) => a.kind === 'official_account')!;
const channelsAccount = DEFAULT_ACCOUNTS.find((a) => a.kind === 'channels')!;

let flow: FlowStack;
let browser: Browser;
let context: BrowserContext;
let launcher: Launcher;

beforeAll(async () => {
  browser = await launchChromium();
  // The product's own limits, as `npm start` runs.
  flow = await startFlowStack({ lenientLimits: false });
  launcher = await startLauncher({ port: 0, merchant: MERCHANT, call: flow.stack.call });
  context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 720 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await launcher?.close();
  await flow?.close();
});

const onPath = (pathname: string) => (url: URL) => url.pathname === pathname;

async function choose(page: Page, channel: 'pc' | 'h5', authType: number): Promise<void> {
  await page.goto(launcher.url);
  await expect(page.locator('h1').textContent()).resolves.toBe('授权一个测试账号');
  // A sensible default is chosen, so the button works at once.
  expect(await page.locator('#channel-pc').isChecked()).toBe(true);
  expect(await page.locator('#auth_type-6').isChecked()).toBe(true);
  await page.locator(`#channel-${channel}`).check();
  await page.locator(`#auth_type-${authType}`).check();
  await page.locator('#start').click();
}

async function confirmOn(page: Page, appid: string): Promise<void> {
  await page.locator('#authorize-form').waitFor();
  await page.locator(`#account-${appid}`).check();
  await Promise.all([page.waitForURL(onPath('/wx/callback')), page.locator('#confirm').click()]);
  await expect(page.locator('h1').textContent()).resolves.toBe('授权成功');
}

test('PC: choose PC and 公众号, confirm on the QR page, the callback shows the account; Back explains and leads forward', async () => {
  const page = await context.newPage();
  await choose(page, 'pc', 1);
  await page.waitForURL(onPath('/cgi-bin/componentloginpage'));
  expect(await page.locator('#authorize').getAttribute('data-channel')).toBe('pc');
  expect(new URL(page.url()).searchParams.get('auth_type')).toBe('1');
  const kinds = await page.locator('li.account').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
  expect(new Set(kinds)).toEqual(new Set(['official_account']));
  await confirmOn(page, officialAccount.appid);
  await expect(page.locator('#account strong').textContent()).resolves.toBe(officialAccount.nickName);

  // Browser Back lands on WeChat's page for a spent pre_auth_code: it explains and links back.
  await page.goBack();
  await page.locator('#error').waitFor();
  expect(await page.locator('#error').getAttribute('data-error-code')).toBe('pre_auth_code_used');
  await expect(page.locator('h1').textContent()).resolves.toBe('授权链接已使用');
  expect(await page.locator('#next-step').innerText()).toContain('授权已经完成');
  await Promise.all([page.waitForURL(onPath('/wx/callback')), page.locator('#back-to-result').click()]);
  await expect(page.locator('h1').textContent()).resolves.toBe('授权成功');
  await page.close();

  await pushesSettled(flow.stack);
  const mine = await flow.ok(MERCHANT, 'listMyAuthorizers', {});
  expect(mine.authorizers.map((a) => a.appid)).toContain(officialAccount.appid);
});

test('H5: choose 手机 and 视频号, the H5 page lists Channels accounts, confirm, the callback shows it', async () => {
  const page = await context.newPage();
  await choose(page, 'h5', 5);
  await page.waitForURL(onPath('/wxaopen/safe/bindcomponent'));
  expect(await page.locator('#authorize').getAttribute('data-channel')).toBe('h5');
  expect(new URL(page.url()).searchParams.get('auth_type')).toBe('5');
  const kinds = await page.locator('li.account').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
  expect(new Set(kinds)).toEqual(new Set(['channels']));
  await confirmOn(page, channelsAccount.appid);
  await expect(page.locator('#account strong').textContent()).resolves.toBe(channelsAccount.nickName);
  await page.close();

  await pushesSettled(flow.stack);
  const view = await flow.ok(MERCHANT, 'listMyAuthorizers', {});
  expect(view.authorizers.map((a) => a.appid)).toContain(channelsAccount.appid);
});

test('a bad choice is a page in Chinese that leads back to the choice', async () => {
  const page = await context.newPage();
  const response = await page.goto(`${launcher.url}start?channel=fax&auth_type=6`);
  expect(response?.status()).toBe(400);
  await expect(page.locator('h1').textContent()).resolves.toBe('选择有误');
  await Promise.all([page.waitForURL(launcher.url), page.locator('#back').click()]);
  await page.locator('#launch').waitFor();
  await page.close();
});

test('the per-merchant session limit is answered as a page in Chinese, not an HTTP 500', async () => {
  const page = await context.newPage();
  // Two sessions were started above; start until the limit answers.
  let status = 0;
  for (let visit = 0; visit < 6 && status !== 429; visit += 1) {
    const response = await page.goto(`${launcher.url}start?channel=h5&auth_type=1`);
    status = response?.status() ?? 0;
  }
  expect(status).toBe(429);
  await page.locator('#rate-limited').waitFor();
  await expect(page.locator('h1').textContent()).resolves.toBe('发起授权太频繁');
  expect(await page.locator('#rate-limited').innerText()).toContain('请等一分钟后再试');
  expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
  await Promise.all([page.waitForURL(launcher.url), page.locator('#back').click()]);
  await page.close();
});
