import type { App } from '../app';
import { PAGE_STYLE_HASH } from './html';
import { routeMessages } from '../messages/route';
import { handleBrokerHttp, isBrokerPath } from '../broker/httpEntry';
import { callbackPage, entryPage, unavailablePage, type HtmlReply } from './pages';

/** The integrated request of a cloud function's HTTP access. */
export interface HttpEvent {
  path: string;
  httpMethod: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** Push bodies are small XML; anything bigger is not from WeChat. */
export const MAX_PUSH_BODY_BYTES = 64 * 1024;

export function isHttpEvent(event: unknown): event is HttpEvent {
  const e = event as Partial<HttpEvent> | null;
  return !!e && typeof e.httpMethod === 'string' && typeof e.path === 'string';
}

const NO_SNIFF = { 'x-content-type-options': 'nosniff' };

const text = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...NO_SNIFF },
  body,
  isBase64Encoded: false,
});

/** Nothing but our own style and (on the entry page) our one hashed script; never framed, never cached. */
function contentSecurityPolicy(scriptHash?: string): string {
  return [
    "default-src 'none'",
    `style-src '${PAGE_STYLE_HASH}'`,
    `script-src ${scriptHash ? `'${scriptHash}'` : "'none'"}`,
    'img-src https: data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const html = ({ status, html: body, scriptHash, referrer }: HtmlReply): HttpResponse => ({
  statusCode: status,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': contentSecurityPolicy(scriptHash),
    'x-frame-options': 'DENY',
    'referrer-policy': referrer ?? 'no-referrer',
    ...NO_SNIFF,
  },
  body,
  isBase64Encoded: false,
});

/**
 * Routes by the last path segment, so the function works under whatever HTTP access path the
 * console gives it: POST anywhere = the authorization-event URL; GET …/entry and …/callback = pages.
 */
export async function handleHttp(app: App, event: HttpEvent): Promise<HttpResponse> {
  if (isBrokerPath(event.path)) return handleBrokerHttp(app, event); // BROKER (issue 10): signed server-to-server routes
  const method = event.httpMethod.toUpperCase();
  const query = event.queryStringParameters ?? {};
  const last = event.path.replace(/\/+$/, '').split('/').pop() ?? '';
  if (method === 'GET' && last === 'entry') return html(await shown(app, () => entryPage(app, query.sid)));
  if (method === 'GET' && last === 'callback') return html(await shown(app, () => callbackPage(app, query.sid, query.auth_code)));
  // Issue 11: the message-and-event URL (…/message/<APPID>) and its follow-up jobs.
  const messages = await routeMessages(app, event);
  if (messages) return messages;
  if (method === 'POST') {
    const body = decodeBody(event);
    if (body === null) return text(413, 'body too large');
    const reply = await app.pushes.handle({ query, body });
    return text(reply.status, reply.body);
  }
  return text(404, 'not found');
}

/** A person is looking at these pages: an unexpected failure is a page saying so, never a raw error. */
async function shown(app: App, render: () => Promise<HtmlReply>): Promise<HtmlReply> {
  try {
    return await render();
  } catch (error) {
    app.log.warn('page failed', { reason: error instanceof Error ? error.name : 'error' });
    return unavailablePage();
  }
}

/** HTTP access may hand the body over base64-encoded (DESIGN "What providers trip over"). */
export function decodeBody(event: HttpEvent): string | null {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return Buffer.byteLength(body) > MAX_PUSH_BODY_BYTES ? null : body;
}
