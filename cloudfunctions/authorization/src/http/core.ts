/**
 * What every HTTP route shares: the request and response of a cloud function's HTTP access, body
 * decoding, path segments and the security headers. It imports no route, so any route may use it.
 */
import { PAGE_STYLE_HASH } from './html';

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

/** A page as rendered, before the headers that protect it. */
export interface HtmlReply {
  status: number;
  html: string;
  /** The page's one script, allowed by its hash in the Content-Security-Policy. */
  scriptHash?: string;
  /** The entry page must send its origin to WeChat (initiation-domain check); others send nothing. */
  referrer?: 'origin' | 'no-referrer';
}

/** Push and message bodies are small XML; anything bigger is not from WeChat. */
export const MAX_PUSH_BODY_BYTES = 64 * 1024;

export function isHttpEvent(event: unknown): event is HttpEvent {
  const e = event as Partial<HttpEvent> | null;
  return !!e && typeof e.httpMethod === 'string' && typeof e.path === 'string';
}

export const methodOf = (event: HttpEvent): string => event.httpMethod.toUpperCase();

/**
 * The last `count` segments of the path, trailing slashes ignored: routes match by these, so the
 * function works under whatever HTTP access path the console gives it.
 */
export function lastSegments(path: string, count: number): string[] {
  return path.replace(/\/+$/, '').split('/').slice(-count);
}

/** HTTP access may hand the body over base64-encoded (DESIGN "What providers trip over"); null: too large. */
export function decodeBody(event: HttpEvent): string | null {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return Buffer.byteLength(body) > MAX_PUSH_BODY_BYTES ? null : body;
}

const NO_SNIFF = { 'x-content-type-options': 'nosniff' };

/** Plain text, never cached or sniffed. */
export const text = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...NO_SNIFF },
  body,
  isBase64Encoded: false,
});

export const notFound = (): HttpResponse => text(404, 'not found');

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

export const html = ({ status, html: body, scriptHash, referrer }: HtmlReply): HttpResponse => ({
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
