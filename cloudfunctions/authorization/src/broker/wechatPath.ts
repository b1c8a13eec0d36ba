/**
 * What a caller may ask the proxy to call: a path on WeChat's API host and query parameters. The
 * host is always the configured one; the token is always ours. Anything that could steer the
 * request elsewhere (scheme, host, `//`, `..`, percent or backslash tricks) is refused outright.
 */
import { refuse } from './refusal';

const SEGMENT = /^[A-Za-z0-9_.-]{1,64}$/;
const QUERY_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_PATH = 200;
const MAX_QUERY_PARAMS = 30;
const MAX_QUERY_VALUE = 2048;
/** Token parameters the broker fills in; a caller never sends one (and never learns ours). */
const TOKEN_PARAMS = new Set(['access_token', 'component_access_token']);

export function checkWeChatPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH || !path.startsWith('/')) {
    throw refuse('INVALID_INPUT', 'path must be an absolute path on api.weixin.qq.com, e.g. /wxa/getwxacodeunlimit');
  }
  const segments = path.slice(1).split('/');
  // A segment ending in a dot is no WeChat API, and some servers would read it without the dot.
  const bad = segments.some((s) => !SEGMENT.test(s) || s.endsWith('.'));
  if (bad)
    throw refuse('INVALID_INPUT', 'path may only contain segments of letters, digits, _ . - (no //, .., %, \\, : or query)');
  return path;
}

export function checkQuery(query: unknown): Record<string, string> {
  if (query === undefined || query === null) return {};
  if (typeof query !== 'object' || Array.isArray(query)) throw refuse('INVALID_INPUT', 'query must be an object of strings');
  const entries = Object.entries(query as Record<string, unknown>);
  if (entries.length > MAX_QUERY_PARAMS) throw refuse('INVALID_INPUT', `at most ${MAX_QUERY_PARAMS} query parameters`);
  for (const [key, value] of entries) {
    if (!QUERY_KEY.test(key)) throw refuse('INVALID_INPUT', 'query parameter names: letters, digits, _ . -');
    if (TOKEN_PARAMS.has(key.toLowerCase())) throw refuse('INVALID_INPUT', `${key} is added by the broker; do not send one`);
    if (typeof value !== 'string' || value.length > MAX_QUERY_VALUE)
      throw refuse('INVALID_INPUT', `query parameter ${key} must be a string`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The URL to call: the configured API origin, the checked path, the caller's query and our token. */
export function targetUrl(
  apiBaseUrl: string,
  path: string,
  query: Record<string, string>,
  token: { param: string; value: string },
): URL {
  const base = new URL(apiBaseUrl);
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
  // Belt and braces: parsing must not have moved us to another origin or path.
  if (url.origin !== base.origin || !url.pathname.endsWith(path))
    throw refuse('INVALID_INPUT', 'path does not stay on the API host');
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  url.searchParams.set(token.param, token.value);
  return url;
}

/**
 * The permission set that contains an API, where known (spec §10, §15.3): named in the 61007
 * refusal so the merchant knows what to grant. Keyed by path, then by account kind.
 */
const API_SETS: Readonly<Record<string, { official_account?: number; mini_program?: number }>> = {
  '/cgi-bin/message/custom/send': { official_account: 1, mini_program: 19 },
  '/wxa/getwxacodeunlimit': { mini_program: 17 },
  '/wxa/getwxacode': { mini_program: 17 },
  '/cgi-bin/wxaapp/createwxaqrcode': { mini_program: 17 },
  '/cgi-bin/account/getaccountbasicinfo': { mini_program: 30 },
  '/wxa/commit': { mini_program: 18 },
  '/wxa/submit_audit': { mini_program: 18 },
  '/wxa/release': { mini_program: 18 },
  '/cgi-bin/menu/create': { official_account: 15 },
  '/cgi-bin/menu/get': { official_account: 15 },
  '/cgi-bin/user/get': { official_account: 2 },
  '/cgi-bin/user/info': { official_account: 2 },
  '/cgi-bin/material/add_material': { official_account: 11 },
  '/cgi-bin/qrcode/create': { official_account: 3 },
};

export function permissionSetOf(path: string, kind: string | undefined): number | undefined {
  const sets = API_SETS[path];
  if (!sets) return undefined;
  if (kind === 'official_account') return sets.official_account;
  // Mini-games use the mini-program sets.
  if (kind) return sets.mini_program;
  // Kind unknown: name a set only when the API has just one.
  return sets.official_account === undefined
    ? sets.mini_program
    : sets.mini_program === undefined
      ? sets.official_account
      : undefined;
}
