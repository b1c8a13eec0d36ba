/**
 * 授权账号 mounted in the console: the list (`/authorizers`), one account (`/authorizers/<appid>`),
 * its test call (POST `…/test-call`) and the CSV export (`/authorizers.csv`). The screens and the
 * queries live in authorizersScreen.ts and authorizersQuery.ts; this is the wiring to the App.
 */
import type { App } from '../app';
import { testAuthorizerCall } from '../broker/adminActions';
import { AppError } from '../errors';
import { audited } from './audit';
import { exportAuthorizersCsv, parseAuthorizersQuery } from './authorizersQuery';
import { accountScreen, accountScreenDeps, authorizersLinks, authorizersScreen, testCallResult } from './authorizersScreen';
import { csrfField } from './layout';
import type { ConsoleSession } from './signin';
import type { ItemPage, ScreenContext } from './screen';

export const paramsOf = (query: Record<string, string | undefined>): URLSearchParams =>
  new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

export async function renderAuthorizers(ctx: ScreenContext): Promise<string> {
  const { app, site } = ctx;
  const deps = { authorizers: app.authorizers, config: app.config, links: authorizersLinks(site.root) };
  return (await authorizersScreen(deps, paramsOf(ctx.query))).html;
}

export function renderAccount(ctx: ScreenContext, appid: string): Promise<ItemPage | null> {
  const extra = { links: authorizersLinks(ctx.site.root), formGuardHtml: csrfField(ctx.session.csrf) };
  return accountScreen(accountScreenDeps(ctx.app, extra), appid);
}

/** A test call changes nothing at WeChat, so its result is the page the POST returns (no redirect). */
export async function testCallPage(ctx: ScreenContext, appid: string): Promise<ItemPage | null> {
  if (!(await ctx.app.authorizers.get(appid))) return null;
  const entry = { openid: ctx.session.openid, source: 'console' as const, action: 'testAuthorizerCall', target: appid };
  const report = await audited(ctx.app, entry, () => testAuthorizerCall(ctx.app, appid));
  const account = await renderAccount(ctx, appid);
  return account && { title: account.title, html: testCallResult(report) + account.html };
}

export interface CsvFile {
  name: string;
  body: string;
}

/**
 * The rows the list's filters select, read a page at a time. The function's HTTP answer is one
 * body, so the text is whole here, but never more than one page of documents at once. Audited: it
 * is how the merchant list leaves the platform.
 */
export async function authorizersCsv(
  app: App,
  session: ConsoleSession,
  query: Record<string, string | undefined>,
): Promise<CsvFile> {
  const params = paramsOf(query);
  params.delete('cursor');
  parseAuthorizersQuery(params); // a bad filter is refused before the log says it ran
  const entry = {
    openid: session.openid,
    source: 'console' as const,
    action: 'exportAuthorizers',
    target: params.toString() || '全部',
  };
  const body = await audited(app, entry, async () => {
    const parts: string[] = [];
    for await (const part of exportAuthorizersCsv({ authorizers: app.authorizers, config: app.config }, params)) parts.push(part);
    return parts.join('');
  });
  const day = new Date(app.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return { name: `authorizers-${day}.csv`, body };
}

export const isBadQuery = (error: unknown): error is AppError => error instanceof AppError && error.code === 'INVALID_INPUT';
