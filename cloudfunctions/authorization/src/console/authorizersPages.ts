/**
 * 授权账号 mounted in the console: the list (`/authorizers`), one account (`/authorizers/<appid>`),
 * its test call (POST `…/test-call`) and the CSV export (`/authorizers.csv`). The screens and the
 * queries live in authorizersScreen.ts and authorizersQuery.ts; this is the wiring to the App.
 */
import type { App } from '../app';
import { testAuthorizerCall } from '../broker/adminActions';
import { AppError } from '../errors';
import { audited } from './audit';
import { exportAuthorizersCsv, parseAuthorizersQuery, queryParams } from './authorizersQuery';
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

/** Rows one export may hold (10,000 took 1.8 s in the bench; the function has 20 s). */
export const EXPORT_MAX_ROWS = 20_000;
const EXPORT_TOO_LARGE = `一次最多导出 ${EXPORT_MAX_ROWS.toLocaleString('zh-CN')} 个账号：请加上类型、状态等筛选条件，分几次导出。`;

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
  // Only the filters, as parsed: a bad one is refused before the log says it ran, and nothing
  // else from the address reaches the log.
  const params = queryParams(parseAuthorizersQuery(paramsOf(query)), { cursor: undefined });
  const entry = {
    openid: session.openid,
    source: 'console' as const,
    action: 'exportAuthorizers',
    target: params.toString() || '全部',
  };
  const body = await audited(app, entry, async () => {
    const parts: string[] = [];
    let rows = 0;
    for await (const part of exportAuthorizersCsv({ authorizers: app.authorizers, config: app.config }, params)) {
      rows += part.split('\r\n').length - 1;
      // One answer must fit the function's time and the gateway's body: past the cap, narrow the filters.
      if (rows > EXPORT_MAX_ROWS + 1) throw new AppError('INVALID_INPUT', EXPORT_TOO_LARGE);
      parts.push(part);
    }
    return parts.join('');
  });
  const day = new Date(app.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
  return { name: `authorizers-${day}.csv`, body };
}

export const isBadQuery = (error: unknown): error is AppError => error instanceof AppError && error.code === 'INVALID_INPUT';
