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
  /**
   * Operations: token, call (an authorizer API), component (a platform API), list, report, ship
   * (the release jobs that ship the template to every merchant; needs appids "*").
   */
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

export type ScopeOperation = 'token' | 'call' | 'component' | 'list' | 'report' | 'ship';
export const SCOPE_OPERATIONS: readonly ScopeOperation[] = ['token', 'call', 'component', 'list', 'report', 'ship'];
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

/** A new release job: the template version to ship, how, and to whom. */
export interface ShipCreateInput {
  /** The code template (`npm run template` prints it). */
  templateId: number;
  /** ≤ 64 characters; one job per version. */
  userVersion: string;
  userDesc: string;
  /** Notes for WeChat's reviewers. */
  versionDesc?: string;
  /** JSON object; strings may hold `{{key}}` placeholders filled from each merchant's values (`{{appid}}` too). */
  extJsonTemplate: Record<string, unknown>;
  /** `auto` (default): released once approved; `command`: waits for the release command. */
  release?: 'auto' | 'command';
  /** 1–100: gray release for apps that already have an online version; null/absent: full. */
  grayPercentage?: number | null;
  /**
   * Rising gray percentages the timer raises by itself, `intervalMinutes` after each merchant's
   * previous step (at most 10 steps, 1–100, ending within 14 days; 100 completes WeChat's plan).
   * The first step is the gray percentage; merchants without an online version are released in full.
   */
  graySchedule?: ShipGraySchedule | null;
  privacyApiNotUse?: boolean;
  /** `all`: every active mini-program that granted set 18; or these appids, in wave order. */
  targets: 'all' | string[];
  /** Merchants per wave, the canary first (the last size repeats); default one wave. */
  waveSizes?: number[];
  /** 0–1: a wave rejected more often than this pauses the job (default 0.5). */
  rejectionThreshold?: number;
  /** Quota units left untouched (default 0). */
  quotaReserve?: number;
}

export interface ShipGraySchedule {
  steps: number[];
  intervalMinutes: number;
}

/** What `ship` can be asked: each action with its input (HTTP: POST /broker/ship/<action>, the rest as the JSON body). */
export type ShipOpInput =
  | ({ action: 'create' } & ShipCreateInput)
  | { action: 'status'; jobId: string; offset?: number; limit?: number }
  | { action: 'pause'; jobId: string; reason: string }
  | { action: 'resume'; jobId: string }
  | { action: 'release'; jobId: string; appid?: string; percentage?: number | null }
  | { action: 'rollback'; jobId: string; appid?: string }
  | { action: 'retry'; jobId: string; appid?: string }
  | { action: 'values'; appid: string; values: Record<string, string> }
  /** The templates running and paused jobs ship (a template deleted under them fails their commits). */
  | { action: 'templates' };
export type ShipAction = ShipOpInput['action'];
export const SHIP_ACTIONS: readonly ShipAction[] = [
  'create',
  'status',
  'pause',
  'resume',
  'release',
  'rollback',
  'retry',
  'values',
  'templates',
];

/** Why a merchant stopped: WeChat's errcode (null: ours), in plain Chinese, and what to do. */
export interface ShipProblem {
  appid: string;
  stage: 'failed' | 'rejected' | 'skipped';
  errcode: number | null;
  message: string;
  action: string;
}

/** A merchant left in place with a reason: an audit WeChat delayed, a release or a rollback it refused. */
export interface ShipNote {
  appid: string;
  stage: 'submitted' | 'releasing' | 'released';
  errcode: number | null;
  message: string;
  action: string;
}

/** A merchant released or being released: its share of users now (100: everyone), its next gray step. */
export interface ShipGrayState {
  appid: string;
  stage: 'releasing' | 'released';
  percentage: number;
  /** When the timer raises it to the schedule's next step; null: no step left (or full release). */
  nextStepAt: number | null;
}

/** A template a running or paused job ships: deleting it would fail the job's commits. */
export interface ShipTemplateInUse {
  templateId: number;
  jobs: { jobId: string; state: 'running' | 'paused'; userVersion: string }[];
}

export interface ShipJobSummary {
  jobId: string;
  state: 'running' | 'paused' | 'done';
  userVersion: string;
  templateId: number;
  release: 'auto' | 'command';
  grayPercentage: number | null;
  /** The gray steps the timer raises, null: none. */
  graySchedule: ShipGraySchedule | null;
  /** When the next gray step of a merchant is due; null: none waits for one. */
  nextGrayStepAt: number | null;
  /** Why it is paused (WeChat's reason, a rejected wave, or the operator's). */
  pause: { errcode: number | null; message: string; action: string } | null;
  targets: number;
  /** The highest wave opened so far (-1: none yet). */
  openWave: number;
  /** Merchants per stage, counted now. */
  counts: Record<string, number>;
  createdAt: number;
  updatedAt: number;
}

export interface ShipStatus {
  job: ShipJobSummary;
  /** One page of the merchants that stopped, in appid order. */
  problems: ShipProblem[];
  /** The same page of the merchants left in place with a reason (shown next to the problems). */
  notes: ShipNote[];
  /** The same page of the released (and releasing) merchants, with their percentage. */
  releases: ShipGrayState[];
  /** Pass as `offset` for the next page of problems, notes and releases; null once all three ended. */
  next: number | null;
}

/** What a command did: the merchants it moved, and those held by a run in progress (ask again). */
export interface ShipCommandResult {
  jobId: string;
  state: 'running' | 'paused' | 'done';
  moved: number;
  busy: number;
  /** More merchants than one command moves (200): send it again. */
  more: boolean;
}

export interface ShipAnswers {
  create: { jobId: string; targets: number };
  status: ShipStatus;
  pause: ShipCommandResult;
  resume: ShipCommandResult;
  release: ShipCommandResult;
  rollback: ShipCommandResult;
  retry: ShipCommandResult;
  values: { appid: string; keys: number };
  templates: { templates: ShipTemplateInUse[] };
}

/** Each operation with its input and its answer. */
export interface BrokerOps {
  token: { input: { appid: string }; output: IssuedToken };
  reportRejected: { input: { appid: string; accessToken: string; errcode: number }; output: { invalidated: boolean } };
  call: { input: ProxyRequest & { appid: string }; output: ProxyResponse };
  componentCall: { input: ProxyRequest; output: ProxyResponse };
  listAuthorizers: { input: { after?: string; limit?: number }; output: AuthorizerPage };
  ship: { input: ShipOpInput; output: ShipAnswers[ShipAction] };
}

export type BrokerOp = keyof BrokerOps;

/** The scope operation each broker operation needs. */
export const OP_SCOPE: { readonly [K in BrokerOp]: ScopeOperation } = {
  token: 'token',
  reportRejected: 'report',
  call: 'call',
  componentCall: 'component',
  listAuthorizers: 'list',
  ship: 'ship',
};

/**
 * Request bodies the broker takes (bytes after any base64 decoding). Over the signed-HTTP way in,
 * HTTP access itself refuses bigger ones before the function runs (see the README).
 */
export const BODY_LIMITS = { json: 64 * 1024, binary: 4 * 1024 * 1024 } as const;

export const BROKER_OPS: readonly BrokerOp[] = ['token', 'reportRejected', 'call', 'componentCall', 'listAuthorizers', 'ship'];

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
  /** + `/<action>` (POST, JSON body): release jobs, see ShipOpInput. */
  ship: '/broker/ship',
} as const;

export const SIGNATURE_HEADERS = {
  key: 'x-broker-key',
  timestamp: 'x-broker-timestamp',
  nonce: 'x-broker-nonce',
  signature: 'x-broker-signature',
} as const;

/** Set on every answer the broker itself produced over HTTP (so it cannot be taken for WeChat's). */
export const BROKER_ERROR_HEADER = 'x-broker-error';
