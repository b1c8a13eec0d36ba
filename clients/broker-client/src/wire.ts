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
}

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
