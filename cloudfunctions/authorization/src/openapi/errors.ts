/**
 * Errors of the Open Platform API client: what failed, how the caller should react (category),
 * and a short explanation for people (meaning). Never carries a token, ticket or secret.
 * Spec: open-platform.md §0 (errmsg suffixes, 61004 text), §8 (codes), §8.1 (policy).
 */
import type { ApiName } from './types';

/**
 * How the caller should react:
 * - token: drop the component token if it is still the failing one, refresh once, retry once;
 * - authorization: the merchant's authorization is broken, mark needs_reauth;
 * - code: the authorization code is unusable, a new authorization is needed;
 * - configuration: appid/secret/IP whitelist/token kind is wrong, alert, no retry;
 * - ticket: wait for the next ticket push (or restart the push service);
 * - quota: limit reached, alert, no retry;
 * - transient: already retried with backoff by the client;
 * - other: anything else.
 */
export type ErrorCategory = 'token' | 'authorization' | 'code' | 'configuration' | 'ticket' | 'quota' | 'transient' | 'other';

/**
 * What went wrong on the wire: WeChat answered with an errcode, or there was no usable answer.
 * Only `errcode` failures carry a WeChat errcode; the others use -1 (WeChat's "system error").
 */
export type FailureKind = 'errcode' | 'timeout' | 'network' | 'http_status' | 'invalid_body' | 'unexpected_body';

interface CodeEntry {
  category: ErrorCategory;
  meaning: string;
}

const code = (category: ErrorCategory, meaning: string): CodeEntry => ({ category, meaning });

/** Every errcode of spec §8 (plus 40170 of §4.6). */
export const ERROR_CODES: Readonly<Record<number, CodeEntry>> = {
  [-1]: code('transient', 'WeChat system error; retry later'),
  40001: code('token', 'token invalid or not the latest (superseded after the 5-minute grace), or wrong secret'),
  40013: code('configuration', 'invalid appid: the component or authorizer appid is malformed or unknown'),
  40014: code('token', 'invalid access token: malformed or unknown token'),
  40125: code('configuration', 'invalid component appsecret'),
  40164: code('configuration', 'caller IP is not in the whitelist'),
  40170: code('other', 'argument count exceeds the limit'),
  41001: code('configuration', 'access token missing from the request'),
  41002: code('configuration', 'appid missing from the request'),
  41004: code('configuration', 'appsecret missing from the request'),
  41018: code('configuration', 'component_appid missing from the request'),
  42001: code('token', 'access token expired'),
  42007: code('other', 'access and refresh tokens invalidated (e.g. password change); re-authorize'),
  45009: code('quota', 'daily API quota reached; reset with clear_quota or wait for tomorrow'),
  45011: code('quota', 'per-minute API quota reached; slow down'),
  47001: code('other', 'data format error: bad JSON or missing fields'),
  48001: code('configuration', 'API unauthorized: the account lacks this API permission'),
  48006: code('quota', 'quota reset limit reached (10 per month)'),
  61003: code('authorization', 'this account has not authorized the platform (or revoked it)'),
  61004: code('configuration', 'caller IP is not registered in the platform IP whitelist'),
  61005: code('ticket', 'component_verify_ticket expired (older than 12 hours)'),
  61006: code('ticket', 'component_verify_ticket is invalid'),
  61007: code('other', 'the merchant did not grant the permission set containing this API'),
  61009: code('code', "authorization code is invalid (wrong, already used, or another platform's)"),
  61010: code('code', 'authorization code expired; the merchant must update the authorization'),
  61011: code('configuration', 'invalid component: the platform appid is not a third-party platform'),
  61012: code('other', 'invalid option name'),
  61013: code('other', 'invalid option value'),
  61014: code('configuration', 'a component API was called with a non-component token'),
  61015: code('configuration', 'a merchant API was called with the component token'),
  61016: code('other', 'the permission set of this API must be confirmed by the platform'),
  61017: code('other', 'the permission set of this API is not authorized'),
  61023: code('authorization', 'authorizer refresh token is invalid; re-authorization may be needed'),
  61024: code('configuration', 'component accounts must get tokens with api_component_token'),
  61025: code('other', 'read-only option'),
};

export function categoryOf(errcode: number): ErrorCategory {
  return ERROR_CODES[errcode]?.category ?? 'other';
}

export function meaningOf(errcode: number): string {
  return ERROR_CODES[errcode]?.meaning ?? 'unknown WeChat error code';
}

const FAILURE_MEANINGS: Record<Exclude<FailureKind, 'errcode'>, string> = {
  timeout: 'no complete answer within the timeout',
  network: 'connection failed or was dropped',
  http_status: 'unexpected HTTP status',
  invalid_body: 'the answer was not JSON',
  unexpected_body: 'the answer lacks the expected fields',
};

export interface OpenApiErrorInit {
  api: ApiName;
  failure: FailureKind;
  /** WeChat's errcode, or -1 for failures without one. */
  errcode: number;
  /** errmsg without the rid/hint suffix (already scrubbed of secrets). */
  errmsg?: string;
  rid?: string;
  requestIp?: string;
  httpStatus?: number;
  /** Node's error code of a network failure, e.g. ECONNRESET. */
  networkCode?: string;
  /** Tries made, including the one that produced this error. */
  attempts?: number;
  /** Forces a category; by default it follows from the errcode or the failure kind. */
  category?: ErrorCategory;
}

export class OpenApiError extends Error {
  readonly api: ApiName;
  readonly errcode: number;
  readonly errmsg: string;
  readonly category: ErrorCategory;
  readonly meaning: string;
  readonly failure: FailureKind;
  readonly rid?: string;
  /** The caller IP WeChat saw, from a 61004 errmsg; the health page shows it. */
  readonly requestIp?: string;
  readonly httpStatus?: number;
  readonly networkCode?: string;
  /**
   * Tries made. Above 1 means an earlier try may have reached WeChat: a 61009 from
   * api_query_auth then can mean the code was already exchanged by that try.
   */
  readonly attempts: number;

  constructor(init: OpenApiErrorInit) {
    const meaning = init.failure === 'errcode' ? meaningOf(init.errcode) : FAILURE_MEANINGS[init.failure];
    const errmsg = init.errmsg ?? '';
    super(describe(init, errmsg, meaning));
    this.name = 'OpenApiError';
    this.api = init.api;
    this.errcode = init.errcode;
    this.errmsg = errmsg;
    this.failure = init.failure;
    this.category = init.category ?? defaultCategory(init);
    this.meaning = meaning;
    this.attempts = init.attempts ?? 1;
    if (init.rid !== undefined) this.rid = init.rid;
    if (init.requestIp !== undefined) this.requestIp = init.requestIp;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.networkCode !== undefined) this.networkCode = init.networkCode;
  }
}

function defaultCategory(init: OpenApiErrorInit): ErrorCategory {
  if (init.failure === 'errcode') return categoryOf(init.errcode);
  if (init.failure === 'http_status') return init.httpStatus !== undefined && init.httpStatus >= 500 ? 'transient' : 'other';
  if (init.failure === 'unexpected_body') return 'other';
  return 'transient';
}

function describe(init: OpenApiErrorInit, errmsg: string, meaning: string): string {
  const detail =
    init.failure === 'errcode'
      ? `errcode ${init.errcode}${errmsg ? ` "${errmsg}"` : ''}`
      : [init.failure, init.networkCode, init.httpStatus].filter((part) => part !== undefined).join(' ');
  return `${init.api} failed: ${detail} (${meaning})`;
}

const RID_SUFFIX = /\s*(?:,\s*)?\brid:\s*([0-9a-f]+(?:-[0-9a-f]+)*)\s*$/i;
const HINT_SUFFIX = /\s*(?:,\s*)?\bhint:\s*\[([^\]]*)\]\s*$/i;
const REQUEST_IP = /requestIP:\s*([0-9a-fA-F.:]+)/;

/** Splits WeChat's trace suffix (`rid: …` or `hint: […]`) from the errmsg. */
export function splitErrmsg(raw: string): { errmsg: string; rid?: string; requestIp?: string } {
  let errmsg = raw;
  let rid: string | undefined;
  for (const suffix of [RID_SUFFIX, HINT_SUFFIX]) {
    const match = suffix.exec(errmsg);
    if (match) {
      rid = match[1];
      errmsg = errmsg.slice(0, match.index);
    }
  }
  const ip = REQUEST_IP.exec(errmsg);
  return { errmsg: errmsg.trim(), ...(rid ? { rid } : {}), ...(ip ? { requestIp: ip[1] } : {}) };
}

export function isOpenApiError(e: unknown): e is OpenApiError {
  return e instanceof OpenApiError;
}

const hasCategory =
  (category: ErrorCategory) =>
  (e: unknown): e is OpenApiError =>
    isOpenApiError(e) && e.category === category;

/** 40001 / 40014 / 42001: refresh the token (if still the failing one) and retry once. */
export const isTokenError = hasCategory('token');
/** 61003 / 61023: the authorizer needs to re-authorize. */
export const isAuthorizationError = hasCategory('authorization');
/** 61009 / 61010: the authorization code cannot be exchanged. */
export const isCodeError = hasCategory('code');
export const isConfigurationError = hasCategory('configuration');
/** 61005 / 61006: wait for a new ticket. */
export const isTicketError = hasCategory('ticket');
export const isQuotaError = hasCategory('quota');
/** Network trouble, timeouts, 5xx, -1: the client already retried. */
export const isTransientError = hasCategory('transient');

/** WeChat's answer, or null when it says the merchant revoked (61003); anything else is thrown on. */
export async function unlessRevoked<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (isAuthorizationError(error)) return null;
    throw error;
  }
}
