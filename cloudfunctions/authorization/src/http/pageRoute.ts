import { html, type HtmlReply, type HttpEvent, type HttpResponse } from './core';
import { callbackPage, entryPage, unavailablePage, type PageDeps } from './pages';

type Render = (deps: PageDeps, query: Record<string, string | undefined>) => Promise<HtmlReply>;

/** The merchant pages by their path's last segment: `GET …/entry` (PC) and `GET …/callback`. */
const PAGES = {
  entry: (deps, query) => entryPage(deps, query.sid),
  callback: (deps, query) => callbackPage(deps, query.sid, query.auth_code),
} satisfies Record<string, Render>;

export type PageName = keyof typeof PAGES;

export const isPageName = (name: string): name is PageName => Object.prototype.hasOwnProperty.call(PAGES, name);

/** A person is looking at these pages: an unexpected failure is a page saying so, never a raw error. */
export async function handlePageHttp(deps: PageDeps, event: HttpEvent, name: PageName): Promise<HttpResponse> {
  try {
    return html(await PAGES[name](deps, event.queryStringParameters ?? {}));
  } catch (error) {
    deps.log.warn('page failed', { reason: error instanceof Error ? error.name : 'error' });
    return html(unavailablePage());
  }
}
