/**
 * The console in Chromium on the local stack: sign-in by scanning end to end (the launcher stands
 * in for the admin's phone, as `npm start` offers), the session cookie's flags, the pages' CSP
 * (no inline script or style), the health screen's one count, sign-out, idle expiry, an OPENID
 * leaving ADMIN_OPENIDS, and every console change landing in the audit log.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, cookieHeader, raw, signInByActions, startConsoleStack, type ConsoleStack } from './console-stack';

jest.setTimeout(90_000);

let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack();
});

afterAll(async () => {
  await stack?.close();
});

/** What the CSP promises, checked on the page as rendered: no inline script, no style attribute. */
async function expectNoInlineCode(page: Page): Promise<void> {
  const inline = {
    scripts: await page.locator('script:not([src])').count(),
    styled: await page.locator('[style]').count(),
    styleBlocks: await page.locator('style').count(),
  };
  expect(inline).toEqual({ scripts: 0, styled: 0, styleBlocks: 0 });
}

describe('sign-in by scanning, end to end', () => {
  let desk: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    desk = await stack.newDesk();
    page = await desk.newPage();
  });

  test('the login page shows a QR; the launcher (the phone) previews and approves; the desk gets in', async () => {
    const violations: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && violations.push(m.text())));
    const response = await page.goto(`${stack.root}/login`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response!.headers()['x-frame-options']).toBe('DENY');
    await expect(page.locator('#qr svg').count()).resolves.toBe(1);
    await expect(page.locator('[data-state="waiting"]').isVisible()).resolves.toBe(true);
    await expectNoInlineCode(page);

    // The phone: the launcher's scan page, as the local admin.
    const [phone] = await Promise.all([desk.waitForEvent('page'), page.locator('#local-scan').click()]);
    await phone.locator('#scan-preview').waitFor();
    expect(await phone.locator('#scan-browser').textContent()).toMatch(/Chrome \d+/);
    // Scanned: the desk says so while the admin decides.
    await page.locator('[data-state="scanned"]').waitFor({ state: 'visible' });
    await phone.locator('#approve').click();
    await phone.locator('#scan-done').waitFor();

    await page.waitForURL((url) => url.pathname.endsWith('/console/health'));
    expect(await page.locator('#screen-title').textContent()).toBe('健康');
    expect(await page.locator('#signed-in-as').textContent()).toContain(ADMIN);
    await expectNoInlineCode(page);
    expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);

    const session = (await desk.cookies()).find((c) => c.name === 'wxc_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/wx/console' });
    // Stored hashed: the cookie's value is no document's id.
    expect(await stack.flow.doc('consoleSessions', session.value)).toBeNull();
    await phone.close();
  });

  test('the health screen: one attention count equal to the orange and red cards', async () => {
    await page.goto(`${stack.root}/health`);
    const count = Number(await page.locator('#attention').getAttribute('data-count'));
    const flagged = await page.locator('.card.warn, .card.bad').count();
    expect(count).toBe(flagged);
    // A fresh local stack: the ticket arrived, but the timer has never run.
    expect(await page.locator('#card-ticket').getAttribute('data-tone')).toBe('ok');
    expect(await page.locator('#card-timer').getAttribute('data-tone')).toBe('bad');
    expect(await page.locator('#card-timer .fix').textContent()).toContain('定时触发器');
    // Fixed: a timer run turns the card green and the count drops by one.
    await stack.flow.stack.cloud.triggerTimer('authorization');
    await page.reload();
    expect(await page.locator('#card-timer').getAttribute('data-tone')).toBe('ok');
    const after = Number(await page.locator('#attention').getAttribute('data-count'));
    expect(after).toBeLessThan(count);
    expect(await page.locator('.card.warn, .card.bad').count()).toBe(after);
  });

  test('every console change lands in the audit log (who, when, what, outcome)', async () => {
    await page.goto(`${stack.root}/health`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#reconcile').click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'reconcile');
    expect(await page.locator('#notice').textContent()).toContain('已完成');

    await page.locator('#nav-audit').click();
    await page.locator('#audit-log').waitFor();
    const rows = await page.locator('#audit-log tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        action: tr.getAttribute('data-action'),
        outcome: tr.getAttribute('data-outcome'),
        text: tr.textContent,
      })),
    );
    expect(rows[0]).toMatchObject({ action: 'reconcile', outcome: 'ok' });
    expect(rows[0].text).toContain(ADMIN);
    expect(rows[0].text).toContain('电脑版控制台');
    // The sign-in itself, confirmed from the phone (the admin page's action).
    expect(rows.find((r) => r.action === 'consoleSignInConfirm')).toMatchObject({ outcome: 'ok' });
    const stored = await stack.flow.docs('consoleAudit');
    expect(stored.map((d) => d.action).sort()).toEqual(['consoleSignInConfirm', 'reconcile']);
  });

  test('sign-out ends the session; the old cookie opens nothing', async () => {
    const cookie = await cookieHeader(desk, 'wxc_session');
    await page.goto(`${stack.root}/health`);
    await page.locator('#sign-out button').click();
    await page.waitForURL((url) => url.pathname.endsWith('/console/login'));
    const replay = await raw(`${stack.root}/health`, { cookie });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/wx/console/login');
    const log = await stack.flow.docs('consoleAudit');
    expect(log.find((d) => d.action === 'signOut')).toMatchObject({ openid: ADMIN, source: 'console', outcome: 'ok' });
  });
});

describe('sessions end', () => {
  test('after 30 idle minutes', async () => {
    const desk = await stack.newDesk();
    const page = await desk.newPage();
    await signInByActions(stack, page);
    stack.flow.stack.clock.advance(29 * 60);
    await page.goto(`${stack.root}/audit`);
    expect(await page.locator('#screen-title').textContent()).toBe('操作记录');
    // Active use keeps it; thirty quiet minutes end it.
    stack.flow.stack.clock.advance(31 * 60);
    await page.goto(`${stack.root}/health`);
    expect(new URL(page.url()).pathname).toBe('/wx/console/login');
  });

  test('when the OPENID leaves ADMIN_OPENIDS, for good', async () => {
    const desk = await stack.newDesk();
    const page = await desk.newPage();
    await signInByActions(stack, page);
    const cookie = await cookieHeader(desk, 'wxc_session');
    const { functionEnv } = stack.flow.stack;
    const admins = functionEnv.ADMIN_OPENIDS;
    functionEnv.ADMIN_OPENIDS = admins
      .split(',')
      .filter((o) => o !== ADMIN)
      .join(',');
    await stack.flow.stack.restartCloud();
    expect((await raw(`${stack.root}/health`, { cookie })).status).toBe(303);
    // Back on the list: the ended session stays ended.
    functionEnv.ADMIN_OPENIDS = admins;
    await stack.flow.stack.restartCloud();
    expect((await raw(`${stack.root}/health`, { cookie })).status).toBe(303);
  });
});

describe('the timer', () => {
  test('forgets ended tickets and sessions, keeps the audit log', async () => {
    expect((await stack.flow.docs('consoleTickets')).length).toBeGreaterThan(0);
    const audit = (await stack.flow.docs('consoleAudit')).length;
    stack.flow.stack.clock.advance(9 * 3600);
    await stack.flow.stack.cloud.triggerTimer('authorization');
    expect(await stack.flow.docs('consoleTickets')).toEqual([]);
    expect(await stack.flow.docs('consoleSessions')).toEqual([]);
    expect(await stack.flow.docs('consoleAudit')).toHaveLength(audit);
  });
});
