/**
 * Typed client of the Open Platform component APIs (spec §2.2, §4.1–4.6).
 *
 * It neither caches nor fetches tokens: callers pass them in (`upstream.ts` supplies the component
 * token) and branch with the predicates of errors.ts (isTokenError …). Transient failures are
 * retried here with backoff; nothing else is. Tokens travel only in the query string and never
 * reach errors or metrics.
 */
import { isTransientError, OpenApiError, splitErrmsg } from './errors';
import { backoffDelayMs, DEFAULT_RETRY, RetryPolicy, sleep, validateRetryPolicy } from './retry';
import { HttpOutcome, postJson } from './transport';
import type {
  ApiName,
  AuthorizerInfoResponse,
  AuthorizerListResponse,
  AuthorizerTokenResponse,
  ComponentAccessTokenResponse,
  PreAuthCodeResponse,
  QueryAuthResponse,
  StartPushTicketResponse,
} from './types';

export const DEFAULT_BASE_URL = 'https://api.weixin.qq.com';
export const DEFAULT_TIMEOUT_MS = 5000;
/** §4.6: WeChat's upper bound for one page of api_get_authorizer_list. */
export const MAX_AUTHORIZER_LIST_COUNT = 500;

/** One HTTP try, for metrics. errcode is 0 on success and -1 when WeChat gave no errcode. */
export interface CallRecord {
  api: ApiName;
  ms: number;
  errcode: number;
  attempt: number;
}

export interface OpenApiClientOptions {
  baseUrl?: string;
  componentAppId: string;
  componentAppSecret: string;
  /** Deadline of each try, connect to last byte. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Called after every try; must not throw (errors are swallowed). */
  onCall?: (record: CallRecord) => void;
}

export interface OpenApiClient {
  getComponentAccessToken(ticket: string): Promise<ComponentAccessTokenResponse>;
  startPushTicket(): Promise<StartPushTicketResponse>;
  createPreAuthCode(componentToken: string): Promise<PreAuthCodeResponse>;
  queryAuth(componentToken: string, authorizationCode: string): Promise<QueryAuthResponse>;
  refreshAuthorizerToken(componentToken: string, authorizerAppid: string, refreshToken: string): Promise<AuthorizerTokenResponse>;
  getAuthorizerInfo(componentToken: string, authorizerAppid: string): Promise<AuthorizerInfoResponse>;
  getAuthorizerList(componentToken: string, offset: number, count: number): Promise<AuthorizerListResponse>;
}

interface CallSpec {
  api: ApiName;
  /** Component token for the query string; absent for the token and push-ticket APIs. */
  token?: string;
  body: Record<string, unknown>;
  /** Values to scrub from any errmsg WeChat might echo back. */
  sensitive: string[];
  /** A field every successful answer of this API has. */
  expect: string;
}

interface Settings {
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  secret: string;
  onCall?: (record: CallRecord) => void;
}

export function createOpenApiClient(options: OpenApiClientOptions): OpenApiClient {
  const settings = resolveSettings(options);
  const appid = options.componentAppId;
  const call = <T>(spec: CallSpec): Promise<T> => callWithRetry<T>(settings, spec);

  return {
    getComponentAccessToken: (ticket) =>
      call({
        api: 'api_component_token',
        body: { component_appid: appid, component_appsecret: settings.secret, component_verify_ticket: ticket },
        sensitive: [ticket],
        expect: 'component_access_token',
      }),
    startPushTicket: () =>
      call({
        api: 'api_start_push_ticket',
        body: { component_appid: appid, component_secret: settings.secret },
        sensitive: [],
        expect: 'errcode',
      }),
    createPreAuthCode: (componentToken) =>
      call({
        api: 'api_create_preauthcode',
        token: componentToken,
        body: { component_appid: appid },
        sensitive: [],
        expect: 'pre_auth_code',
      }),
    queryAuth: (componentToken, authorizationCode) =>
      call({
        api: 'api_query_auth',
        token: componentToken,
        body: { component_appid: appid, authorization_code: authorizationCode },
        sensitive: [authorizationCode],
        expect: 'authorization_info',
      }),
    refreshAuthorizerToken: (componentToken, authorizerAppid, refreshToken) =>
      call({
        api: 'api_authorizer_token',
        token: componentToken,
        body: { component_appid: appid, authorizer_appid: authorizerAppid, authorizer_refresh_token: refreshToken },
        sensitive: [refreshToken],
        expect: 'authorizer_access_token',
      }),
    getAuthorizerInfo: (componentToken, authorizerAppid) =>
      call({
        api: 'api_get_authorizer_info',
        token: componentToken,
        body: { component_appid: appid, authorizer_appid: authorizerAppid },
        sensitive: [],
        expect: 'authorizer_info',
      }),
    getAuthorizerList: (componentToken, offset, count) => {
      const invalid = listPageProblem(offset, count);
      if (invalid) return Promise.reject(invalid);
      return call({
        api: 'api_get_authorizer_list',
        token: componentToken,
        body: { component_appid: appid, offset, count },
        sensitive: [],
        expect: 'list',
      });
    },
  };
}

function resolveSettings(options: OpenApiClientOptions): Settings {
  if (!options.componentAppId) throw new TypeError('componentAppId is required');
  if (!options.componentAppSecret) throw new TypeError('componentAppSecret is required');
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new TypeError('baseUrl must be an http(s) URL');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError('timeoutMs must be > 0');
  return {
    baseUrl,
    timeoutMs,
    retry: validateRetryPolicy(options.retry ?? DEFAULT_RETRY),
    secret: options.componentAppSecret,
    onCall: options.onCall,
  };
}

/** WeChat answers an over-large count with an error; refusing it here saves a call. */
function listPageProblem(offset: number, count: number): RangeError | undefined {
  if (!Number.isInteger(offset) || offset < 0) return new RangeError('offset must be an integer >= 0');
  if (!Number.isInteger(count) || count < 1 || count > MAX_AUTHORIZER_LIST_COUNT) {
    return new RangeError(`count must be an integer from 1 to ${MAX_AUTHORIZER_LIST_COUNT}`);
  }
  return undefined;
}

async function callWithRetry<T>(settings: Settings, spec: CallSpec): Promise<T> {
  const url = buildUrl(settings.baseUrl, spec);
  const json = JSON.stringify(spec.body);
  const scrub = scrubber([settings.secret, spec.token ?? '', ...spec.sensitive]);
  for (let attempt = 1; ; attempt++) {
    const started = process.hrtime();
    const outcome = await postJson(url, json, settings.timeoutMs);
    const result = interpret<T>(spec, outcome, attempt, scrub);
    report(settings, { api: spec.api, ms: elapsedMs(started), errcode: result.ok ? 0 : result.error.errcode, attempt });
    if (result.ok) return result.value;
    if (!isTransientError(result.error) || attempt >= settings.retry.attempts) throw result.error;
    await sleep(backoffDelayMs(settings.retry, attempt));
  }
}

function buildUrl(baseUrl: string, spec: CallSpec): URL {
  const url = new URL(`${baseUrl}/cgi-bin/component/${spec.api}`);
  // URLSearchParams percent-encodes the value, so tokens with + / = survive.
  if (spec.token !== undefined) url.searchParams.set('component_access_token', spec.token);
  return url;
}

type Interpretation<T> = { ok: true; value: T } | { ok: false; error: OpenApiError };

function interpret<T>(spec: CallSpec, outcome: HttpOutcome, attempt: number, scrub: Scrub): Interpretation<T> {
  const base = { api: spec.api, errcode: -1, attempts: attempt };
  if (outcome.kind === 'timeout') return fail({ ...base, failure: 'timeout' });
  if (outcome.kind === 'network') return fail({ ...base, failure: 'network', networkCode: outcome.code ?? 'UNKNOWN' });

  const body = parseObject(outcome.body);
  if (body && typeof body.errcode === 'number' && body.errcode !== 0) {
    const raw = typeof body.errmsg === 'string' ? scrub(body.errmsg) : '';
    return fail({ ...base, failure: 'errcode', errcode: body.errcode, ...splitErrmsg(raw) });
  }
  if (outcome.status < 200 || outcome.status >= 300) {
    return fail({ ...base, failure: 'http_status', httpStatus: outcome.status });
  }
  if (!body) return fail({ ...base, failure: 'invalid_body' });
  if (!(spec.expect in body)) return fail({ ...base, failure: 'unexpected_body' });
  return { ok: true, value: body as T };
}

function fail(init: ConstructorParameters<typeof OpenApiError>[0]): Interpretation<never> {
  return { ok: false, error: new OpenApiError(init) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Scrub = (text: string) => string;

/** Replaces any echo of a secret (plain or URL-encoded) with `***`. */
function scrubber(values: string[]): Scrub {
  const needles = values
    .filter((value) => value.length >= 4)
    .flatMap((value) => [value, encodeURIComponent(value)])
    .sort((a, b) => b.length - a.length);
  return (text) => needles.reduce((result, needle) => result.split(needle).join('***'), text);
}

function report(settings: Settings, record: CallRecord): void {
  if (!settings.onCall) return;
  try {
    settings.onCall(record);
  } catch {
    // Metrics must never change the outcome of a call.
  }
}

function elapsedMs(started: [number, number]): number {
  const [seconds, nanos] = process.hrtime(started);
  return Math.round(seconds * 1000 + nanos / 1e6);
}
