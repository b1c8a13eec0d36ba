/**
 * The contract between the mini-program and the cloud function: action names, their inputs and
 * outputs, and the error shape. Types only, shared by both sides (no runtime code, no platform types).
 *
 * A call is `callFunction({ name: 'authorization', data: { action, payload } })`; the function
 * answers `ActionResult<action>`.
 */

/** Which accounts WeChat lists on the authorization page (spec §6.2; 7 is not defined). */
export type AuthType = 1 | 2 | 3 | 4 | 5 | 6 | 8;

/** How the merchant authorizes: the mini-program plugin, the PC QR page, or the H5 page in WeChat. */
export type AuthChannel = 'plugin' | 'pc' | 'h5';

export type AuthorizerKind =
  'official_account' | 'mini_program' | 'mini_game' | 'channels' | 'store' | 'sales_assistant' | 'supplier' | 'unknown';

export type AuthorizerStatus = 'active' | 'needs_reauth' | 'revoked';

export type SessionStatus = 'pending' | 'authorized' | 'expired' | 'failed';

export interface PermissionSet {
  id: number;
  name: string;
  /** Why the provider needs it (PERMISSION_REASONS), on sets the provider requires; absent otherwise. */
  reason?: string;
}

/** A named group of permission sets the provider asks merchants for. */
export interface PermissionBundle {
  id: string;
  name: string;
  categoryIds: number[];
}

export interface AuthorizerSummary {
  appid: string;
  kind: AuthorizerKind;
  name: string;
  avatarUrl: string;
  principalName: string;
  /** The original id (gh_…). */
  userName: string;
  status: AuthorizerStatus;
  grantedSets: PermissionSet[];
  /** Sets the provider needs that this account has not granted. */
  missingSets: PermissionSet[];
  /** Milliseconds since the epoch. */
  authorizedAt: number;
  updatedAt: number;
}

export type AuthorizerEvent = 'authorized' | 'updateauthorized' | 'unauthorized' | 'needs_reauth' | 'reconciled';

export interface AuthorizerChange {
  at: number;
  event: AuthorizerEvent;
  added: number[];
  removed: number[];
}

export interface AuthorizerDetail extends AuthorizerSummary {
  /** service_type_info.id as WeChat reports it. */
  serviceTypeId: number | null;
  verified: boolean;
  history: AuthorizerChange[];
  /** Names of the sets the history mentions (a removed set is neither granted nor missing). */
  historySets: PermissionSet[];
}

export interface PluginLaunch {
  platformAppID: string;
  preAuthCode: string;
  authType: AuthType;
  bizAppid?: string;
}

export interface CreateAuthSessionInput {
  authType: AuthType;
  channel: AuthChannel;
  /** Restrict to one account; its kind wins over authType. */
  bizAppid?: string;
  /** Explicit permission sets, or… */
  categoryIds?: number[];
  /** …one of the provider's bundles by id. */
  bundleId?: string;
}

export interface CreateAuthSessionOutput {
  sessionId: string;
  channel: AuthChannel;
  /** When the pre_auth_code (and so the link) stops working, ms since the epoch. */
  expiresAt: number;
  plugin?: PluginLaunch;
  /** PC: the entry page on the initiation domain, to open in a desktop browser. */
  pcEntryUrl?: string;
  /** H5: the link to open inside WeChat on a phone. */
  h5Url?: string;
}

export interface AuthSessionView {
  sessionId: string;
  channel: AuthChannel;
  status: SessionStatus;
  expiresAt: number;
  authorizer?: AuthorizerSummary;
  failure?: ActionError;
}

export interface AppConfigView {
  componentAppId: string;
  isAdmin: boolean;
  bundles: PermissionBundle[];
  /** The provider as configured (PROVIDER_NAME, PROVIDER_LOGO_URL; logoUrl '' when none). */
  provider: { name: string; logoUrl: string };
  /**
   * The lapse notice (LAPSE_NOTICE_TEMPLATE_ID): the template to ask consent for, and how many
   * notices the caller's consents still allow; null when the provider has not set it up.
   */
  lapseNotice: { templateId: string; credits: number } | null;
  requiredSets: PermissionSet[];
  /** The plugin version the app was built against must be at least this one. */
  minPluginVersion: string;
}

export interface AuthorizerFilter {
  kind?: AuthorizerKind;
  status?: AuthorizerStatus;
  offset?: number;
  limit?: number;
}

/** Accounts per stored status. */
export interface StatusCounts {
  active: number;
  needsReauth: number;
  revoked: number;
}

export interface PushFailureView {
  at: number;
  infoType: string;
  outcome: string;
  /** WeChat's errcode behind the failure, when it came from WeChat: the page words it. */
  errcode?: number;
}

export interface PlatformHealth {
  ok: boolean;
  ticket: { ok: boolean; receivedAt: number | null; ageSeconds: number | null };
  componentToken: { ok: boolean; expiresAt: number | null };
  /** The timer trigger's last complete run (every 5 minutes when it works). */
  timer: { ok: boolean; lastRunAt: number | null };
  authorizers: { total: number; active: number; needsReauth: number; revoked: number };
  needsAttention: AuthorizerSummary[];
  recentPushFailures: PushFailureView[];
  /** The last upstream configuration error (e.g. 61004 with the IP to whitelist). */
  lastUpstreamError: { at: number; errcode: number; meaning: string; requestIp?: string } | null;
  /** The broker's callers as configured; names of those without a scope (they may only list accounts). */
  broker: { httpKeys: number; functionSecrets: number; legacyScope: string[] };
}

/** What `setupDatabase` did: collections it created and those that were already there. */
export interface DatabaseSetupReport {
  created: string[];
  existing: string[];
}

export interface ReconcileReport {
  listed: number;
  restored: number;
  markedRevoked: number;
  /** The pass continues in the next timer runs (large platforms); the counts so far. */
  inProgress?: true;
}

/** Which release-test items a permission set of the platform makes WeChat run (spec §11). */
export interface ReleaseCaseView {
  setId: number;
  setName: string;
  kind: 'official_account' | 'mini_program';
  /** Among the sets this deployment is configured to need (REQUIRED_CATEGORY_IDS, PERMISSION_BUNDLES). */
  selected: boolean;
  items: string[];
}

export interface MessageCountView {
  appid: string;
  /** MsgType, or `event.<Event>`. */
  type: string;
  count: number;
  forwardFailures: number;
  lastAt: number;
  /** One of WeChat's release-test accounts. */
  releaseTest: boolean;
}

/** 全网发布: the platform's state as configured, and what WeChat's test did on our URLs. */
export interface ReleaseStatus {
  released: boolean;
  testList: { userName: string; authorizedAppid: string | null; name: string | null }[];
  /** Items every release test has, whatever the sets. */
  alwaysItems: string[];
  messageCases: ReleaseCaseView[];
  /** WeChat's test accounts seen on our URLs. */
  testAccounts: { appid: string; group: number; kind: string; lastEvent: string | null; lastEventAt: number | null }[];
  jobs: { pending: number; done: number; failed: number };
  messageForwarding: boolean;
  messages: MessageCountView[];
}

/** Every action: its input and its output. */
export interface Actions {
  getAppConfig: { input: Record<string, never>; output: AppConfigView };
  createAuthSession: { input: CreateAuthSessionInput; output: CreateAuthSessionOutput };
  getAuthSession: { input: { sessionId: string }; output: AuthSessionView };
  listMyAuthorizers: { input: Record<string, never>; output: { authorizers: AuthorizerSummary[] } };
  getAuthorizer: { input: { appid: string }; output: { authorizer: AuthorizerDetail } };
  /**
   * `counts`: accounts per status under the same kind filter, read with the page, so the counts
   * and the list under them agree (`total` is the count of the status filtered on).
   */
  listAuthorizers: {
    input: AuthorizerFilter;
    output: { total: number; authorizers: AuthorizerSummary[]; counts?: StatusCounts };
  };
  platformHealth: { input: Record<string, never>; output: PlatformHealth };
  reconcile: { input: Record<string, never>; output: ReconcileReport };
  /** Asks WeChat to restart the ticket push (api_start_push_ticket) when no ticket arrives. */
  startPushTicket: { input: Record<string, never>; output: { message: string } };
  /** Creates the database collections the function needs (run once after deploying; safe to repeat). */
  setupDatabase: { input: Record<string, never>; output: DatabaseSetupReport };
  /** 全网发布 status, the release-test items the sets trigger, message counts (issue 11). */
  releaseStatus: { input: Record<string, never>; output: ReleaseStatus };
  /** Admin: the broker's calls for this authorizer, per WeChat API. */
  authorizerUsage: { input: { appid: string }; output: { usage: ApiUsage[] } };
  /** Admin: fetches the account's basic info live through the broker, to prove its token works. */
  testAuthorizerCall: { input: { appid: string }; output: TestCallReport };
  /** Admin: the broker's callers (keys and function secrets, never a secret), their scopes and usage. */
  brokerCallers: { input: Record<string, never>; output: { callers: BrokerCallerView[] } };
  /** Admin: the release jobs, newest first (issue 19). */
  shipJobs: { input: { offset?: number; limit?: number }; output: { jobs: ShipJobView[] } };
  /** Admin: one job, its merchants per stage, and a page of the ones that stopped with why and what to do. */
  shipJobStatus: { input: { jobId: string; offset?: number }; output: ShipJobStatusView };
  /** Admin: a command to a job (the same as the broker's `ship` operation). */
  shipJobCommand: { input: ShipJobCommandInput; output: ShipCommandView };
  /** What wx.requestSubscribeMessage answered for the lapse notice; the notices still allowed. */
  subscribeLapseNotice: { input: { result: 'accept' | 'reject' | 'ban' | 'filter' }; output: { credits: number } };
  /**
   * The merchant's own mini-program (or any, for an admin): its versions as WeChat reports them,
   * the latest audit and who must fix a rejection, and what the provider's shipping knows (issue 19).
   */
  getMiniProgramVersions: { input: { appid: string }; output: MiniProgramVersions };
  /** Admin: a scanned console sign-in QR: which browser asks, from where, when (issue 20). */
  consoleSignInPreview: { input: { ticket: string }; output: ConsoleSignInPreview };
  /** Admin: lets that browser in (approve) or turns it away; once per ticket. */
  consoleSignInConfirm: { input: { ticket: string; approve: boolean }; output: { approved: boolean } };
}

/** What the admin's phone shows before a console sign-in is confirmed. */
export interface ConsoleSignInPreview {
  /** e.g. "Chrome 143 · Windows". */
  browser: string;
  userAgent: string;
  /** Where the request came from, as the HTTP gateway reports it ('未知' when it does not). */
  ip: string;
  requestedAt: number;
  expiresAt: number;
}

/** A release job as the admin page shows it. */
export interface ShipJobView {
  jobId: string;
  state: 'running' | 'paused' | 'done';
  userVersion: string;
  templateId: number;
  release: 'auto' | 'command';
  grayPercentage: number | null;
  /** Why it is paused: WeChat's errcode (null: ours or the operator's), plain Chinese, what to do. */
  pause: { errcode: number | null; message: string; action: string } | null;
  targets: number;
  openWave: number;
  /** Merchants per stage (queued, submitted, audit_passed, released, failed …). */
  counts: Record<string, number>;
  createdAt: number;
  updatedAt: number;
  /**
   * The gray steps the timer raises (null: none), and when the next one of a merchant is due
   * (always sent; optional for older views).
   */
  graySchedule?: { steps: number[]; intervalMinutes: number } | null;
  nextGrayStepAt?: number | null;
}

export interface ShipJobStatusView {
  job: ShipJobView;
  problems: {
    appid: string;
    stage: 'failed' | 'rejected' | 'skipped';
    errcode: number | null;
    message: string;
    action: string;
  }[];
  /** Merchants left in place with a reason (a delayed audit, a refused release or rollback). */
  notes?: {
    appid: string;
    stage: 'submitted' | 'releasing' | 'released';
    errcode: number | null;
    message: string;
    action: string;
  }[];
  /** Released (or releasing) merchants with their share of users and their next gray step. */
  releases?: { appid: string; stage: 'releasing' | 'released'; percentage: number; nextStepAt: number | null }[];
  next: number | null;
  /** The admin page's look ahead: quota needed and left, the next wave. */
  outlook: ShipJobOutlook;
}

/** A job's road ahead, for the admin page. */
export interface ShipJobOutlook {
  /** Merchants not yet submitted: each will spend one unit of the provider's monthly audit quota. */
  quotaNeeded: number;
  /** `queryquota` now (provider-wide); null when the job needs none or WeChat could not be asked. */
  quota: { rest: number; limit: number } | null;
  /** Units the job leaves untouched for other work. */
  reserve: number;
  /** Submissions the open wave may still spend. */
  submitBudget: number;
  /** How many waves the job's merchants make (the first is the canary). */
  waves: number;
  /** The next wave (0-based index) and its merchants; null when the last wave is open. */
  nextWave: { index: number; merchants: number } | null;
  /** A wave whose share of rejected audits passes this (0–1) pauses the job. */
  rejectionThreshold: number;
}

export type ShipJobCommandInput =
  | { jobId: string; action: 'pause'; reason: string }
  | { jobId: string; action: 'resume' }
  | { jobId: string; action: 'release'; appid?: string; percentage?: number | null }
  | { jobId: string; action: 'rollback' | 'retry'; appid?: string };

export interface ShipCommandView {
  jobId: string;
  state: 'running' | 'paused' | 'done';
  /** Merchants the command moved; `busy`: held by a run in progress (send it again); `more`: over one batch. */
  moved: number;
  busy: number;
  more: boolean;
}

/** One caller of the broker as the admin page shows it. */
export interface BrokerCallerView {
  /** `http`: a key of BROKER_CLIENT_KEYS; `function`: a secret of BROKER_FUNCTION_SECRETS (or BROKER_SECRET). */
  way: 'http' | 'function';
  id: string;
  revoked: boolean;
  /** Configured without a scope: it may only list accounts until it is given one. */
  legacyScope: boolean;
  scope: { ops: string[]; apis: string[]; appids: '*' | string[] };
  totals: { calls: number; errors: number; refused: number; lastAt: number | null };
  /** Per API (or operation), most recent first, at most 100. */
  usage: CallerApiUsage[];
}

export interface CallerApiUsage {
  api: string;
  calls: number;
  errors: number;
  refused: number;
  /** WeChat's errcode, or the broker's refusal code, of the latest request. */
  lastOutcome: number | string;
  /** When the latest request was refused for its scope: the part missing and what it asked for. */
  lastMissing?: { part: 'operation' | 'api' | 'appid'; value: string } | null;
  lastAt: number;
}

/** Calls the broker made to one WeChat API for one authorizer. */
export interface ApiUsage {
  api: string;
  calls: number;
  errors: number;
  /** WeChat's errcode of the latest call (0: success, -1: no answer). */
  lastErrcode: number;
  lastAt: number;
}

export interface TestCallReport {
  ok: boolean;
  /** WeChat's errcode (0 on success). */
  errcode: number;
  /** Plain Chinese: what happened and, on failure, what to do. */
  message: string;
  /** From /cgi-bin/account/getaccountbasicinfo on success. */
  nickname?: string;
  principalName?: string;
}

/** One version slot of a mini-program (online or trial), as `getversioninfo` reports it. */
export interface VersionSlot {
  version: string;
  description: string;
  /** ms since the epoch; null when WeChat gave no time. */
  at: number | null;
}

/** Audit status (spec §1.2), by name. */
export type AuditState = 'approved' | 'rejected' | 'reviewing' | 'withdrawn' | 'delayed';

/** What the merchant is told about a refused audit or a shipment that stopped for them. */
export interface VersionAdvice {
  /** `merchant`: only they can fix it (category, privacy, name …); `provider`: the provider handles it. */
  fixer: 'merchant' | 'provider';
  /** Plain Chinese: what went wrong. */
  message: string;
  /** Plain Chinese: what to do (where in 小程序后台), or that the provider handles it. */
  action: string;
}

/** `getMiniProgramVersions`: never an error for WeChat's refusals; `availability` says why nothing is shown. */
export interface MiniProgramVersions {
  appid: string;
  /**
   * `ok`: read from WeChat; `missing_set`: code management (set 18) not granted; `not_mini_program`;
   * `reauthorize`: WeChat no longer accepts the authorization; `unreachable`: WeChat did not answer or refused the read.
   */
  availability: 'ok' | 'missing_set' | 'not_mini_program' | 'reauthorize' | 'unreachable';
  /** Plain Chinese when not `ok`: what it means and what to do. */
  notice: string | null;
  live: VersionSlot | null;
  trial: VersionSlot | null;
  /** The latest audit (`get_latest_auditstatus`); null when the app never had one. */
  audit: {
    version: string;
    submittedAt: number;
    state: AuditState;
    /** WeChat's reviewer text, `<br>` made into separators; null when none. */
    reason: string | null;
  } | null;
  /** When the latest audit was refused, or the provider's shipment stopped for this app: who fixes it and how. */
  advice: VersionAdvice | null;
  /** The provider's newest shipment to this app: the job, the version and where it stands. */
  shipment: { jobId: string; version: string; stage: string; startedAt: number } | null;
  /** When WeChat was read (answers come from a short cache: tapping refresh costs no call). */
  checkedAt: number;
}

export type ActionName = keyof Actions;

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_ACTION'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'NOT_READY'
  | 'RATE_LIMITED'
  | 'UPSTREAM'
  | 'CONFIGURATION'
  | 'INTERNAL'
  /** The thing was already done (a console sign-in confirmed twice). */
  | 'CONFLICT';

export interface ActionError {
  code: ErrorCode;
  /** Plain Chinese, fit to show a merchant. */
  message: string;
}

export interface ActionRequest<A extends ActionName = ActionName> {
  action: A;
  payload?: Actions[A]['input'];
}

export type ActionResult<A extends ActionName> = { ok: true; data: Actions[A]['output'] } | { ok: false; error: ActionError };

/** The cloud function's name. */
export type FunctionName = 'authorization';
