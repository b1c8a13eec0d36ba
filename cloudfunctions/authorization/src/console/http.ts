/**
 * The console's side of HTTP: cookies, who is asking, the same-origin check, and responses with
 * the console's headers (a CSP that allows only our own script and stylesheet, never framed).
 */
import type { HttpEvent, HttpResponse } from '../http/core';
import type { Asset } from './assets';
import type { Requester } from './signin';

export const SESSION_COOKIE = 'wxc_session';
/** The pre-session cookie: the ticket and the browser's binding secret, only sent to the poll. */
export const SIGNIN_COOKIE = 'wxc_signin';

/** Where the console lives, from PUBLIC_BASE_URL: links, cookie paths and the allowed origin. */
export interface ConsoleSite {
  /** e.g. https://env.service.tcloudbase.com */
  origin: string;
  /** e.g. /wx/console */
  root: string;
  secure: boolean;
}

export function siteOf(publicBaseUrl: string): ConsoleSite {
  const url = new URL(publicBaseUrl);
  return { origin: url.origin, root: `${url.pathname.replace(/\/+$/, '')}/console`, secure: url.protocol === 'https:' };
}

const header = (event: HttpEvent, name: string): string | undefined => {
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
};

export function cookieOf(event: HttpEvent, name: string): string | undefined {
  for (const part of (header(event, 'cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** HttpOnly, SameSite=Strict, Secure over HTTPS; `maxAgeSeconds` 0 clears it. */
export function setCookie(site: ConsoleSite, name: string, value: string, maxAgeSeconds: number, path = site.root): string {
  return [
    `${name}=${value}`,
    `Path=${path}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(site.secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * The browser and the address the gateway saw it come from ('未知' when it does not say). The last
 * X-Forwarded-For entry is the one the nearest proxy (the gateway) added; earlier ones are the client's word.
 */
export function requesterOf(event: HttpEvent): Requester {
  const forwarded = header(event, 'x-forwarded-for')?.split(',').pop()?.trim() || header(event, 'x-real-ip')?.trim();
  const ip = forwarded && /^[0-9a-fA-F.:]{2,45}$/.test(forwarded) ? forwarded : '未知';
  return { userAgent: header(event, 'user-agent') ?? '', ip };
}

/** A change must come from a page of ours: browsers always send Origin on a POST. */
export const isSameOrigin = (event: HttpEvent, site: ConsoleSite): boolean => header(event, 'origin') === site.origin;

export function formOf(event: HttpEvent): URLSearchParams {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return new URLSearchParams(body.length > 16 * 1024 ? '' : body);
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PROTECT = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it a form's POST carries `Origin: null` (Fetch spec), and the origin check needs ours.
  'referrer-policy': 'same-origin',
};

export function page(status: number, html: string, cookie?: string): HttpResponse {
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...PROTECT,
      ...(cookie ? { 'set-cookie': cookie } : {}),
    },
    body: html,
    isBase64Encoded: false,
  };
}

export function json(status: number, value: unknown, cookie?: string): HttpResponse {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...PROTECT,
      ...(cookie ? { 'set-cookie': cookie } : {}),
    },
    body: JSON.stringify(value),
    isBase64Encoded: false,
  };
}

/** 303: after a POST, the browser GETs the next page (a reload never repeats the change). */
export function redirect(location: string, cookie?: string): HttpResponse {
  return {
    statusCode: 303,
    headers: { location, 'cache-control': 'no-store', ...PROTECT, ...(cookie ? { 'set-cookie': cookie } : {}) },
    body: '',
    isBase64Encoded: false,
  };
}

/** A file the browser saves (the CSV export): never cached, never sniffed as a page. */
export function download(name: string, contentType: string, body: string): HttpResponse {
  return {
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      ...PROTECT,
    },
    body,
    isBase64Encoded: false,
  };
}

export function staticAsset(asset: Asset): HttpResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': asset.contentType, 'cache-control': 'public, max-age=31536000, immutable', ...PROTECT },
    body: asset.body,
    isBase64Encoded: false,
  };
}
