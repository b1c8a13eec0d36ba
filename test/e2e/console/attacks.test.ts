/**
 * The attacks on sign-in by scanning and on the console's changes, in Chromium on the local stack:
 * an attacker's QR shown to an admin, a ticket read off a victim's screen, replays, a ticket
 * approved twice, expired and guessed tickets, a non-admin (or a second admin) scanning, flooding
 * the QR page, and cross-site or token-less changes (CSRF).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  ADMIN,
  cookieHeader,
  MERCHANT,
  OTHER_ADMIN,
  raw,
  signInByActions,
  startConsoleStack,
  ticketOn,
  type ConsoleStack,
} from './console-stack';
import { TICKETS_PER_MINUTE } from '../../../cloudfunctions/authorization/src/console/signin';

jest.setTimeout(90_000);

let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack();
});

afterAll(async () => {
  await stack?.close();
});

const poll = (cookie: string | undefined, origin = stack.origin) =>
  raw(`${stack.root}/login/poll`, { method: 'POST', origin, ...(cookie ? { cookie } : {}) }).then(
    (r) => JSON.parse(r.text) as { state: string },
  );

async function openLogin(headers?: Record<string, string>) {
  const desk = await stack.newDesk(headers);
  const page = await desk.newPage();
  await page.goto(`${stack.root}/login`);
  return { desk, page, ticket: await ticketOn(page) };
}

describe('QR sign-in attacks', () => {
  test("an attacker's QR shown to an admin: the phone shows the attacker's browser and address; denied, it opens nothing", async () => {
    const attacker = await openLogin({
      'x-forwarded-for': '198.51.100.9',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
    });
    const preview = await stack.flow.ok(ADMIN, 'consoleSignInPreview', { ticket: attacker.ticket });
    expect(preview).toMatchObject({ ip: '198.51.100.9', browser: 'Firefox 133 · Linux' });
    await stack.flow.ok(ADMIN, 'consoleSignInConfirm', { ticket: attacker.ticket, approve: false });
    await attacker.page.locator('[data-state="denied"]').waitFor({ state: 'visible' });
    expect((await attacker.desk.cookies()).map((c) => c.name)).not.toContain('wxc_session');
    // A denial is final.
    const again = await stack.flow.call(ADMIN, 'consoleSignInConfirm', { ticket: attacker.ticket, approve: true });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  test("a ticket read off the victim's screen is worthless without the victim's browser; the victim gets in once", async () => {
    const victim = await openLogin();
    const forged = `wxc_signin=${victim.ticket}.${randomBytes(32).toString('hex')}`;
    expect(await poll(undefined)).toEqual({ state: 'expired' });
    expect(await poll(forged)).toEqual({ state: 'expired' });
    const captured = await cookieHeader(victim.desk, 'wxc_signin');

    await stack.flow.ok(ADMIN, 'consoleSignInPreview', { ticket: victim.ticket });
    await stack.flow.ok(ADMIN, 'consoleSignInConfirm', { ticket: victim.ticket, approve: true });
    expect(await poll(forged)).toEqual({ state: 'expired' });
    await victim.page.waitForURL((url) => url.pathname.endsWith('/console/health'));

    // Replayed, even with the victim's own pre-session cookie: the ticket was used.
    expect(await poll(captured)).toEqual({ state: 'expired' });
    const sessions = await stack.flow.docs('consoleSessions', { openid: ADMIN, revokedAt: null });
    expect(sessions).toHaveLength(1);
  });

  test('a ticket approved twice: the second answer is refused, whoever sends it', async () => {
    const desk = await openLogin();
    await stack.flow.ok(ADMIN, 'consoleSignInPreview', { ticket: desk.ticket });
    await stack.flow.ok(ADMIN, 'consoleSignInConfirm', { ticket: desk.ticket, approve: true });
    const twice = await stack.flow.call(ADMIN, 'consoleSignInConfirm', { ticket: desk.ticket, approve: true });
    expect(twice).toEqual({ ok: false, error: { code: 'CONFLICT', message: '这个登录请求已经确认过了，不能再次确认' } });
    const preview = await stack.flow.call(ADMIN, 'consoleSignInPreview', { ticket: desk.ticket });
    expect(preview).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await desk.page.waitForURL((url) => url.pathname.endsWith('/console/health'));
  });

  test('an expired ticket: the phone says so, the page offers a new QR', async () => {
    const desk = await openLogin();
    stack.flow.stack.clock.advance(121);
    const late = await stack.flow.call(ADMIN, 'consoleSignInPreview', { ticket: desk.ticket });
    expect(late).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: '二维码已过期：请在电脑上刷新登录页，再重新扫码' } });
    await desk.page.locator('[data-state="expired"]').waitFor({ state: 'visible' });
    await desk.page.locator('#refresh').click();
    await desk.page.locator('[data-state="waiting"]').waitFor({ state: 'visible' });
    expect(await ticketOn(desk.page)).not.toBe(desk.ticket);
  });

  test('a non-admin scanning is refused and changes nothing; a second admin cannot take a scanned ticket', async () => {
    const desk = await openLogin();
    for (const action of ['consoleSignInPreview', 'consoleSignInConfirm'] as const) {
      const answer = await stack.flow.call(MERCHANT, action, {
        ticket: desk.ticket,
        ...(action === 'consoleSignInConfirm' ? { approve: true } : {}),
      });
      expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    await stack.flow.ok(ADMIN, 'consoleSignInPreview', { ticket: desk.ticket });
    const second = await stack.flow.call(OTHER_ADMIN, 'consoleSignInConfirm', { ticket: desk.ticket, approve: true });
    expect(second).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: '这个登录请求已被另一位管理员扫码' } });
    // Confirming without looking first is refused too.
    const blind = await openLogin();
    const unseen = await stack.flow.call(ADMIN, 'consoleSignInConfirm', { ticket: blind.ticket, approve: true });
    expect(unseen).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  test('guessed and malformed tickets; tickets are stored hashed', async () => {
    const guess = randomBytes(16).toString('hex');
    expect(await stack.flow.call(ADMIN, 'consoleSignInPreview', { ticket: guess })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await stack.flow.call(ADMIN, 'consoleSignInPreview', { ticket: 'http://evil/?t=1' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'ticket: 这不是电脑版控制台的登录二维码' },
    });
    const desk = await openLogin();
    expect(await stack.flow.doc('consoleTickets', desk.ticket)).toBeNull();
    expect(JSON.stringify(await stack.flow.docs('consoleTickets'))).not.toContain(desk.ticket);
  });

  test('flooding the QR page: ten a minute per address, then a page in Chinese', async () => {
    const flood = (ip: string) => raw(`${stack.root}/login`, { forwardedFor: ip });
    for (let i = 0; i < 10; i += 1) expect((await flood('203.0.113.50')).status).toBe(200);
    const refused = await flood('203.0.113.50');
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('获取二维码太频繁');
    expect((await flood('203.0.113.51')).status).toBe(200);
  });

  test('an address the client names cannot lift the limit: at most 600 QR codes a minute in all', async () => {
    stack.flow.stack.clock.advance(61);
    const statuses: number[] = [];
    for (let batch = 0; batch < 31 && !statuses.includes(429); batch += 1) {
      const ips = Array.from({ length: 20 }, (_, i) => `198.51.${batch}.${i + 1}`);
      statuses.push(
        ...(await Promise.all(ips.map(async (ip) => (await raw(`${stack.root}/login`, { forwardedFor: ip })).status))),
      );
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 200)).toHaveLength(TICKETS_PER_MINUTE);
    stack.flow.stack.clock.advance(61);
  });
});

describe('CSRF on console changes', () => {
  test('a wrong or missing token, a foreign Origin, a cross-origin page: refused, nothing done or logged', async () => {
    const desk = await stack.newDesk();
    const page = await desk.newPage();
    await signInByActions(stack, page);
    const cookie = await cookieHeader(desk, 'wxc_session');
    const csrf = (await page.locator('#sign-out input[name=csrf]').getAttribute('value'))!;
    const before = (await stack.flow.docs('consoleAudit')).length;
    const post = (body: string, origin?: string) =>
      raw(`${stack.root}/do/startPushTicket`, { method: 'POST', cookie, body, ...(origin ? { origin } : {}) });

    expect((await post('csrf=wrong', stack.origin)).status).toBe(403);
    expect((await post('', stack.origin)).status).toBe(403);
    expect((await post(`csrf=${csrf}`, 'http://127.0.0.1:1')).status).toBe(403);
    expect((await post(`csrf=${csrf}`)).status).toBe(403);
    expect((await raw(`${stack.root}/logout`, { method: 'POST', cookie, origin: stack.origin })).status).toBe(403);

    // Another origin's page posting a form, even one that knows the token (same site: 127.0.0.1).
    await page.goto(stack.flow.stack.openPlatform.url);
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = ${JSON.stringify(`${stack.root}/do/startPushTicket`)};
      const field = document.createElement('input');
      field.name = 'csrf';
      field.value = ${JSON.stringify(csrf)};
      form.appendChild(field);
      document.body.appendChild(form);
      form.submit();
    })()`);
    await page.waitForURL((url) => url.pathname.endsWith('/do/startPushTicket'));
    expect(await page.locator('#message h1').textContent()).toBe('请求无效');

    expect(await stack.flow.docs('consoleAudit')).toHaveLength(before);
    // The session itself is intact, and the right request works.
    const fine = await post(`csrf=${csrf}`, stack.origin);
    expect(fine.status).toBe(303);
    expect(fine.headers.get('location')).toBe('/wx/console/health?done=startPushTicket');
    const log = await stack.flow.docs('consoleAudit');
    expect(log.filter((d) => d.action === 'startPushTicket')).toMatchObject([
      { openid: ADMIN, source: 'console', outcome: 'ok' },
    ]);
  });

  test('the console is never framed and its assets are cached for good', async () => {
    const login = await raw(`${stack.root}/login`, { forwardedFor: '203.0.113.99' });
    expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const script = /src="([^"]+\.js)"/.exec(login.text)![1];
    const asset = await raw(`${stack.origin}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await raw(`${stack.root}/assets/console.000000000000.js`)).status).toBe(404);
  });
});

describe('the local stand-in for the phone', () => {
  test('approves only from its own page: a POST from another origin is refused and the ticket stays open', async () => {
    const desk = await openLogin();
    const scan = new URL(`console-scan?t=${desk.ticket}&approve=1`, stack.launcher.url).toString();
    const foreign = await raw(scan, { method: 'POST', origin: 'http://127.0.0.1:1' });
    expect(foreign.status).toBe(403);
    const stored = await stack.flow.doc('consoleTickets', createHash('sha256').update(desk.ticket).digest('hex'));
    expect(stored?.state).toBe('pending');
    // Its own page: preview, then the POST with its origin, as the browser test does by clicking.
    expect((await raw(`${stack.launcher.url}console-scan?t=${desk.ticket}`)).text).toContain('确认登录电脑版控制台');
    const own = await raw(scan, { method: 'POST', origin: new URL(stack.launcher.url).origin });
    expect(own.status).toBe(200);
    await desk.page.waitForURL((url) => url.pathname.endsWith('/console/health'));
  });
});

describe('the admin page (mini-program) changes are audited too', () => {
  test('startPushTicket from the mini-program lands in the log with its source', async () => {
    await stack.flow.ok(ADMIN, 'startPushTicket', {});
    const log = await stack.flow.docs('consoleAudit', { source: 'miniprogram', action: 'startPushTicket' });
    expect(log).toMatchObject([{ openid: ADMIN, outcome: 'ok', target: '第三方平台' }]);
  });
});
