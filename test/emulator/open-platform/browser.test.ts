/**
 * The PC authorization page in a real headless Chromium: reached by a link click from an entry
 * page on the initiation domain (so the browser itself sends the Referer), account picked,
 * one permission set unticked, confirmed, and redirected to the callback page.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startOpenPlatform, type OpenPlatformEmulator } from '../../../emulator/open-platform';
import { launchChromium } from '../../../scripts/browser/chromium';
import { componentToken, MINI_PROGRAM, preAuthCode, SERVICE_OA, SUBSCRIPTION_OA } from './support';

describe('authorization page in a browser', () => {
  let browser: Browser;
  let emu: OpenPlatformEmulator;
  let platform: http.Server;
  let platformOrigin: string;
  let entryLink = '';

  beforeAll(async () => {
    // Fails with one clear message without a Chromium instead of passing by skipping.
    browser = await launchChromium();
    // the platform's own site: an entry page linking to WeChat, and the redirect_uri page
    platform = http.createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      if (request.url?.startsWith('/entry')) response.end(`<a id="go" href="${entryLink.replace(/&/g, '&amp;')}">去授权</a>`);
      else response.end(`<p id="callback">${request.url}</p>`);
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    platformOrigin = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => platform.close(resolve));
  });

  beforeEach(async () => {
    emu = await startOpenPlatform({
      ticketPushIntervalSeconds: 0,
      component: { initiationDomain: new URL(platformOrigin).host },
    });
  });
  afterEach(() => emu.close());

  const pcLink = async (authType: number): Promise<string> => {
    const url = new URL('/cgi-bin/componentloginpage', emu.url);
    url.searchParams.set('component_appid', emu.component.appId);
    url.searchParams.set('pre_auth_code', await preAuthCode(emu, await componentToken(emu)));
    url.searchParams.set('redirect_uri', `${platformOrigin}/callback?from=pc`);
    url.searchParams.set('auth_type', String(authType));
    return url.href;
  };

  it('authorizes the chosen account with the ticked sets only', async () => {
    entryLink = await pcLink(1);
    const page = await browser.newPage();
    try {
      await page.goto(`${platformOrigin}/entry`);
      await page.click('#go');
      await page.waitForSelector('#confirm');
      expect(await page.textContent('#simulated-scan')).toContain('模拟扫码');

      await page.check(`#account-${SUBSCRIPTION_OA}`);
      const fieldsetDisabled = (appid: string) =>
        page.$eval(`fieldset.func-sets[data-appid="${appid}"]`, (el) => (el as unknown as { disabled: boolean }).disabled);
      expect(await fieldsetDisabled(SERVICE_OA)).toBe(true);
      expect(await fieldsetDisabled(SUBSCRIPTION_OA)).toBe(false);
      await page.uncheck(`#func-${SUBSCRIPTION_OA}-2`);
      await Promise.all([page.waitForURL(/\/callback/), page.click('#confirm')]);

      const landed = new URL(page.url());
      expect(landed.searchParams.get('from')).toBe('pc');
      expect(landed.searchParams.get('auth_code')).toMatch(/^queryauthcode@@@/);
      expect(landed.searchParams.get('expires_in')).toBe('3600');
      expect(emu.authorizations()).toEqual([
        { authorizerAppid: SUBSCRIPTION_OA, funcIds: [1, 3, 7, 11, 15], authTime: expect.any(Number) },
      ]);
    } finally {
      await page.close();
    }
  }, 30_000);

  it('shows the initiation-domain error when the link is typed in', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(await pcLink(2));
      expect(await page.getAttribute('#error', 'data-error-code')).toBe('initiation_domain');
      expect(await page.textContent('#error')).toContain('授权入口页所在域名：空');
    } finally {
      await page.close();
    }
  }, 30_000);

  it('lists mini-programs for auth_type 2 after a link click', async () => {
    entryLink = await pcLink(2);
    const page = await browser.newPage();
    try {
      await page.goto(`${platformOrigin}/entry`);
      await page.click('#go');
      const appids = await page.$$eval('input[name=authorizer_appid]', (inputs) =>
        inputs.map((input) => (input as unknown as { value: string }).value),
      );
      expect(appids).toContain(MINI_PROGRAM);
      expect(appids).not.toContain(SERVICE_OA);
    } finally {
      await page.close();
    }
  }, 30_000);
});
