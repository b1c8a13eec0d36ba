/**
 * The one route table of HTTP access, by audience. Each group is matched by method and the last
 * path segment(s), so any HTTP access prefix works, and answers through its own guard (body limit
 * and decoding, authentication, failure page) with only the dependencies it uses. Matchers live
 * here, handlers in their audience's module: a group could be loaded on first use behind its entry.
 */
import type { BrokerDeps } from '../broker/deps';
import { handleBrokerHttp } from '../broker/httpEntry';
import type { ConsoleDeps } from '../console/route';
import { handleMessageHttp, MESSAGE_PATH_SEGMENT } from '../messages/route';
import type { MessageDeps } from '../messages/inbound';
import { handlePushHttp, type PushRouteDeps } from '../push/httpRoute';
import { JOB_PATH_SEGMENT } from '../release/jobs';
import { lastSegments, methodOf, notFound, type HttpEvent, type HttpResponse } from './core';
import { handlePageHttp, isPageName, type PageName } from './pageRoute';
import type { PageDeps } from './pages';

/** What all of HTTP access needs: the union of its groups' needs (the App satisfies it). */
export type HttpDeps = BrokerDeps & PageDeps & MessageDeps & PushRouteDeps & ConsoleDeps;

/** One audience: which requests are its (and what of the path it needs), and its guarded handler. */
interface HttpRoute<Matched> {
  audience: 'broker' | 'pages' | 'messages' | 'pushes' | 'console';
  /** null: not this group's request. */
  match(event: HttpEvent): Matched | null;
  handle(deps: HttpDeps, event: HttpEvent, matched: Matched): Promise<HttpResponse>;
}

const BROKER_SEGMENT = /\/broker(\/|$)/;
const MESSAGE_SEGMENTS = new Set([MESSAGE_PATH_SEGMENT, JOB_PATH_SEGMENT]);

const broker: HttpRoute<string> = {
  // Signed server-to-server calls, any method; the handler gets the path from `/broker` on.
  audience: 'broker',
  match: ({ path }) => {
    const at = path.search(BROKER_SEGMENT);
    return at < 0 ? null : path.slice(at);
  },
  // The seam to load the broker on first use: `(await import('../broker/httpEntry')).handleBrokerHttp`
  // here (esbuild then defers its modules' evaluation). Measured not worth it yet: DESIGN "HTTP routing".
  handle: handleBrokerHttp,
};

const CONSOLE_SEGMENT = /\/console(\/|$)/;

const staffConsole: HttpRoute<string> = {
  // The provider's PC console (issue 20), any method; the handler gets the path from `/console` on.
  audience: 'console',
  match: ({ path }) => {
    const at = path.search(CONSOLE_SEGMENT);
    return at < 0 ? null : path.slice(at);
  },
  // Loaded on first use (esbuild defers the evaluation of a dynamically imported module): staff
  // open it rarely, every cold start would pay for its screens, QR code library and styles.
  handle: async (deps, event, rest) => (await import('../console/route')).handleConsoleHttp(deps, event, rest),
};

const pages: HttpRoute<PageName> = {
  // The merchant's PC entry page (`GET …/entry`) and the callback WeChat returns the browser to.
  audience: 'pages',
  match: (event) => {
    const [name] = lastSegments(event.path, 1);
    return methodOf(event) === 'GET' && isPageName(name) ? name : null;
  },
  handle: handlePageHttp,
};

const messages: HttpRoute<string[]> = {
  // The message-and-event URL `POST …/message/<APPID>` and its follow-up `POST …/release-jobs/<id>`.
  audience: 'messages',
  match: (event) => {
    const segments = lastSegments(event.path, 2);
    const [parent, last] = segments;
    return methodOf(event) === 'POST' && MESSAGE_SEGMENTS.has(parent) && last ? segments : null;
  },
  handle: handleMessageHttp,
};

const pushes: HttpRoute<true> = {
  // Every other POST: the authorization-event URL (WeChat's ticket and authorization pushes).
  audience: 'pushes',
  match: (event) => (methodOf(event) === 'POST' ? true : null),
  handle: handlePushHttp,
};

/** In order: the first group that matches answers. */
const ROUTES: readonly HttpRoute<unknown>[] = [broker, staffConsole, pages, messages, pushes];

export async function handleHttp(deps: HttpDeps, event: HttpEvent): Promise<HttpResponse> {
  for (const route of ROUTES) {
    const matched = route.match(event);
    if (matched !== null) return route.handle(deps, event, matched);
  }
  return notFound();
}
