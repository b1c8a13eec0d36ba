import {
  _default,
  array,
  boolean,
  coerce,
  gte,
  int,
  literal,
  lte,
  minLength,
  maxLength,
  optional,
  pipe,
  positive,
  record,
  refine,
  regex,
  string,
  strictObject,
  object,
  transform,
  union,
  url,
  enum as oneOf,
  type core,
} from 'zod/mini';
import { SCOPE_OPERATIONS, type BrokerScope } from '../../../clients/broker-client/src/wire';
import type { PermissionBundle } from '../../../typings/api';
import { LEGACY_SCOPE } from './broker/scope';
import type { LapseNoticeConfig } from './notices/lapseNotices';
import { OWN_MESSAGES, UNWORDED } from './zodMessages';

/**
 * The function's configuration, read once at cold start from its environment variables.
 * Secrets live only here and in the crypto keys derived from them; nothing else reads process.env.
 */
export interface Config {
  componentAppId: string;
  componentAppSecret: string;
  messageToken: string;
  encodingAesKey: string;
  previousEncodingAesKey?: string;
  /** The public base URL of this function's HTTP access, e.g. https://env-id.service.tcloudbase.com/wx */
  publicBaseUrl: string;
  adminOpenIds: string[];
  /** Permission sets the provider needs from every merchant (empty: whatever the merchant grants). */
  requiredCategoryIds: number[];
  bundles: PermissionBundle[];
  /** Who merchants are authorizing: shown on the home page (name, and a logo when given). */
  provider: { name: string; logoUrl: string };
  /** Why each required set is needed, in the merchant's words, by set id (PERMISSION_REASONS). */
  permissionReasons: Record<number, string>;
  /** The lapse notice's subscribe-message template and its fields; null when not configured. */
  lapseNotice: LapseNoticeConfig | null;
  /** Where the callback page's 返回小程序 leads (a URL Link or URL Scheme of the mini-program); '' = no button. */
  miniprogramLink: string;
  apiBaseUrl: string;
  /** Host of WeChat's PC authorization page and of its H5 page (the emulator stands in locally). */
  mpBaseUrl: string;
  openBaseUrl: string;
  apiTimeoutMs: number;
  /** Refresh a token when fewer than this many seconds remain. */
  refreshMarginSeconds: number;
  /** createAuthSession calls one merchant may make per minute (each costs a pre_auth_code). */
  sessionsPerMinute: number;
  /** createAuthSession calls of all merchants together per day. */
  sessionsPerDay: number;
  /** The provider's own message service, if any: merchants' messages are forwarded there (issue 11). */
  messageForwardUrl: string | null;
  messageForwardTimeoutMs: number;
  /** 授权测试公众号/小程序列表 (原始IDs) and whether 全网发布 is done, as set on the Open Platform. */
  releaseTestList: string[];
  platformReleased: boolean;
  /**
   * Also take a Timer-shaped event with an empty context as the timer: some report wx-server-sdk 4.0.2
   * gives timer runs `{}` (spec cloud-runtime §1, uncertain). Off by default: only SOURCE wx_trigger.
   */
  timerAcceptsEmptyContext: boolean;
  /**
   * The broker's callFunction way in: named secrets shared with the provider's other cloud
   * functions (BROKER_FUNCTION_SECRETS, and BROKER_SECRET as one named `BROKER_SECRET`); none: off.
   */
  brokerFunctionSecrets: BrokerCredential[];
  /** Named keys of the broker's signed-HTTP way in; several at once for rotation. */
  brokerClientKeys: BrokerCredential[];
  /** An authorization WeChat refused is tried again at most this often (a missed re-authorization). */
  reauthProbeMs: number;
  /** An authorizer used within this window is kept fresh by the timer; others refresh on use only. */
  tokenHotWindowMs: number;
  /** The timer refreshes a hot authorizer token with less than this left. */
  authorizerRefreshAheadMs: number;
  /** How long one timer run may work (well inside the function's timeout). */
  timerBudgetMs: number;
  /**
   * The local stack's stand-in for the admin's phone (the launcher's scan page), linked from the
   * console's sign-in page; null in a deployment: accepted only when PUBLIC_BASE_URL is loopback.
   */
  consoleLocalScannerUrl: string | null;
}

/** One caller of the broker: its name, its secret, and what it may do. */
export interface BrokerCredential {
  id: string;
  secret: string;
  revoked: boolean;
  scope: BrokerScope;
  /** Written without a scope: it gets LEGACY_SCOPE, and the health page warns. */
  legacyScope: boolean;
}

/** Defined with the mini-program, which checks the same version on its side. */
export { MIN_PLUGIN_VERSION } from '../../../miniprogram/shared/constants';

/** The variables whose values are secrets: never logged, and `npm run check` keeps them out of the package. */
export const SECRET_ENV_VARS = [
  'COMPONENT_APPSECRET',
  'COMPONENT_TOKEN',
  'ENCODING_AES_KEY',
  'PREVIOUS_ENCODING_AES_KEY',
  'BROKER_SECRET',
  'BROKER_CLIENT_KEYS',
  'BROKER_FUNCTION_SECRETS',
] as const;

/** The name BROKER_SECRET goes by among the function secrets. */
export const LEGACY_SECRET_ID = 'BROKER_SECRET';

/** Broker secrets are random strings of at least this many characters (e.g. `openssl rand -hex 32`). */
export const MIN_BROKER_SECRET_LENGTH = 32;

const APPID = /^wx[0-9a-zA-Z]{16}$/;
const AES_KEY = /^[A-Za-z0-9]{43}$/;

const idList = pipe(
  string().check(regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of permission-set ids, e.g. "1,15,18"')),
  transform((s: string) => s.split(',').map((x) => Number(x.trim()))),
);

const bundle = strictObject({
  id: string().check(regex(/^[a-z0-9_-]{1,32}$/, 'bundle id: 1–32 of a-z 0-9 _ -')),
  name: string().check(minLength(1), maxLength(40)),
  categoryIds: array(int().check(positive())).check(minLength(1)),
});

const jsonText = (shape: string) =>
  pipe(
    string(),
    transform((s: string, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: `must be JSON: ${shape}`, input: s });
        return [];
      }
    }),
  );

const bundleList = jsonText('[{"id","name","categoryIds"}]');

const reasonList = jsonText('{"<set id>":"<why>"}');
/** A subscribe-message template's field key, e.g. thing1, phrase2, time3. */
const templateField = string().check(regex(/^[a-z]+[0-9]{1,2}$/, 'fields must be template keys such as thing1'));
const reason = string().check(minLength(1), maxLength(60, 'each reason must be at most 60 characters'));

const brokerSecret = string().check(
  minLength(MIN_BROKER_SECRET_LENGTH, `must be at least ${MIN_BROKER_SECRET_LENGTH} random characters`),
);

/** `/`, `/wxa/` or `/cgi-bin/message/custom/send`: plain segments, no `.` or `..`. */
const apiPrefix = string().check(
  regex(/^\/(?:(?!\.\.?(?:\/|$))[A-Za-z0-9_.-]+\/?)*$/, 'scope apis: path prefixes such as /cgi-bin/message/ or /wxa/commit'),
);

const scope = strictObject({
  ops: array(oneOf(SCOPE_OPERATIONS, { error: `scope ops: any of ${SCOPE_OPERATIONS.join(', ')}` })),
  apis: optional(array(apiPrefix)),
  appids: optional(union([literal('*'), array(string().check(regex(APPID, 'scope appids: "*" or a list of appids')))])),
}).check(
  // A platform API acts for every merchant at once (a template deleted is deleted for all).
  refine((s) => !s.ops.includes('component') || s.appids === '*', 'a scope with the component operation must have appids "*"'),
  // A release job ships to every merchant it targets at once.
  refine((s) => !s.ops.includes('ship') || s.appids === '*', 'a scope with the ship operation must have appids "*"'),
);

const brokerCredential = strictObject({
  id: string().check(regex(/^[A-Za-z0-9_-]{1,32}$/, 'key id: 1–32 of A-Z a-z 0-9 _ -')),
  secret: brokerSecret,
  revoked: optional(boolean()),
  scope: optional(scope),
});

const credentialList = pipe(
  jsonText('[{"id","secret","revoked"?,"scope"?:{"ops","apis","appids"}}]'),
  array(brokerCredential).check(
    refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique'),
    refine((keys) => new Set(keys.map((k) => k.secret)).size === keys.length, 'secrets must be unique'),
  ),
);

/** 原始IDs as pasted from 开发资料: `;`- or `,`-separated, at most ten. */
const testList = pipe(
  string().check(
    regex(
      /^\s*gh_[0-9a-f]{12}(\s*[;,]\s*gh_[0-9a-f]{12}){0,9}\s*[;,]?\s*$/,
      'must be up to 10 原始IDs (gh_ + 12 hex), separated by ;',
    ),
  ),
  transform((s: string) =>
    s
      .split(/[;,]/)
      .map((x) => x.trim())
      .filter(Boolean),
  ),
);

const httpUrl = pipe(
  url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  transform((u: string) => u.replace(/\/+$/, '')),
);

const secretish = (rule: RegExp, message: string) => string({ error: 'is missing' }).check(regex(rule, message));

const schema = object({
  COMPONENT_APPID: secretish(APPID, 'must look like wx followed by 16 letters or digits'),
  COMPONENT_APPSECRET: string({ error: 'is missing' }).check(minLength(16, 'must be the platform AppSecret (32 characters)')),
  COMPONENT_TOKEN: secretish(/^[A-Za-z0-9]{3,32}$/, 'must be the 消息校验Token: 3–32 letters or digits'),
  ENCODING_AES_KEY: secretish(AES_KEY, 'must be the 43-character 消息加解密Key'),
  PREVIOUS_ENCODING_AES_KEY: optional(secretish(AES_KEY, 'must be the previous 43-character key')),
  PUBLIC_BASE_URL: httpUrl,
  ADMIN_OPENIDS: optional(string()),
  REQUIRED_CATEGORY_IDS: optional(idList),
  PERMISSION_BUNDLES: optional(pipe(bundleList, array(bundle))),
  PROVIDER_NAME: _default(string().check(minLength(1), maxLength(30, 'must be at most 30 characters')), '服务商'),
  // The mini-program's <image> and the pages' CSP load only https pictures.
  PROVIDER_LOGO_URL: optional(url({ protocol: /^https$/, error: 'must be an https URL' })),
  PERMISSION_REASONS: optional(
    pipe(
      reasonList,
      record(string(), reason).check(refine((r) => Object.keys(r).every((id) => /^\d+$/.test(id)), 'keys must be set ids')),
    ),
  ),
  LAPSE_NOTICE_TEMPLATE_ID: optional(
    string().check(regex(/^[A-Za-z0-9_-]{10,64}$/, 'must be the template ID from 订阅消息 → 我的模板')),
  ),
  LAPSE_NOTICE_FIELDS: _default(
    pipe(
      jsonText('{"account","state","time"}'),
      strictObject({ account: templateField, state: templateField, time: templateField }),
    ),
    { account: 'thing1', state: 'phrase2', time: 'time3' },
  ),
  MINIPROGRAM_LINK: optional(
    string().check(
      regex(
        /^(https:\/\/\S+|weixin:\/\/dl\/business\/\?\S+)$/,
        'must be an https URL Link or a weixin://dl/business/ URL Scheme',
      ),
    ),
  ),
  WX_API_BASE_URL: _default(httpUrl, 'https://api.weixin.qq.com'),
  WX_MP_BASE_URL: _default(httpUrl, 'https://mp.weixin.qq.com'),
  WX_OPEN_BASE_URL: _default(httpUrl, 'https://open.weixin.qq.com'),
  API_TIMEOUT_MS: _default(coerce.number().check(int(), gte(500), lte(20000)), 5000),
  TOKEN_REFRESH_MARGIN_SECONDS: _default(coerce.number().check(int(), gte(60), lte(3600)), 600),
  SESSIONS_PER_MINUTE: _default(coerce.number().check(int(), gte(1), lte(10_000)), 5),
  SESSIONS_PER_DAY: _default(coerce.number().check(int(), gte(1), lte(10_000_000)), 20_000),
  MESSAGE_FORWARD_URL: optional(httpUrl),
  // WeChat waits 5 s for the whole answer: the forward must leave room for decrypting and sealing.
  MESSAGE_FORWARD_TIMEOUT_MS: _default(coerce.number().check(int(), gte(200), lte(4000)), 3000),
  RELEASE_TEST_LIST: optional(testList),
  PLATFORM_RELEASED: _default(literal(['true', 'false'], { error: 'must be true or false' }), 'false'),
  TIMER_ACCEPTS_EMPTY_CONTEXT: _default(literal(['true', 'false'], { error: 'must be true or false' }), 'false'),
  BROKER_SECRET: optional(brokerSecret),
  BROKER_CLIENT_KEYS: optional(credentialList),
  BROKER_FUNCTION_SECRETS: optional(credentialList),
  REAUTH_PROBE_SECONDS: _default(coerce.number().check(int(), gte(60), lte(86_400)), 3600),
  TOKEN_HOT_WINDOW_HOURS: _default(coerce.number().check(int(), gte(1), lte(720)), 24),
  // The timer runs every 5 min: a hot token is refreshed at the last run before it would drop
  // under the one minute a caller is promised (plus a minute for a late trigger), not earlier:
  // each minute earlier costs calls.
  AUTHORIZER_REFRESH_AHEAD_SECONDS: _default(coerce.number().check(int(), gte(120), lte(3600)), 420),
  TIMER_BUDGET_SECONDS: _default(coerce.number().check(int(), gte(1), lte(60)), 8),
  CONSOLE_LOCAL_SCANNER_URL: optional(httpUrl),
});

/** Every variable the function reads, for deploy checklists (names only). */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The cloud function is not configured: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks every variable at once, so the error lists all that is missing or malformed. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present, OWN_MESSAGES);
  if (!parsed.success) {
    // Name the variable and the rule, never the value: some of them are secrets.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${describeIssue(i, present)}`));
  }
  const e = parsed.data;
  return {
    componentAppId: e.COMPONENT_APPID,
    componentAppSecret: e.COMPONENT_APPSECRET,
    messageToken: e.COMPONENT_TOKEN,
    encodingAesKey: e.ENCODING_AES_KEY,
    previousEncodingAesKey: e.PREVIOUS_ENCODING_AES_KEY,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    adminOpenIds: (e.ADMIN_OPENIDS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    requiredCategoryIds: e.REQUIRED_CATEGORY_IDS ?? [],
    bundles: e.PERMISSION_BUNDLES ?? [],
    provider: { name: e.PROVIDER_NAME.trim() || '服务商', logoUrl: e.PROVIDER_LOGO_URL ?? '' },
    miniprogramLink: e.MINIPROGRAM_LINK ?? '',
    lapseNotice: e.LAPSE_NOTICE_TEMPLATE_ID ? { templateId: e.LAPSE_NOTICE_TEMPLATE_ID, fields: e.LAPSE_NOTICE_FIELDS } : null,
    permissionReasons: Object.fromEntries(
      Object.entries(e.PERMISSION_REASONS ?? {}).map(([id, why]) => [Number(id), why.trim()]),
    ),
    apiBaseUrl: e.WX_API_BASE_URL,
    mpBaseUrl: e.WX_MP_BASE_URL,
    openBaseUrl: e.WX_OPEN_BASE_URL,
    apiTimeoutMs: e.API_TIMEOUT_MS,
    refreshMarginSeconds: e.TOKEN_REFRESH_MARGIN_SECONDS,
    sessionsPerMinute: e.SESSIONS_PER_MINUTE,
    sessionsPerDay: e.SESSIONS_PER_DAY,
    messageForwardUrl: e.MESSAGE_FORWARD_URL ?? null,
    messageForwardTimeoutMs: e.MESSAGE_FORWARD_TIMEOUT_MS,
    releaseTestList: e.RELEASE_TEST_LIST ?? [],
    platformReleased: e.PLATFORM_RELEASED === 'true',
    timerAcceptsEmptyContext: e.TIMER_ACCEPTS_EMPTY_CONTEXT === 'true',
    brokerFunctionSecrets: functionSecrets(e.BROKER_SECRET, e.BROKER_FUNCTION_SECRETS ?? []),
    brokerClientKeys: (e.BROKER_CLIENT_KEYS ?? []).map(credential),
    reauthProbeMs: e.REAUTH_PROBE_SECONDS * 1000,
    tokenHotWindowMs: e.TOKEN_HOT_WINDOW_HOURS * 3600_000,
    authorizerRefreshAheadMs: e.AUTHORIZER_REFRESH_AHEAD_SECONDS * 1000,
    timerBudgetMs: e.TIMER_BUDGET_SECONDS * 1000,
    consoleLocalScannerUrl: localScanner(e.CONSOLE_LOCAL_SCANNER_URL, e.PUBLIC_BASE_URL),
  };
}

const isLoopback = (url: string): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/** Only a stack on this machine may point its sign-in page at a local stand-in for the phone. */
function localScanner(scanner: string | undefined, publicBaseUrl: string): string | null {
  if (scanner === undefined) return null;
  if (!isLoopback(publicBaseUrl) || !isLoopback(scanner)) {
    throw new ConfigError([
      'CONSOLE_LOCAL_SCANNER_URL is for the local stack only: it and PUBLIC_BASE_URL must be loopback addresses',
    ]);
  }
  return scanner;
}

type CredentialInput = core.output<typeof brokerCredential>;

function credential(input: CredentialInput): BrokerCredential {
  const { id, secret, revoked, scope: given } = input;
  return {
    id,
    secret,
    revoked: revoked ?? false,
    scope: given ? { ops: given.ops, apis: given.apis ?? [], appids: given.appids ?? [] } : LEGACY_SCOPE,
    legacyScope: !given,
  };
}

/** BROKER_SECRET, today's single shared secret, is one more named secret with the legacy scope. */
function functionSecrets(legacy: string | undefined, named: CredentialInput[]): BrokerCredential[] {
  const all = named.map(credential);
  if (legacy === undefined) return all;
  if (all.some((c) => c.id === LEGACY_SECRET_ID || c.secret === legacy)) {
    throw new ConfigError([`BROKER_SECRET must differ from every BROKER_FUNCTION_SECRETS entry and its id ${LEGACY_SECRET_ID}`]);
  }
  return [...all, credential({ id: LEGACY_SECRET_ID, secret: legacy })];
}

function describeIssue(issue: core.$ZodIssue, present: Record<string, unknown>): string {
  if (!(String(issue.path[0]) in present)) return 'is missing';
  return issue.message === UNWORDED ? 'is malformed' : issue.message;
}
