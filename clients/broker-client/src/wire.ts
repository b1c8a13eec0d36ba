/**
 * What crosses the wire between a caller and the authorization function's broker, for both ways
 * in: callFunction from the provider's other cloud functions, and signed HTTP from its servers.
 * The function imports these types too, so the two sides cannot drift apart.
 */

export type HttpMethod = 'GET' | 'POST';

export type AuthorizerState = 'revoked' | 'needs_reauth';

/** Why the broker refused; `code` is stable, `message` is for people. */
export type BrokerErrorCode =
  /** No broker secret/key configured on the function: the broker is off. */
  | 'BROKER_DISABLED'
  /** Missing or wrong secret, unknown key, bad signature. */
  | 'UNAUTHENTICATED'
  /** A key that was revoked in the configuration. */
  | 'KEY_REVOKED'
  /** callFunction from somewhere other than a cloud function (SOURCE without `scf`). */
  | 'FORBIDDEN_SOURCE'
  /** Timestamp outside the five-minute window. */
  | 'STALE_REQUEST'
  /** A nonce that was already used. */
  | 'REPLAYED'
  | 'INVALID_INPUT'
  | 'UNKNOWN_AUTHORIZER'
  /** The caller's key or function secret does not allow this: `scope` says which part is missing. */
  | 'SCOPE_DENIED'
  /** The API is never proxied (it mints or returns a token or code) or is not on the component list. */
  | 'API_NOT_SERVED'
  /** The request body is over the broker's limit (see BODY_LIMITS). */
  | 'BODY_TOO_LARGE'
  /** The merchant revoked the authorization (state 'revoked') or it broke (state 'needs_reauth'). */
  | 'AUTHORIZER_UNAVAILABLE'
  /** 61007: the merchant did not grant the permission set that contains the API. */
  | 'SET_NOT_GRANTED'
  /** A token is being refreshed by another instance; try again shortly. */
  | 'NOT_READY'
  /** WeChat could not be reached or failed in a way the caller cannot fix. */
  | 'UPSTREAM'
  | 'INTERNAL';

export interface BrokerErrorBody {
  code: BrokerErrorCode;
  message: string;
  /** WeChat's errcode when the refusal comes from WeChat (61007, 61003, 61023 …). */
  errcode?: number;
  state?: AuthorizerState;
  /** For SET_NOT_GRANTED when the API's set is known. */
  permissionSet?: { id: number; name: string };
  /** For SCOPE_DENIED: the part of the caller's own scope that does not cover the request. */
  scope?: ScopePart;
}

/**
 * What one caller (an HTTP key or a function secret) may do. Deny by default: an operation, API
 * or appid not named here is refused. `token` hands out the merchant's access token, which can
 * call any API of that merchant: give it only to callers that need the raw token.
 */
export interface BrokerScope {
  /** Operations: token, call (an authorizer API), component (a platform API), list, report. */
  ops: ScopeOperation[];
  /**
   * WeChat API path prefixes for `call` and `component`: `/cgi-bin/message/` covers every path
   * under it; a prefix without a trailing slash covers that path and the paths under it
   * (`/wxa/commit` covers `/wxa/commit`, not `/wxa/commit_x`). `/` covers every path.
   */
  apis: string[];
  /** `*` for every authorized account, or a list of appids (for token, call, report and list). */
  appids: '*' | string[];
}

export type ScopeOperation = 'token' | 'call' | 'component' | 'list' | 'report';
export const SCOPE_OPERATIONS: readonly ScopeOperation[] = ['token', 'call', 'component', 'list', 'report'];
export type ScopePart = 'operation' | 'api' | 'appid';

export interface IssuedToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A WeChat API call for an authorizer (or, without appid, for the platform itself). */
export interface ProxyRequest {
  method: HttpMethod;
  /** Path on api.weixin.qq.com, e.g. `/wxa/getwxacodeunlimit`; no scheme, host, query or `..`. */
  path: string;
  /** Query parameters other than the token (the broker adds it). */
  query?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** Or a binary body. */
  body?: { base64: string; contentType: string };
}

/** WeChat's answer as it came: text bodies as text, anything else base64. */
export interface ProxyResponse {
  status: number;
  contentType: string;
  text?: string;
  base64?: string;
}

export interface AuthorizerSummary {
  appid: string;
  name: string;
  kind: string;
  status: string;
  grantedSets: number[];
  updatedAt: number;
}

export interface AuthorizerPage {
  authorizers: AuthorizerSummary[];
  /**
   * Pass as `after` for the next page (pages run in appid order, so accounts added meanwhile are
   * not skipped and no page costs more than the first); null once a page came back empty.
   */
  next: string | null;
}

/** Each operation with its input and its answer. */
export interface BrokerOps {
  token: { input: { appid: string }; output: IssuedToken };
  reportRejected: { input: { appid: string; accessToken: string; errcode: number }; output: { invalidated: boolean } };
  call: { input: ProxyRequest & { appid: string }; output: ProxyResponse };
  componentCall: { input: ProxyRequest; output: ProxyResponse };
  listAuthorizers: { input: { after?: string; limit?: number }; output: AuthorizerPage };
}

export type BrokerOp = keyof BrokerOps;

/** The scope operation each broker operation needs. */
export const OP_SCOPE: { readonly [K in BrokerOp]: ScopeOperation } = {
  token: 'token',
  reportRejected: 'report',
  call: 'call',
  componentCall: 'component',
  listAuthorizers: 'list',
};

/**
 * Request bodies the broker takes (bytes after any base64 decoding). Over the signed-HTTP way in,
 * HTTP access itself refuses bigger ones before the function runs (see the README).
 */
export const BODY_LIMITS = { json: 64 * 1024, binary: 4 * 1024 * 1024 } as const;

export const BROKER_OPS: readonly BrokerOp[] = ['token', 'reportRejected', 'call', 'componentCall', 'listAuthorizers'];

/** The event a cloud function sends with `cloud.callFunction`: the `broker` key marks it. */
export interface BrokerCallEvent<K extends BrokerOp = BrokerOp> {
  broker: { secret: string; op: K; input: BrokerOps[K]['input'] };
}

export type BrokerCallResult<K extends BrokerOp = BrokerOp> =
  { ok: true; data: BrokerOps[K]['output'] } | { ok: false; error: BrokerErrorBody };

/** HTTP way in: the routes under PUBLIC_BASE_URL, and the headers of a signed request. */
export const HTTP_ROUTES = {
  token: '/broker/token',
  reportRejected: '/broker/report',
  listAuthorizers: '/broker/authorizers',
  /** + `/<appid><wechat path>` */
  call: '/broker/call',
  /** + `<wechat path>` */
  componentCall: '/broker/component',
} as const;

export const SIGNATURE_HEADERS = {
  key: 'x-broker-key',
  timestamp: 'x-broker-timestamp',
  nonce: 'x-broker-nonce',
  signature: 'x-broker-signature',
} as const;

/** Set on every answer the broker itself produced over HTTP (so it cannot be taken for WeChat's). */
export const BROKER_ERROR_HEADER = 'x-broker-error';
