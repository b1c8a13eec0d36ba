import type { Decision as WorkflowDecision, RecordStep } from '../workflow/workflow';

/**
 * Shipping the provider's template to one merchant's mini-program (issue 19), in the house's
 * workflow shape (DESIGN: "Workflows"): one record per job × merchant appid, one type per stage,
 * the inputs that move it, the steps a move asks for and the questions it asks WeChat. No I/O
 * here: `transitions.ts` decides, `runner.ts` performs. WeChat's facts: spec code-management.md.
 */

/** A ship item's key: one per job and merchant appid. */
export const shipItemIdFor = (jobId: string, appid: string) => `${jobId}:${appid}`;

/** Far in the future: a record waiting for a command or an event is never due for the timer. */
export const NEVER = 8_640_000_000_000_000;

/** What the job ships, copied into every item when the job is created (it never changes). */
export interface ShipPlan {
  templateId: number;
  /** ≤ 64 characters; also how WeChat's audits and versions are recognised as this job's. */
  userVersion: string;
  userDesc: string;
  /** Notes for the reviewers (test account …). */
  versionDesc: string;
  /** A JSON object whose strings may hold `{{key}}` placeholders, filled from the merchant's values. */
  extJsonTemplate: Record<string, unknown>;
  /** After a successful audit: release at once, or wait for the job's command. */
  release: 'auto' | 'command';
  /** Gray release percentage (1–100) for apps that already have an online version; null: full release. */
  grayPercentage: number | null;
  /** Rising gray steps the timer takes by itself (the first is `grayPercentage`); absent: by command only. */
  graySchedule?: GraySchedule | null;
  /** Submit with `privacy_api_not_use`: the template really uses none of the APIs the scan flags. */
  privacyApiNotUse: boolean;
}

/**
 * Gray steps raised by the timer: each merchant's next step is due `intervalMs` after its last one.
 * 100 is `grayrelease` 100, which completes WeChat's plan: the version is online for everyone.
 */
export interface GraySchedule {
  /** Rising percentages, 1–100, at most MAX_GRAY_STEPS. */
  steps: number[];
  intervalMs: number;
}

export const MAX_GRAY_STEPS = 10;

/** One `item_list` entry of `submit_audit` (spec §4.1), from the merchant's configured categories. */
export interface AuditItem {
  first_class: string;
  second_class: string;
  third_class?: string;
  first_id: number;
  second_id: number;
  third_id?: number;
  address?: string;
  title?: string;
  tag?: string;
}

/** What preflight established and every later stage needs. */
export interface Prepared {
  /** The rendered `ext_json`, as WeChat wants it: a string. */
  extJson: string;
  /** No online version before this job: gray release is impossible (85079), and 86009 applies. */
  firstRelease: boolean;
  item: AuditItem;
}

/** Why an item stopped: WeChat's errcode (null: ours), plain Chinese, and what to do about it. */
export interface ShipReason {
  errcode: number | null;
  message: string;
  action: string;
}

/** Fields every stage has; written when the item is created and never by a stage write. */
export interface ShipItemBase {
  id: string;
  jobId: string;
  appid: string;
  /** The job's wave this merchant ships in (0: the canary). */
  wave: number;
  plan: ShipPlan;
  /** The provider's values for this merchant, filling the ext_json template. */
  values: Record<string, string>;
  createdAt: number;
  /** The timer gives the item a turn from this time on (NEVER: waits for an event or a command). */
  dueAt: number;
}

/** Waits for its wave. */
export type Queued = ShipItemBase & { stage: 'queued' };
/** ext_json rendered; readiness is being asked (reads only: safe to ask again). */
export type Preflight = ShipItemBase & { stage: 'preflight'; extJson: string };
/** A commit is counted and may be in flight (or died with its holder). */
export type Committing = ShipItemBase & { stage: 'committing'; prepared: Prepared; commitAttempts: number };
/** WeChat holds the trial version; its privacy scan may still run (61039). */
export type Committed = ShipItemBase & { stage: 'committed'; prepared: Prepared; committedAt: number };
/**
 * The privacy scan is clean: waits for a submission slot of the job's quota budget. `slotHeld`: a
 * slot was taken and WeChat refused the submission for a while (61039, 9402202): no second slot.
 */
export type Ready = ShipItemBase & { stage: 'ready'; prepared: Prepared; committedAt: number; slotHeld: boolean };
/** A submission is counted and may be in flight: never repeated before WeChat is asked. */
export type Submitting = ShipItemBase & {
  stage: 'submitting';
  prepared: Prepared;
  committedAt: number;
  submitAttempts: number;
};
/** The one open audit of the item. `lastEventAt`: CreateTime (ms) of the newest event applied. */
export type Submitted = ShipItemBase & {
  stage: 'submitted';
  prepared: Prepared;
  audit: OpenAudit;
  /** WeChat delayed the audit: shown in the job's status. */
  note: ShipReason | null;
};
export interface OpenAudit {
  auditid: number;
  submittedAt: number;
  delayed: boolean;
  lastEventAt: number;
  /** The newest event applied (a delay): a second one in the same second is a duplicate. */
  lastEvent: AuditEvent['event'] | null;
  /** When WeChat last told us anything about it (event or poll): the timer polls silent ones. */
  heardAt: number;
}
/** Approved; waits for the release (at once, or the job's command). */
export type AuditPassed = ShipItemBase & { stage: 'audit_passed'; prepared: Prepared; auditid: number };
/** A release (full, or gray at a percentage) is counted and may be in flight. */
export type Releasing = ShipItemBase & {
  stage: 'releasing';
  prepared: Prepared;
  auditid: number;
  release: ReleaseKind;
  releaseAttempts: number;
  /** WeChat refused it for now (85019, 85020 …): it is tried again; shown in the job's status. */
  note: ShipReason | null;
};
export type ReleaseKind = { mode: 'full' } | { mode: 'gray'; percentage: number };
/** Online (gray: for that share of users). Done for the job unless a command moves it on. */
export type Released = ShipItemBase & {
  stage: 'released';
  prepared: Prepared;
  auditid: number;
  release: ReleaseKind;
  releasedAt: number;
  /** A rollback WeChat refused (87012 …): the version stays online. */
  note: ShipReason | null;
};
/** A rollback is counted and may be in flight. */
export type RollingBack = ShipItemBase & {
  stage: 'rolling_back';
  prepared: Prepared;
  auditid: number;
  release: ReleaseKind;
  rollbackAttempts: number;
};
/** Settled: the previous online version serves again (or ours never went online). */
export type RolledBack = ShipItemBase & { stage: 'rolled_back'; auditid: number | null; at: number };
/** Settled: WeChat's reviewers refused the version (counts towards the wave's rejection rate). */
export type Rejected = ShipItemBase & { stage: 'rejected'; auditid: number; reason: ShipReason; screenshot: string | null };
/** Settled: this merchant cannot ship now (its own setup, a command); the reason says what to fix. */
export type Skipped = ShipItemBase & { stage: 'skipped'; reason: ShipReason };
/** Settled: something we got wrong, or WeChat kept refusing; the reason says what to do. */
export type Failed = ShipItemBase & { stage: 'failed'; reason: ShipReason };

export type ShipItem =
  | Queued
  | Preflight
  | Committing
  | Committed
  | Ready
  | Submitting
  | Submitted
  | AuditPassed
  | Releasing
  | Released
  | RollingBack
  | RolledBack
  | Rejected
  | Skipped
  | Failed;
export type ShipStage = ShipItem['stage'];

/** Every stage, in the order a merchant goes through them (counts and listings follow it). */
export const SHIP_STAGES: readonly ShipStage[] = [
  'queued',
  'preflight',
  'committing',
  'committed',
  'ready',
  'submitting',
  'submitted',
  'audit_passed',
  'releasing',
  'released',
  'rolling_back',
  'rolled_back',
  'rejected',
  'skipped',
  'failed',
];

/** Settled: no input moves these any more. */
export const SETTLED_STAGES: readonly ShipStage[] = ['rolled_back', 'rejected', 'skipped', 'failed'];
/** Waiting for the outside (an event, the poll's time, a command) or settled: a run ends here. */
export const RESTING_STAGES: readonly ShipStage[] = ['submitted', 'released', ...SETTLED_STAGES];

/** What WeChat says the latest audit of the app is (`get_latest_auditstatus`, spec §4.2). */
export interface AuditSnapshot {
  auditid: number;
  /** 0 approved, 1 rejected, 2 in review, 3 withdrawn, 4 delayed. */
  status: number;
  userVersion: string;
  /** WeChat's time of the submission, in ms. */
  submittedAt: number;
  reason: string | null;
  screenshot: string | null;
}

/** The readiness of one merchant, read before anything is written to its app. */
export interface Readiness {
  /** Permission set 18 (code management) is granted to us. */
  setGranted: boolean;
  /** The first category configured on the app (`get_category`); null: none (85008). */
  category: AuditItem | null;
  /** Privacy keys the code uses without a text in the privacy guide (spec §3.6). */
  privacyMissing: string[];
  latestAudit: AuditSnapshot | null;
  /** `getversioninfo.release_info.release_version`; null: never released. */
  onlineVersion: string | null;
}

/** The WeChat calls the machine makes (and the one slot of the job's budget it asks for). */
export type CallName =
  | 'preflight'
  | 'commit'
  | 'privacy_info'
  | 'submit_slot'
  | 'submit_audit'
  | 'latest_audit'
  | 'audit_status'
  | 'version_info'
  | 'release'
  | 'gray_release'
  | 'revert_code_release'
  | 'revert_gray_release';

/** An audit result pushed to the message URL (spec §6.2); no auditid: it speaks of the app's open audit. */
export interface AuditEvent {
  event: 'weapp_audit_success' | 'weapp_audit_fail' | 'weapp_audit_delay';
  /** CreateTime, in ms. */
  createdAt: number;
  reason: string | null;
  screenshot: string | null;
}

/**
 * Inputs. The holder's turn (the timer, the job's wave opening, an entry point), an audit event,
 * the job's commands, and WeChat's answers (or refusals) to the machine's own questions.
 */
export type ShipInput =
  | { kind: 'turn' }
  | { kind: 'audit_event'; event: AuditEvent }
  | { kind: 'release_command'; percentage: number | null }
  | { kind: 'rollback_command' }
  /** The job's retry: a failed item starts again from its readiness (WeChat's state is read first). */
  | { kind: 'retry_command' }
  | { kind: 'preflight_answered'; readiness: Readiness }
  | { kind: 'commit_answered' }
  | { kind: 'privacy_answered'; withoutAuth: string[]; withoutConf: string[] }
  | { kind: 'slot_answered'; granted: boolean }
  | { kind: 'submit_answered'; auditid: number }
  | { kind: 'latest_audit_answered'; audit: AuditSnapshot | null }
  | { kind: 'audit_status_answered'; status: number; reason: string | null; screenshot: string | null }
  | { kind: 'version_answered'; expVersion: string | null; onlineVersion: string | null }
  | { kind: 'release_answered' }
  | { kind: 'revert_answered' }
  /** WeChat answered the call with an errcode (never a transient failure: those are thrown). */
  | { kind: 'refused'; call: CallName; errcode: number };

/** What the machine asks; the answer is its next input. */
export type ShipQuestion =
  | { ask: 'preflight'; appid: string }
  | { ask: 'commit'; appid: string; templateId: number; extJson: string; userVersion: string; userDesc: string }
  | { ask: 'privacy_info'; appid: string }
  | { ask: 'submit_slot'; jobId: string }
  | { ask: 'submit_audit'; appid: string; itemList: AuditItem[]; versionDesc: string; privacyApiNotUse: boolean }
  | { ask: 'latest_audit'; appid: string }
  | { ask: 'audit_status'; appid: string; auditid: number }
  | { ask: 'version_info'; appid: string }
  | { ask: 'release'; appid: string }
  | { ask: 'gray_release'; appid: string; percentage: number }
  | { ask: 'revert_code_release'; appid: string }
  | { ask: 'revert_gray_release'; appid: string };

/** Steps that land outside the item's record. */
export type ShipEffect =
  /** A provider- or template-wide refusal (85085, 86008 …): the whole job stops, the item waits. */
  { do: 'pause_job'; jobId: string; reason: ShipReason } | { do: 'warn'; message: string; appid: string; errcode: number | null };

export type ShipStep = RecordStep<ShipItem> | ShipEffect;
export type ShipDecision = WorkflowDecision<ShipItem, ShipEffect, ShipQuestion>;
