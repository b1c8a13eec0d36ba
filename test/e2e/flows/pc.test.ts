/**
 * The PC link in a real (headless) browser: our entry page on the initiation domain navigates to
 * WeChat's PC page (the Referer check passes), the admin picks an account and confirms, and WeChat
 * sends the browser to our callback page, which exchanges the code and shows the result.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_ACCOUNTS, PERMISSION_SETS } from '../../../emulator/open-platform';
import { LATE_PUSH_GRACE_MS } from '../../../cloudfunctions/authorization/src/sessions/sessions';
import { launchChromium } from '../../../scripts/browser/chromium';
import { collectSecrets, findLeaks } from '../helpers/flows-secrets';
import { entryTarget, pushesSettled, startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(60_000);

const SCREENSHOT = path.resolve(__dirname, '../../../.tmp/flows-pc-callback.png');
const flowerShop = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾鲜花预订')!;

let flow: FlowStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  // The browser first: without one the suite fails before any server starts, so nothing is left
  // running (and used) after jest's teardown.
  browser = await launchChromium();
  flow = await startFlowStack();
  context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 720 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await flow?.close();
});

/** Keeps the HTML of every document the browser loads from our function, for the secrets scan. */
function recordOurPages(page: Page): void {
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || !response.url().startsWith(flow.stack.publicBaseUrl)) return;
    if (response.status() >= 300 && response.status() < 400) return;
    const url = new URL(response.url());
    void response.text().then(
      (html) => flow.remember(`page ${url.pathname}${url.search}`, html),
      () => undefined,
    );
  });
}

const onPath = (pathname: string) => (url: URL) => url.pathname === pathname;

describe('PC flow in Chromium', () => {
  const merchant = 'o-pc-merchant';

  test('entry page → WeChat PC page → pick an account → confirm → our callback shows 授权成功', async () => {
    const { stack } = flow;
    stack.openPlatform.resetCalls();
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 3, channel: 'pc' });
    expect(created.pcEntryUrl).toBe(`${stack.publicBaseUrl}/entry?sid=${created.sessionId}`);
    expect(created.plugin).toBeUndefined();

    const page = await context.newPage();
    recordOurPages(page);
    const wechatRequest = page.waitForRequest((request) => new URL(request.url()).pathname === '/cgi-bin/componentloginpage');
    await page.goto(created.pcEntryUrl!);
    // The entry page moves on by itself (a short script), as a person would see it.
    const referer = (await wechatRequest).headers().referer;
    expect(new URL(referer).host).toBe(new URL(stack.publicBaseUrl).host);
    await page.waitForURL(onPath('/cgi-bin/componentloginpage'));
    await page.locator('#authorize-form').waitFor();
    expect(await page.locator('#authorize').getAttribute('data-channel')).toBe('pc');

    // auth_type 3: official accounts, mini-programs (and stores), no Channels.
    const listedKinds = await page
      .locator('li.account')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    expect(new Set(listedKinds)).toEqual(new Set(['official_account', 'mini_program', 'store']));

    await page.locator(`#account-${flowerShop.appid}`).check();
    const dropped = [49, 65];
    for (const id of dropped) await page.locator(`#func-${flowerShop.appid}-${id}`).uncheck();
    const granted = flowerShop.grantableFuncIds.filter((id) => !dropped.includes(id));

    await Promise.all([page.waitForURL(onPath('/wx/callback')), page.locator('#confirm').click()]);
    const callback = new URL(page.url());
    expect(callback.searchParams.get('sid')).toBe(created.sessionId);
    expect(callback.searchParams.get('auth_code')).toMatch(/^queryauthcode@@@/);
    expect(callback.searchParams.get('expires_in')).toBe('3600');

    await expect(page.locator('h1').textContent()).resolves.toBe('授权成功');
    await expect(page.locator('#account strong').textContent()).resolves.toBe(flowerShop.nickName);
    expect(await page.locator('#account').getAttribute('data-appid')).toBe(flowerShop.appid);
    const body = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(body).toContain(`小程序 · ${flowerShop.principalName}`);
    expect(body).toContain(`已授权 ${granted.length} 个权限集`);
    expect(body).toContain(PERMISSION_SETS.get(18)!.name);
    expect(body).not.toContain(PERMISSION_SETS.get(49)!.name);
    expect(body).not.toMatch(/@@@/);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();

    // The push of the same authorization races the callback; the code is exchanged once.
    await pushesSettled(stack);
    const view = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
    expect(view).toMatchObject({
      status: 'authorized',
      channel: 'pc',
      authorizer: { appid: flowerShop.appid, kind: 'mini_program', name: flowerShop.nickName },
    });
    expect(view.authorizer!.grantedSets.map((s) => s.id)).toEqual([...granted].sort((a, b) => a - b));
    expect(await flow.doc('authorizers', flowerShop.appid)).toMatchObject({
      owners: [merchant],
      status: 'active',
      kind: 'mini_program',
      grantedSets: granted,
    });
    expect((await flow.ok(merchant, 'listMyAuthorizers', {})).authorizers.map((a) => a.appid)).toEqual([flowerShop.appid]);
    expect(stack.openPlatform.calls.filter((c) => c.api === 'api_query_auth').map((c) => c.errcode)).toEqual([0]);
    const authorizedPush = stack.openPlatform.pushes.find((p) => p.infoType === 'authorized');
    expect(authorizedPush).toMatchObject({ delivered: true, fields: { AuthorizerAppid: flowerShop.appid } });

    const leaks = findLeaks(flow.seen, await collectSecrets(flow));
    expect(leaks).toEqual([]);
    expect(flow.seen.some((s) => s.what.startsWith('page /wx/entry'))).toBe(true);
    expect(flow.seen.some((s) => s.what.startsWith('page /wx/callback'))).toBe(true);
  });

  test('the PC page opened directly (no Referer) shows the initiation-domain error', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'pc' });
    const target = entryTarget((await flow.page(created.pcEntryUrl!)).html);
    expect(new URL(target).origin).toBe(flow.stack.openPlatform.url);

    const page = await context.newPage();
    const typedIn = await page.goto(target);
    expect(typedIn!.request().headers().referer).toBeUndefined();
    const error = page.locator('#error');
    await expect(error.getAttribute('data-error-code')).resolves.toBe('initiation_domain');
    await expect(error.locator('.message').textContent()).resolves.toContain('授权入口页所在域名：空');
    expect(await page.locator('#authorize-form').count()).toBe(0);

    // The code was not spent: going through the entry page still works.
    await page.goto(created.pcEntryUrl!);
    await page.waitForURL(onPath('/cgi-bin/componentloginpage'));
    await page.locator('#authorize-form').waitFor();
    const kinds = await page.locator('li.account').evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')));
    expect(kinds).toEqual(['official_account', 'official_account']);
    await page.close();
  });

  // Moves the shared clock: keep it last.
  test('an entry link past the pre_auth_code life + grace shows 链接已失效', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 3, channel: 'pc' });
    const target = entryTarget((await flow.page(created.pcEntryUrl!)).html);
    const lifeSeconds = (created.expiresAt - flow.stack.clock.now()) / 1000;
    expect(lifeSeconds).toBeGreaterThan(590);
    flow.stack.clock.advance(Math.ceil(lifeSeconds + LATE_PUSH_GRACE_MS / 1000 + 1));

    const page = await context.newPage();
    recordOurPages(page);
    const response = await page.goto(created.pcEntryUrl!);
    expect(response!.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('链接已失效');
    // It stays there: no navigation to WeChat.
    await page.waitForTimeout(900);
    expect(new URL(page.url()).pathname).toBe('/wx/entry');

    // WeChat agrees the code is dead, even when reached the proper way.
    await page.goto(target, { referer: `${flow.stack.publicBaseUrl}/entry` });
    await expect(page.locator('#error').getAttribute('data-error-code')).resolves.toBe('pre_auth_code_expired');
    await page.close();

    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('expired');
  });
});
