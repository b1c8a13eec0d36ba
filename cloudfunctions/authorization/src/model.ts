import type {
  ActionError,
  AuthChannel,
  AuthorizerChange,
  AuthorizerKind,
  AuthorizerStatus,
  AuthType,
  MiniProgramVersions,
  SessionStatus,
} from '../../../typings/api';
import type { BrokerErrorCode } from '../../../clients/broker-client/src/wire';
import type { ClaimFields } from './claims';
import type { OpenAudit, Prepared, ReleaseKind, ShipPlan, ShipReason, ShipStage } from './shipping/stages';

/** Documents of the collections (DESIGN.md "State"). Times are milliseconds since the epoch. */

/** Fields of a document that one holder at a time may claim (claims.ts, lease.ts). */
export type Leased = ClaimFields;

export interface UpstreamErrorNote {
  at: number;
  api: string;
  errcode: number;
  meaning: string;
  requestIp?: string;
}

export interface PlatformDoc extends Leased {
  _id: string;
  ticket: string | null;
  /** CreateTime of the kept ticket (0: none yet); an older push never replaces a newer ticket. */
  ticketCreatedAt: number;
  ticketReceivedAt: number | null;
  componentToken: string | null;
  componentTokenExpiresAt: number;
  lastUpstreamError: UpstreamErrorNote | null;
  /** When the last complete reconcile pass finished. */
  lastReconciledAt: number;
  /** When the timer last ran to its end: the health page shows a timer that never fires. */
  lastTimerRunAt?: number;
  /** The reconcile pass in progress (absent or null: none). */
  reconcileCheckpoint?: ReconcileCheckpoint | null;
}

/** Where a reconcile pass spread over several timer runs stands. */
export interface ReconcileCheckpoint {
  startedAt: number;
  /** 'list': walking WeChat's list; 'sweep': marking revoked those WeChat no longer lists. */
  phase: 'list' | 'sweep';
  /** Next offset in WeChat's authorizer list. */
  offset: number;
  /** Listed authorizers found (or recovered) as not revoked, to compare with the database's count. */
  listedUnrevoked: number;
  /** Sweep cursor: the last authorizer `_id` examined. */
  sweepAfter: string;
  restored: number;
  markedRevoked: number;
}

export interface SessionDoc {
  /** A hash of the pre_auth_code: safe to put in URLs and to hand to the page. */
  _id: string;
  preAuthCode: string;
  openid: string;
  channel: AuthChannel;
  authType: AuthType;
  bizAppid: string | null;
  categoryIds: number[];
  status: SessionStatus;
  authorizerAppid: string | null;
  failure: ActionError | null;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
}

export interface AuthorizerDoc {
  _id: string;
  /** The merchants whose signed sessions granted it since `ownersSince`. */
  owners: string[];
  /**
   * Owners are merchants who granted at or after this time: when an account is granted again
   * after a revocation (it may have changed hands), the owners so far are dropped and this becomes
   * the revocation's time, so a late binding of an earlier grant cannot bring them back either.
   * 0 or absent (records written before it existed) until the first such renewal.
   */
  ownersSince?: number;
  /** Each owner's newest grant (WeChat's time), so a late revocation removes exactly the earlier ones. */
  ownerGrants?: Record<string, number>;
  kind: AuthorizerKind;
  name: string;
  avatarUrl: string;
  principalName: string;
  userName: string;
  serviceTypeId: number | null;
  verifyTypeId: number | null;
  grantedSets: number[];
  status: AuthorizerStatus;
  history: AuthorizerChange[];
  authorizedAt: number;
  updatedAt: number;
  /** WeChat's time of the newest event applied: an older one never overrides it. */
  lastEventAt: number;
}

export interface AuthorizerTokenDoc extends Leased {
  _id: string;
  accessToken: string | null;
  expiresAt: number;
  refreshToken: string;
  updatedAt: number;
  /** Last use of the access token, noted at most every few minutes (absent: never used). */
  lastUsedAt?: number;
  /** WeChat refused the refresh token (the authorizer needs re-authorization); cleared by a good refresh. */
  rejected?: boolean;
  /** While rejected: no refresh is tried before this time (one probe per REAUTH_PROBE_SECONDS). */
  probeAfter?: number;
}

/**
 * The stored form of one authorization code's record (typed by stage in `authorizations/stages.ts`;
 * `repositories/authCodesRepository.ts` translates), keyed by the code's hash and claimed
 * (claims.ts) by whoever advances it. The code itself is kept only until it has been spent.
 * Records written before the `done` stage existed say `recorded` with `claimState: 'done'`.
 */
export interface AuthCodeDoc extends ClaimFields {
  _id: string;
  code: string | null;
  stage: 'received' | 'exchanging' | 'exchanged' | 'awaiting_appid' | 'recorded' | 'done' | 'failed';
  /** True once a signed push named this code; then the four fields after it are WeChat's. */
  signed: boolean;
  sessionId: string | null;
  authorizerAppid: string | null;
  eventAt: number;
  event: 'authorized' | 'updateauthorized';
  callbackSessionId: string | null;
  exchangeAttempts: number;
  exchanged: { authorizerAppid: string; grantedSets: number[] } | null;
  /** Settled records: what a signed push owes is done (or never owed). */
  bindingDone: boolean;
  error: ActionError | null;
  createdAt: number;
  expiresAt: number;
}

/** One per distinct push, claimed while it is processed (a dead processor is taken over). */
export interface PushLogDoc extends ClaimFields {
  /** A hash of the decrypted fields: a retry that WeChat re-encrypted carries the same one. */
  _id: string;
  infoType: string;
  receivedAt: number;
  processedAt: number | null;
  outcome: 'processing' | 'ok' | 'ignored' | 'failed';
  detail: string | null;
  authorizerAppid: string | null;
}

/** A counter for one key in one time window (limits.ts); deleted once the window is over. */
export interface RateLimitDoc {
  _id: string;
  count: number;
  expiresAt: number;
}

/** Counts per authorizer and message type for the admin page; never any content. */
export interface MessageStatDoc {
  _id: string;
  appid: string;
  /** MsgType, or `event.<Event>` for events. */
  type: string;
  count: number;
  forwardFailures: number;
  lastAt: number;
}

/**
 * What we know about WeChat's test accounts, in their own collection (never `authorizers` or
 * `authorizerTokens`): the last authorization event and the token api_query_auth gave for them.
 */
export interface ReleaseTestAccountDoc {
  _id: string;
  group: number;
  kind: string;
  lastEvent: string | null;
  lastEventAt: number | null;
  accessToken: string | null;
  accessTokenExpiresAt: number;
  refreshToken: string | null;
  updatedAt: number;
}

/** One row per authorizer (or the platform, for component calls) and API. */
export interface UsageDoc {
  _id: string;
  appid: string;
  api: string;
  calls: number;
  errors: number;
  lastErrcode: number;
  lastAt: number;
}

/** One row per caller and API (or operation, for token, list and report). */
export interface CallerUsageDoc {
  _id: string;
  /** `http:<key id>` or `function:<secret id>`. */
  caller: string;
  api: string;
  calls: number;
  /** Answered by WeChat with an errcode other than 0, or failed on the way. */
  errors: number;
  /** Refused by the broker (scope, input, the merchant's authorization …). */
  refused: number;
  /** WeChat's errcode, or the broker's refusal code, of the latest request. */
  lastOutcome: number | BrokerErrorCode;
  /** For a SCOPE_DENIED latest request: which part of the scope did not cover it (absent in older rows). */
  lastMissing?: ScopeMiss | null;
  lastAt: number;
}

/** What a refused request asked for that its caller's scope lacks: an operation, an API path or an appid. */
export interface ScopeMiss {
  part: 'operation' | 'api' | 'appid';
  value: string;
}

export interface LapseNoticeDoc {
  /** `<appid>:<lapse time>:<openid>`: one per lapse and owner. */
  _id: string;
  appid: string;
  openid: string;
  state: Extract<AuthorizerStatus, 'needs_reauth' | 'revoked'>;
  lapseAt: number;
  outcome: 'sending' | 'sent' | 'no_consent' | 'failed';
  /** WeChat's errCode when it failed. */
  errCode?: number;
  at: number;
}

/**
 * The QUERY_AUTH_CODE case (spec §11): WeChat wants an empty answer at once, then api_query_auth
 * and a customer-service message. In a cloud function the answer ends the run, so the work is a
 * durable job: recorded before answering, started by a second invocation of this function over
 * its own HTTP access (`…/release-jobs/<id>`), and finished by the timer if that call was lost.
 */
export interface ReleaseJobDoc extends Leased {
  /** sha256 of the code: WeChat's retries of the message find the same job; the id reveals nothing. */
  _id: string;
  appid: string;
  /** The sender (FromUserName), who gets the customer-service message. */
  touser: string;
  /** Kept only until the message is sent: its text is `<code>_from_api`. */
  code: string | null;
  state: 'pending' | 'done' | 'failed';
  exchanged: boolean;
  attempts: number;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/**
 * One ship item (issue 19): shipping a job's template to one merchant's mini-program, typed by
 * stage in `shipping/stages.ts` (`repositories/shipItemsRepository.ts` translates), keyed
 * `<job id>:<appid>` and claimed (claims.ts) by whoever advances it. Stored flat: each stage writes
 * its own fields and `stage`; fields of earlier stages are left as they were and read by no one.
 */
export interface ShipItemDoc extends ClaimFields {
  _id: string;
  jobId: string;
  appid: string;
  wave: number;
  /** The job's plan, copied at creation (template, version, ext_json template, release mode). */
  plan: ShipPlan;
  /** The merchant's values for the ext_json template, copied at creation. */
  values: Record<string, string>;
  createdAt: number;
  stage: ShipStage;
  /** The timer gives the item a turn from this time on (NEVER: it waits for an event or a command). */
  dueAt: number;
  /** preflight: the rendered ext_json. */
  extJson?: string | null;
  /** committing onwards: ext_json, first release or not, the audit category. */
  prepared?: Prepared | null;
  commitAttempts?: number;
  committedAt?: number | null;
  slotHeld?: boolean;
  submitAttempts?: number;
  /** submitted: the one open audit. */
  audit?: OpenAudit | null;
  /** submitted: when WeChat last said anything about the audit (the timer polls silent ones). */
  heardAt?: number | null;
  auditid?: number | null;
  release?: ReleaseKind | null;
  releaseAttempts?: number;
  releasedAt?: number | null;
  rollbackAttempts?: number;
  /** submitted: WeChat delayed the audit; releasing: a release refused for now; released: a rollback refused. */
  note?: ShipReason | null;
  /** rejected, skipped, failed: WeChat's errcode, plain Chinese, what to do. */
  reason?: ShipReason | null;
  screenshot?: string | null;
  /** rolled_back: when. */
  at?: number | null;
}

/** A ship job: one template version to many merchants, in waves, under the provider's quota. */
export interface ShipJobDoc {
  _id: string;
  plan: ShipPlan;
  /** Merchant appids, in wave order. */
  targets: string[];
  /** Merchants per wave, the canary first (e.g. [5, 50, 500]); the last size repeats. */
  waveSizes: number[];
  /** A wave whose audit rejections exceed this share (0–1) stops the job. */
  rejectionThreshold: number;
  /** Quota units `queryquota` must still show after the job's submissions. */
  quotaReserve: number;
  state: 'running' | 'paused' | 'done';
  /** Why the job is paused (85085, 86008 …), and when. */
  pause: ShipReason | null;
  pausedAt: number | null;
  /** The highest wave opened so far (-1: none yet). */
  openWave: number;
  /** Submissions still allowed before the next `queryquota` (left minus the reserve, at most the wave). */
  submitBudget: number;
  /** Items per stage when last counted. */
  counts: Partial<Record<ShipStage, number>>;
  createdAt: number;
  updatedAt: number;
}

/** The values a provider keeps for one merchant, filling each job's ext_json template. */
export interface MerchantShipValuesDoc {
  /** The merchant's appid. */
  _id: string;
  values: Record<string, string>;
  updatedAt: number;
}

/** What WeChat last said of one merchant mini-program's versions (the account page's 60 s cache). */
export interface MerchantVersionsDoc {
  /** The mini-program's appid. */
  _id: string;
  /** The answer as the page gets it (no token, no errmsg). */
  view: MiniProgramVersions;
  checkedAt: number;
}

/** The PC console (issue 20): a sign-in QR's ticket, by the SHA-256 of the ticket (never the ticket). */
export interface ConsoleTicketDoc {
  _id: string;
  /** SHA-256 of the pre-session cookie of the browser that asked: only it may collect the session. */
  bindingHash: string;
  state: 'pending' | 'scanned' | 'approved' | 'denied' | 'used';
  createdAt: number;
  /** Scanning and confirming must happen before; approving leaves the browser a short time to collect. */
  expiresAt: number;
  /** What the admin is shown before confirming: the asking browser and where it asked from. */
  userAgent: string;
  ip: string;
  scannedBy: string | null;
  scannedAt: number | null;
  decidedAt: number | null;
}

/** A signed-in console browser, by the SHA-256 of its cookie's value. */
export interface ConsoleSessionDoc {
  _id: string;
  openid: string;
  createdAt: number;
  /** Absolute end; `lastSeenAt` + the idle timeout ends it earlier. */
  expiresAt: number;
  lastSeenAt: number;
  /** The synchronizer token every change (POST) must carry. */
  csrf: string;
  revokedAt: number | null;
  userAgent: string;
  ip: string;
}

/** One change made from the console or the admin page: who, when, what, on what, and how it ended. */
export interface ConsoleAuditDoc {
  _id: string;
  at: number;
  openid: string;
  source: 'console' | 'miniprogram';
  action: string;
  target: string;
  /** `started` stays when the run ended before it could say (a crash, a timeout): outcome unknown. */
  outcome: 'started' | 'ok' | 'failed';
  /** The failure's plain message (never a secret: AppError messages only). */
  detail: string | null;
}
