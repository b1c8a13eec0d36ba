/**
 * Shared by the console's browser tests: the local stack with the launcher standing in for the
 * admin's phone (as `npm start` wires it), Chromium at desk width, and plain-HTTP helpers that
 * carry cookies by hand (for the attacker's side, which is not a browser of ours).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../scripts/browser/chromium';
import { CONSOLE_SCAN_PATH, startLauncher, type Launcher } from '../../../scripts/launcher';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';

export const ADMIN = 'o-console-admin';
export const OTHER_ADMIN = 'o-console-admin-2';
export const MERCHANT = 'o-console-merchant';

export interface ConsoleStack {
  flow: FlowStack;
  browser: Browser;
  launcher: Launcher;
  /** https? no: the local stack's http origin + /wx/console. */
  root: string;
  origin: string;
  newDesk(extraHeaders?: Record<string, string>): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** `functionEnv`: more of the function's environment (broker keys, the release test list …). */
export async function startConsoleStack(functionEnv: Record<string, string> = {}): Promise<ConsoleStack> {
  const browser = await launchChromium();
  const started: { flow?: FlowStack } = {};
  // The launcher first: the function's environment names its scan page.
  const launcher = await startLauncher({
    port: 0,
    merchant: ADMIN,
    call: (openid, action, payload) => started.flow!.stack.call(openid, action, payload),
  });
  const flow = await startFlowStack({
    adminOpenIds: [ADMIN, OTHER_ADMIN],
    functionEnv: { ...functionEnv, CONSOLE_LOCAL_SCANNER_URL: new URL(CONSOLE_SCAN_PATH, launcher.url).toString() },
  });
  started.flow = flow;
  const root = `${flow.stack.publicBaseUrl}/console`;
  const contexts: BrowserContext[] = [];
  return {
    flow,
    browser,
    launcher,
    root,
    origin: new URL(root).origin,
    async newDesk(extraHeaders) {
      const context = await browser.newContext({
        locale: 'zh-CN',
        viewport: { width: 1280, height: 800 },
        ...(extraHeaders ? { extraHTTPHeaders: extraHeaders } : {}),
      });
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await launcher.close();
      await flow.close();
    },
  };
}

/** The ticket the page's QR carries, read from the local scan link (the same string as the QR). */
export async function ticketOn(page: Page): Promise<string> {
  const href = await page.locator('#local-scan').getAttribute('href');
  return new URL(href!).searchParams.get('t')!;
}

/** Signs a desk in through the mini-program's two actions, as the admin's phone would. */
export async function signInByActions(stack: ConsoleStack, page: Page, admin = ADMIN): Promise<void> {
  await page.goto(`${stack.root}/login`);
  const ticket = await ticketOn(page);
  await stack.flow.ok(admin, 'consoleSignInPreview', { ticket });
  await stack.flow.ok(admin, 'consoleSignInConfirm', { ticket, approve: true });
  await page.waitForURL((url) => url.pathname.endsWith('/console/health'));
}

/** A raw HTTP request with the cookies given (no redirects followed). */
export async function raw(
  url: string,
  init: { method?: string; cookie?: string; origin?: string; body?: string; forwardedFor?: string } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (init.origin) headers.origin = init.origin;
  if (init.forwardedFor) headers['x-forwarded-for'] = init.forwardedFor;
  if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The `name=value` of a cookie the browser holds for the console. */
export async function cookieHeader(context: BrowserContext, name: string): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === name);
  if (!cookie) throw new Error(`no ${name} cookie`);
  return `${name}=${cookie.value}`;
}
