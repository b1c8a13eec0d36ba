/**
 * The state model's types, shared by every layer of the emulator and exported to its users.
 * Field names follow WeChat's where the value ends up in a WeChat payload. Nothing here imports
 * from the layers above (the emulator's own handle and options are in ../emulator.ts).
 */

/** The third-party platform ("component") the emulator plays WeChat for. */
export interface ComponentConfig {
  appId: string;
  appSecret: string;
  /** 消息校验Token */
  token: string;
  /** 43 characters from [A-Za-z0-9] */
  encodingAesKey: string;
  /** 授权事件接收URL: where pushes go (the cloud function's HTTP access URL). */
  authEventUrl?: string;
  /** 授权发起页域名, `host[:port]`; undefined turns the PC Referer / redirect_uri checks off. */
  initiationDomain?: string;
  /** Shown on the merchant pages; not part of any WeChat payload. */
  name?: string;
  /** 消息与事件接收URL, with `$APPID$` replaced by the account's appid on each message. */
  messageUrl?: string;
  /** 全网发布 done; false: only accounts on `testList` can authorize. Undefined counts as released. */
  released?: boolean;
  /** 授权测试公众号/小程序列表: 原始IDs (gh_…), at most 10. */
  testList?: string[];
}

/** One POST to the 消息与事件接收URL (shared/message-channel.ts). */
export interface MessageDelivery {
  url: string;
  /** Real ms until the answer (or the deadline). */
  ms: number;
  status?: number;
  body?: string;
  error?: string;
}

/** A customer-service message an authorizer's token sent (`/cgi-bin/message/custom/send`). */
export interface CustomMessageRecord {
  /** Real wall-clock ms. */
  at: number;
  authorizerAppid: string;
  touser: string;
  msgtype: string;
  content?: string;
}

/** One call of an API made with an authorizer's token, or of a component-level API (areas/authorizer, areas/templates). */
export interface AuthorizerApiCallRecord {
  path: string;
  method: string;
  /** The authorizer the token stood for (null: refused before that was known, or a component API). */
  appid: string | null;
  errcode: number;
  /** Emulated clock ms. */
  at: number;
}

/** What a fault rule can hit besides the component APIs. */
export type FaultTarget = 'push' | 'audit_event';

/** The component APIs the emulator serves under `/cgi-bin/component/`. */
export const API_NAMES = [
  'api_component_token',
  'api_start_push_ticket',
  'api_create_preauthcode',
  'api_query_auth',
  'api_authorizer_token',
  'api_get_authorizer_info',
  'api_get_authorizer_list',
] as const;
export type ApiName = (typeof API_NAMES)[number];

/**
 * What kind of account a fixture is. It decides which `auth_type` lists it, which marker
 * `api_get_authorizer_info` carries, and which permission sets it can grant.
 * Service vs subscription OA and mini-program vs mini-game are told apart by `serviceTypeId`.
 */
export type AccountKind = 'official_account' | 'mini_program' | 'channels' | 'store' | 'sales_assistant' | 'promoter';

export interface MiniProgramNetwork {
  RequestDomain: string[];
  WsRequestDomain: string[];
  UploadDomain: string[];
  DownloadDomain: string[];
  BizDomain: string[];
  UDPDomain: string[];
  TCPDomain: string[];
}

/** A merchant account that can authorize the platform. */
export interface TestAccount {
  appid: string;
  kind: AccountKind;
  /** `user_name`, the original id `gh_` + 12 hex. */
  userName: string;
  nickName: string;
  principalName: string;
  headImg: string;
  qrcodeUrl: string;
  alias: string;
  signature: string;
  /** `service_type_info.id`: OA 0/1 subscription, 2 service; MP 0 ordinary, 4 mini-game, ... */
  serviceTypeId: number;
  /** `verify_type_info.id`: -1 unverified, 0 WeChat-verified, ... */
  verifyTypeId: number;
  /** 1 normal; anything else (14, 16, 18, 19) keeps the account off the authorization pages. */
  accountStatus: number;
  /** Permission-set ids (spec §10) this account can grant. */
  grantableFuncIds: number[];
  /** Mini-programs and mini-games only. */
  miniProgram?: { network: MiniProgramNetwork; categories: { first: string; second: string }[] };
}

/** One attempt to deliver a push. */
export interface PushAttempt {
  /** Real wall-clock ms when the attempt started. */
  startedAt: number;
  /** Real ms the attempt took. */
  ms: number;
  status?: number;
  body?: string;
  error?: string;
  ok: boolean;
}

export type PushInfoType = 'component_verify_ticket' | 'authorized' | 'updateauthorized' | 'unauthorized';

/** A push WeChat sent (or tried to send) to the authorization-event URL. */
export interface PushRecord {
  id: number;
  infoType: PushInfoType;
  /** Decrypted payload fields, as placed in the XML. */
  fields: Record<string, string | number>;
  /** The decrypted payload XML. */
  plaintext: string;
  /** Target URL without the signature query; undefined when no authEventUrl was set. */
  url?: string;
  attempts: PushAttempt[];
  /** True once an attempt got 2xx + `success`. */
  delivered: boolean;
  /** A `push` fault dropped it: never sent. */
  dropped?: boolean;
  /** A `push` fault sent it twice. */
  duplicated?: boolean;
  /** Why it was not delivered (no URL, dropped, every attempt failed). */
  reason?: string;
  /** Every copy and every retry is over: nothing more will be sent for it. */
  finished?: boolean;
}

/** One call of a component API. */
export interface ApiCallRecord {
  api: ApiName;
  /** Emulated clock ms. */
  at: number;
  /** 0 on success. -1 for a dropped connection. */
  errcode: number;
  clientIp: string;
  /** Set when an injected fault shaped the answer. */
  fault?: 'errcode' | 'drop' | 'delay';
}

/**
 * An injected fault. `api: '*'` matches every component API (not pushes, not audit events).
 * For `push` (授权事件接收URL) and `audit_event` (the code-management events to the 消息与事件接收URL):
 * `drop` = not delivered at all, `duplicate` = delivered twice, `delayMs` = sent late.
 */
export interface FaultRule {
  api: ApiName | FaultTarget | '*';
  /** `audit_event` only: the rule hits this mini-program's events only (unset: every app's). */
  appid?: string;
  errcode?: number;
  delayMs?: number;
  /** Destroy the socket without answering (API) / do not deliver (push). */
  drop?: boolean;
  /** API only: handle the call (a code is spent, a token issued), then lose the answer. */
  dropReply?: boolean;
  /** Push only: deliver the same push twice. */
  duplicate?: boolean;
  /**
   * api_get_authorizer_list only: the page leaves out its first N items (as a list shifted by
   * revocations between two offset reads would); a number beyond the page empties it.
   */
  skipListed?: number;
  /** Fire on the next N matching calls, then disappear. Unset = until cleared. */
  times?: number;
  /** Probability 0..1 that a matching call is hit (seeded PRNG, see `faultSeed`). */
  rate?: number;
}

export interface FaultController {
  /** Adds a rule; returns its id. */
  inject(rule: FaultRule): string;
  /** Removes one rule, or all when no id is given. */
  clear(id?: string): void;
  list(): (FaultRule & { id: string })[];
}

export interface ConfirmInput {
  preAuthCode: string;
  authorizerAppid: string;
  /** Default: every set the account can grant (narrowed by `categoryIdList`). */
  funcIds?: number[];
  channel: 'plugin' | 'pc' | 'h5';
  /** PC/H5: where the merchant's browser goes next. */
  redirectUri?: string;
  /** When given, the account must be eligible for this auth_type / biz_appid. */
  authType?: number;
  bizAppid?: string;
  categoryIdList?: number[];
}

export interface ConfirmResult {
  authCode: string;
  push?: PushRecord;
  redirectUrl?: string;
}
