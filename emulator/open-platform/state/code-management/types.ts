/**
 * Types of the emulated code management (spec code-management §1): how one mini-program's audit is
 * scripted, what the handle and the admin routes show of its version slots, and the audit events
 * sent. Exported to the emulator's users (the function's e2e tests drive the emulator with them).
 */
import type { MessageDelivery } from '../types';

/** What WeChat's review does with the next submissions of one mini-program (spec §1.5). */
export interface AuditScript {
  /** `never`: the audit stays in review (status 2) until undone. Default `success`. */
  outcome: 'success' | 'fail' | 'never';
  /** Emulated seconds from submit to the outcome. Default 600. */
  reviewSeconds: number;
  /** Rejection text (`<br>`-separated, as WeChat's). */
  failReason: string;
  /** `|`-separated media ids of the rejection screenshots; may be empty. */
  failScreenshot: string;
  /** Becomes 审核延后 (status 4, `weapp_audit_delay`) this many seconds after submit, before the outcome. */
  delay?: { afterSeconds: number; reason: string };
  /** Emulated seconds the privacy scan runs after each commit (61039 meanwhile). Default 60. */
  privacyScanSeconds: number;
  /** `get_code_privacy_info` once the scan is over; non-empty lists make `submit_audit` answer 61040. */
  privacy: { withoutAuthList: string[]; withoutConfList: string[] };
  /** Categories `get_category` lists; default: the account's fixture categories. */
  categories?: { first: string; second: string }[];
  /** Submits of this app answer this errcode (86002 profile, 86007 forbidden, 9402202 busy …). */
  submitErrcode?: number;
  /** After a speed-up the outcome comes at most this many seconds later. Default 7200. */
  speedupSeconds: number;
}

export type AuditScriptPatch = Partial<Omit<AuditScript, 'privacy' | 'delay' | 'categories' | 'submitErrcode'>> & {
  privacy?: Partial<AuditScript['privacy']>;
  /** null removes it (likewise for the two below). */
  delay?: AuditScript['delay'] | null;
  categories?: AuditScript['categories'] | null;
  submitErrcode?: number | null;
};

/** Audit status (spec §1.2): 0 approved, 1 rejected, 2 in review, 3 withdrawn, 4 delayed. */
export type AuditStatus = 0 | 1 | 2 | 3 | 4;

export type AuditEventName = 'weapp_audit_success' | 'weapp_audit_fail' | 'weapp_audit_delay';

/** The provider-wide audit quota (`queryquota`, spec §4.5): monthly, shared by every merchant. */
export interface AuditQuotaView {
  limit: number;
  rest: number;
  speedupLimit: number;
  speedupRest: number;
}

/** Provider-wide refusals of `submit_audit` (spec §4.6): 86008 all, 86009 never-released apps, 86010 updates. */
export type ProviderBlock = 86008 | 86009 | 86010;

/** A version as committed: the template, `ext_json` exactly as sent, and the pages it has. */
export interface CodeVersionView {
  templateId: number;
  extJson: string;
  userVersion: string;
  userDesc: string;
  /** Unix seconds. */
  commitTime: number;
  pages: string[];
}

export interface AuditView {
  auditid: number;
  status: AuditStatus;
  reason?: string;
  screenshot?: string;
  /** Unix seconds. */
  submitTime: number;
  version: CodeVersionView;
  spedUp: boolean;
}

export interface ReleasedVersionView extends CodeVersionView {
  appVersion: number;
  /** Unix seconds. */
  releaseTime: number;
  /** Online because of a `revertcoderelease` (a second revert is refused). */
  reverted: boolean;
}

export interface GrayPlanView {
  /** 0 初始, 1 执行中, 2 暂停中, 3 执行完毕, 4 被删除. */
  status: 0 | 1 | 2 | 3 | 4;
  percentage: number;
  /** Unix seconds. */
  createTime: number;
  supportDebugerFirst: boolean;
  supportExperiencerFirst: boolean;
  auditid: number;
}

/** One mini-program's slots as the handle and `GET /__emulator/code-management/apps/:appid` show them. */
export interface CodeAppView {
  appid: string;
  /** 体验版: the last commit. */
  trial?: CodeVersionView;
  /** Every audit of the app, oldest first; the last one is what get_latest_auditstatus shows. */
  audits: AuditView[];
  /** The last approved version, while it is not (fully) released. */
  approved?: { auditid: number; version: CodeVersionView };
  online?: ReleasedVersionView;
  /** Rollback targets, newest first (at most 5). */
  history: ReleasedVersionView[];
  grayPlan?: GrayPlanView;
  /** 1 normal, 0 paused by `change_visitstatus`. */
  visitStatus: 0 | 1;
  /** Accepted `commit` and `submit_audit` calls. */
  commits: number;
  submissions: number;
  undo: { today: number; thisMonth: number };
  script: AuditScript;
}

/** An audit result event WeChat sent (or meant to send) to the 消息与事件接收URL (spec §6). */
export interface AuditEventRecord {
  id: number;
  appid: string;
  /** Not in the event itself (spec §6.2): kept here so tests can tell which audit it was for. */
  auditid: number;
  event: AuditEventName;
  /** The decrypted XML's fields, in order. */
  fields: Record<string, string | number>;
  /** Emulated clock ms when it was sent. */
  at: number;
  /** The URL with `$APPID$` replaced; undefined when no message URL is set. */
  url?: string;
  /** One per copy sent; never retried (spec §6.3). */
  deliveries: MessageDelivery[];
  /** An injected fault lost it: never sent. */
  dropped?: boolean;
  /** An injected fault sent it twice. */
  duplicated?: boolean;
  /** Some copy was answered 2xx `success`. */
  delivered: boolean;
  /** Every copy is over. */
  finished: boolean;
}
