/**
 * The console's HTTP access (`…/console/…`): the sign-in page and its poll, the two static
 * assets, sign-out, the screens (screens.ts) and the changes made from them. Every screen needs a
 * live session (signin.ts); every POST needs our Origin, and every change the session's CSRF token.
 */
import qrcode = require('qrcode-generator');
import type { App } from '../app';
import { handlers } from '../actions/handlers';
import { methodOf, type HttpEvent, type HttpResponse } from '../http/core';
import { escapeHtml } from '../http/html';
import { assetNamed } from './assets';
import { authorizersCsv, isBadQuery, testCallPage } from './authorizersPages';
import { audited, auditTarget } from './audit';
import { shipCommand } from './shippingPages';
import {
  cookieOf,
  formOf,
  isSameOrigin,
  download,
  json,
  page,
  redirect,
  requesterOf,
  SESSION_COOKIE,
  setCookie,
  SIGNIN_COOKIE,
  siteOf,
  staticAsset,
  type ConsoleSite,
} from './http';
import { loginPage, messagePage, shellPage } from './layout';
import type { ItemPage, Screen, ScreenContext } from './screen';
import { HOME_SCREEN, SCREENS, screenAt } from './screens';
import {
  COLLECT_WINDOW_MS,
  createTicket,
  pollTicket,
  sameToken,
  SESSION_TTL_MS,
  sessionOf,
  signOut,
  TICKET_TTL_MS,
  type ConsoleSession,
} from './signin';

/** The console runs the admin actions, so it needs what they need: the App. */
export type ConsoleDeps = App;

/** Changes a console screen may make, and the screen that shows their result. */
const CONSOLE_ACTIONS = {
  startPushTicket: { screen: 'health', label: '请微信重新推送验证票据' },
  reconcile: { screen: 'health', label: '和微信核对授权账号' },
} as const;
type ConsoleAction = keyof typeof CONSOLE_ACTIONS;
const isConsoleAction = (name: string): name is ConsoleAction => Object.prototype.hasOwnProperty.call(CONSOLE_ACTIONS, name);

/** `rest`: the path from `/console` on. */
export async function handleConsoleHttp(app: ConsoleDeps, event: HttpEvent, rest: string): Promise<HttpResponse> {
  const site = siteOf(app.config.publicBaseUrl);
  try {
    return await dispatch(app, site, event, rest.split('/').filter(Boolean).slice(1));
  } catch (error) {
    app.log.warn('console failed', { reason: error instanceof Error ? error.name : 'error' });
    return page(500, messagePage(site, '控制台出错了', '服务暂时出错，请稍后刷新重试。'));
  }
}

async function dispatch(app: App, site: ConsoleSite, event: HttpEvent, parts: string[]): Promise<HttpResponse> {
  const method = methodOf(event);
  const [first = '', second, ...more] = parts;
  if (method === 'POST') {
    if (first === 'login' && second === 'poll' && more.length === 0) return poll(app, site, event);
    return change(app, site, event, parts);
  }
  if (method !== 'GET') return notFoundPage(site);
  if (first === 'assets' && second && more.length === 0) {
    const asset = assetNamed(second);
    return asset ? staticAsset(asset) : notFoundPage(site);
  }
  if (more.length > 0) return notFoundPage(site);
  const single = second === undefined ? SINGLE_PAGES.get(first) : undefined;
  return single ? single(app, site, event) : screen(app, site, event, first, second);
}

/** GET addresses one segment long that are not screens (a Map: no `constructor` from a prototype). */
const SINGLE_PAGES = new Map<string, (app: App, site: ConsoleSite, event: HttpEvent) => Promise<HttpResponse>>([
  ['login', (app, site, event) => login(app, site, event)],
  ['scan', async (_app, site) => scanInfo(site)],
  ['authorizers.csv', (app, site, event) => exportCsv(app, site, event)],
]);

/** The QR's address opened by a phone's camera or a browser: it only says which app scans it. */
const scanInfo = (site: ConsoleSite) =>
  page(
    200,
    messagePage(
      site,
      '请用小程序扫码',
      '这是电脑版控制台的登录二维码，请用服务商小程序「管理」页的「扫码登录电脑版控制台」扫描。',
    ),
  );

/** A screen (`/<path>`) or the page of one of its rows (`/<path>/<id>`), in the shell. */
async function screen(app: App, site: ConsoleSite, event: HttpEvent, path: string, id?: string): Promise<HttpResponse> {
  const session = await sessionOf(app, cookieOf(event, SESSION_COOKIE));
  if (!session) return redirect(`${site.root}/login`);
  if (path === '' && id === undefined) return redirect(`${site.root}/${HOME_SCREEN}`);
  const query = event.queryStringParameters ?? {};
  return inShell({ app, session, site, query, notice: noticeOf(query) }, path, async (ctx, shown) => {
    if (id === undefined) return { title: shown.title, html: await shown.render(ctx) };
    return shown.item ? shown.item(ctx, id) : null;
  });
}

type PageBuilder = (ctx: ScreenContext, shown: Screen) => Promise<ItemPage | null>;

async function inShell(ctx: ScreenContext, path: string, build: PageBuilder): Promise<HttpResponse> {
  const shown = screenAt(path);
  const content = shown ? await build(ctx, shown) : null;
  if (!shown || !content) return notFoundPage(ctx.site);
  const { site, session } = ctx;
  const { openid, csrf } = session;
  const bodyHtml = content.html;
  return page(200, shellPage({ site, nav: SCREENS, active: shown.path, title: content.title, openid, csrf, bodyHtml }));
}

async function exportCsv(app: App, site: ConsoleSite, event: HttpEvent): Promise<HttpResponse> {
  const session = await sessionOf(app, cookieOf(event, SESSION_COOKIE));
  if (!session) return redirect(`${site.root}/login`);
  try {
    const file = await authorizersCsv(app, session, event.queryStringParameters ?? {});
    return download(file.name, 'text/csv; charset=utf-8', file.body);
  } catch (error) {
    if (!isBadQuery(error)) throw error;
    const back = { href: `${site.root}/authorizers`, label: '回到授权账号' };
    return page(400, messagePage(site, '无法导出', error.message, back));
  }
}

const notFoundPage = (site: ConsoleSite) =>
  page(
    404,
    messagePage(site, '页面不存在', '控制台没有这个页面。', { href: `${site.root}/${HOME_SCREEN}`, label: '回到控制台' }),
  );

async function login(app: App, site: ConsoleSite, event: HttpEvent): Promise<HttpResponse> {
  if (await sessionOf(app, cookieOf(event, SESSION_COOKIE))) return redirect(`${site.root}/${HOME_SCREEN}`);
  const created = await createTicket(app, requesterOf(event));
  if (!created) {
    return page(429, messagePage(site, '获取二维码太频繁', '同一网络一分钟内能获取的登录二维码有限，请一分钟后再刷新。'));
  }
  const qr = qrcode(0, 'M');
  qr.addData(`${app.config.publicBaseUrl}/console/scan?t=${created.ticket}`);
  qr.make();
  const scanner = app.config.consoleLocalScannerUrl;
  const html = loginPage({
    site,
    qrSvg: qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true }),
    localScanUrl: scanner ? `${scanner}?t=${created.ticket}` : null,
  });
  // Only the poll reads it; it outlives the ticket by the collection window.
  const maxAge = (TICKET_TTL_MS + COLLECT_WINDOW_MS) / 1000;
  return page(200, html, setCookie(site, SIGNIN_COOKIE, created.binding, maxAge, `${site.root}/login`));
}

async function poll(app: App, site: ConsoleSite, event: HttpEvent): Promise<HttpResponse> {
  if (!isSameOrigin(event, site)) return json(403, { state: 'forbidden' });
  const binding = cookieOf(event, SIGNIN_COOKIE);
  if (!binding) return json(200, { state: 'expired' });
  const answer = await pollTicket(app, binding, requesterOf(event));
  if (answer.state !== 'approved') return json(200, { state: answer.state });
  const cookie = setCookie(site, SESSION_COOKIE, answer.sessionCookie, SESSION_TTL_MS / 1000);
  return json(200, { state: 'approved', next: `${site.root}/${HOME_SCREEN}` }, cookie);
}

/** Every POST but the poll: a live session, our Origin, the session's CSRF token. */
async function change(app: App, site: ConsoleSite, event: HttpEvent, parts: string[]): Promise<HttpResponse> {
  const session = await sessionOf(app, cookieOf(event, SESSION_COOKIE));
  if (!session) {
    return page(
      403,
      messagePage(site, '登录已失效', '请重新扫码登录后再操作。', { href: `${site.root}/login`, label: '扫码登录' }),
    );
  }
  if (!isSameOrigin(event, site) || !sameToken(formOf(event).get('csrf') ?? undefined, session.csrf)) {
    return page(
      403,
      messagePage(site, '请求无效', '这个请求不是从控制台页面发出的，或页面已过期：请刷新页面后重试。', {
        href: `${site.root}/${HOME_SCREEN}`,
        label: '回到控制台',
      }),
    );
  }
  return changeAt(app, site, event, session, parts);
}

/** The change a checked POST asks for, by its address. */
async function changeAt(
  app: App,
  site: ConsoleSite,
  event: HttpEvent,
  session: ConsoleSession,
  parts: string[],
): Promise<HttpResponse> {
  const [first, second, ...more] = parts;
  if (first === 'logout' && !second) return logout(app, site, session);
  if (first === 'do' && second && more.length === 0 && isConsoleAction(second)) return runAction(app, site, session, second);
  if (first === 'authorizers' && second && more.length === 1 && more[0] === 'test-call') {
    const ctx = { app, session, site, query: {}, notice: '' };
    return inShell(ctx, first, () => testCallPage(ctx, second));
  }
  if (first === 'shipping') return shippingChange(app, site, event, session, parts.slice(1));
  return notFoundPage(site);
}

/** `/shipping/<jobId>/command`: a release job's command (shippingPages.ts). */
async function shippingChange(
  app: App,
  site: ConsoleSite,
  event: HttpEvent,
  session: ConsoleSession,
  [jobId, what, ...more]: string[],
): Promise<HttpResponse> {
  const command = jobId && what === 'command' && more.length === 0;
  return (command && (await shipCommand(app, site, session, jobId, formOf(event)))) || notFoundPage(site);
}

async function logout(app: App, site: ConsoleSite, session: ConsoleSession): Promise<HttpResponse> {
  await audited(app, { openid: session.openid, source: 'console', action: 'signOut', target: '本浏览器' }, () =>
    signOut(app, session),
  );
  return redirect(`${site.root}/login`, setCookie(site, SESSION_COOKIE, '', 0));
}

async function runAction(app: App, site: ConsoleSite, session: ConsoleSession, action: ConsoleAction): Promise<HttpResponse> {
  const caller = { openid: session.openid, isAdmin: true };
  const entry = { openid: session.openid, source: 'console' as const, action, target: auditTarget(action, {}) };
  const screen = CONSOLE_ACTIONS[action].screen;
  try {
    const run = handlers[action] as (app: App, caller: { openid: string; isAdmin: boolean }, input: object) => Promise<unknown>;
    await audited(app, entry, () => run(app, caller, {}));
    return redirect(`${site.root}/${screen}?done=${action}`);
  } catch {
    // Why it failed is in the audit log (plain words); the address only names the action.
    return redirect(`${site.root}/${screen}?failed=${action}`);
  }
}

function noticeOf(query: Record<string, string | undefined>): string {
  const done = query.done && isConsoleAction(query.done) ? CONSOLE_ACTIONS[query.done].label : null;
  if (done) return `<div class="notice" id="notice">已完成：${escapeHtml(done)}。</div>`;
  const failed = query.failed && isConsoleAction(query.failed) ? CONSOLE_ACTIONS[query.failed].label : null;
  if (failed) return `<div class="notice failed" id="notice">没有完成：${escapeHtml(failed)}。原因记在「操作记录」里。</div>`;
  return '';
}
