import { renderExtJson } from './extJson';
import { classify, type Classified } from './refusals';
import {
  NEVER,
  type AuditEvent,
  type AuditPassed,
  type AuditSnapshot,
  type CallName,
  type Committed,
  type Committing,
  type Preflight,
  type Prepared,
  type Readiness,
  type Ready,
  type ReleaseKind,
  type Released,
  type Releasing,
  type RollingBack,
  type ShipDecision,
  type ShipInput,
  type ShipItem,
  type ShipItemBase,
  type ShipPlan,
  type ShipQuestion,
  type ShipReason,
  type ShipStep,
  type Submitted,
  type Submitting,
} from './stages';

/**
 * One merchant's shipment as one pure function: from the item, an input and the time, the steps
 * to perform (writes of the item, effects on the job) and the question to ask WeChat next.
 * `transitionTable.ts` lists every row in words; each row is a unit test. The crash story: every
 * WeChat write (commit, submit, release, revert) is counted in the item before it is sent, and a
 * counted one is never sent again before WeChat is asked whether the last one landed.
 */
export function decide(item: ShipItem, input: ShipInput, now: number): ShipDecision {
  switch (input.kind) {
    case 'turn':
      return item.dueAt > now ? NOTHING : onTurn(item, now);
    case 'audit_event':
      return item.stage === 'submitted' ? onEvent(item, input.event, now) : NOTHING;
    case 'release_command':
      return onReleaseCommand(item, input.percentage, now);
    case 'rollback_command':
      return onRollbackCommand(item, now);
    case 'retry_command':
      return item.stage === 'failed' ? retry(item, now) : NOTHING;
    case 'refused':
      return onRefused(item, input.call, input.errcode, now);
    default:
      return onAnswer(item, input, now);
  }
}

/** How long the item waits before the same call again, or before asking again. */
export const WAIT = {
  /** WeChat asks for about a minute after a commit before the privacy scan answers (spec §3.4). */
  scanMs: 60_000,
  retryMs: 5 * 60_000,
  /** A silent audit is polled this often (spec §6.3: 15–60 min). */
  pollMs: 30 * 60_000,
  /** The job's budget has no slot left: the next wave or quota brings more. */
  slotMs: 10 * 60_000,
  /** The job is paused: the timer leaves a paused job's items alone anyway. */
  pausedMs: 30 * 60_000,
} as const;

/** Sends of one WeChat write, lost replies included, before the item fails with WeChat's reason. */
export const MAX_ATTEMPTS = 3;

/** WeChat's clock and ours differ: an audit or event this much before our submission is still ours. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const REASONS = {
  notGranted: { errcode: 61007, message: '商家未授予“开发管理”权限集', action: '请商家重新授权并勾选开发管理权限' },
  noCategory: { errcode: 85008, message: '小程序没有可用于提审的类目', action: '请商家在小程序后台补充服务类目' },
  alreadyOnline: { errcode: null, message: '该版本已是线上版本', action: '无需处理' },
  withdrawn: { errcode: null, message: '审核已在任务外被撤回', action: '如需发布请重新创建任务' },
  stopped: { errcode: null, message: '任务已回退，该商家未发布新版本', action: '无需处理' },
} as const satisfies Record<string, ShipReason>;

export const reasonFor = {
  missingValues: (keys: string[]): ShipReason => ({
    errcode: null,
    message: `缺少商家配置项：${keys.join('、')}`,
    action: '补充该商家的配置后重新发布',
  }),
  otherAudit: (version: string): ShipReason => ({
    errcode: 85009,
    message: `小程序已有审核中的版本（${version}）`,
    action: '等该审核结束后重新发布',
  }),
  privacyGuide: (keys: string[]): ShipReason => ({
    errcode: null,
    message: `隐私保护指引缺少说明：${keys.join('、')}`,
    action: '为这些隐私项补充说明后重新发布',
  }),
  privacyScan: (apis: string[]): ShipReason => ({
    errcode: 61040,
    message: `代码使用了未声明或未获权限的隐私接口：${apis.join('、')}`,
    action: '在 requiredPrivateInfos 中声明并申请接口，或确认未使用后以 privacy_api_not_use 提审',
  }),
  rejected: (text: string | null): ShipReason => ({
    errcode: null,
    message: `审核未通过：${(text ?? '').replace(/<br\s*\/?>/gi, '；') || '微信未给出原因'}`,
    action: '按审核意见修改后重新提审',
  }),
  gaveUp: (what: string): ShipReason => ({
    errcode: null,
    message: `${what}多次未成功`,
    action: '请开发人员检查后重新发布',
  }),
  auditDelayed: (text: string | null): ShipReason => ({
    errcode: null,
    message: `微信审核延期${text ? `：${text}` : ''}`,
    action: '无需处理，等待微信的审核结果',
  }),
  /** WeChat refused the release for now (85019, 85020, 85080): it is sent again after a wait. */
  releaseWaiting: (refusal: ShipReason): ShipReason => ({
    errcode: refusal.errcode,
    message: `发布暂未成功：${refusal.message}`,
    action: '稍后自动重试；如一直如此，请在小程序后台核对审核和发布状态',
  }),
};

const NOTHING: ShipDecision = { steps: [] };

/** The holder's turn: what the stage asks for next. */
function onTurn(item: ShipItem, now: number): ShipDecision {
  switch (item.stage) {
    case 'queued':
      return render(item, now);
    case 'preflight':
      return ask({ ask: 'preflight', appid: item.appid });
    case 'committing':
      // A commit may have landed: its trial version tells.
      return ask({ ask: 'version_info', appid: item.appid });
    case 'committed':
      return ask({ ask: 'privacy_info', appid: item.appid });
    case 'ready':
      return item.slotHeld ? submit(item, 1, now) : ask({ ask: 'submit_slot', jobId: item.jobId });
    case 'submitting':
      // A submission may have landed: never a second one before WeChat shows none for this version.
      return ask({ ask: 'latest_audit', appid: item.appid });
    case 'submitted':
      return ask({ ask: 'audit_status', appid: item.appid, auditid: item.audit.auditid });
    case 'audit_passed':
      return item.plan.release === 'auto' ? release(item, defaultRelease(item), 1, now) : NOTHING;
    case 'releasing':
      return resumeRelease(item, now);
    case 'rolling_back':
      return resumeRollback(item, now);
    case 'released':
      return grayStep(item, now);
    default:
      return NOTHING;
  }
}

function onAnswer(item: ShipItem, input: ShipInput, now: number): ShipDecision {
  switch (input.kind) {
    case 'preflight_answered':
      return item.stage === 'preflight' ? afterPreflight(item, input.readiness, now) : NOTHING;
    case 'commit_answered':
      return item.stage === 'committing' ? committed(item, now) : NOTHING;
    case 'privacy_answered':
      return item.stage === 'committed' ? afterPrivacy(item, [...input.withoutAuth, ...input.withoutConf], now) : NOTHING;
    case 'slot_answered':
      if (item.stage !== 'ready') return NOTHING;
      return input.granted ? submit(item, 1, now) : write({ ...item, dueAt: now + WAIT.slotMs });
    case 'submit_answered':
      return item.stage === 'submitting' ? opened(item, input.auditid, now, now, false) : NOTHING;
    case 'latest_audit_answered':
      return item.stage === 'submitting' ? reconcileSubmission(item, input.audit, now) : NOTHING;
    default:
      return onAuditAnswer(item, input, now);
  }
}

/** Answers about the audit and the versions WeChat holds, and to release and revert. */
function onAuditAnswer(item: ShipItem, input: ShipInput, now: number): ShipDecision {
  switch (input.kind) {
    case 'audit_status_answered':
      return item.stage === 'submitted' ? auditStatus(item, input.status, input.reason, input.screenshot, now) : NOTHING;
    case 'version_answered':
      return afterVersion(item, input.expVersion, input.onlineVersion, now);
    case 'release_answered':
      return item.stage === 'releasing' ? released(item, now) : NOTHING;
    case 'revert_answered':
      return item.stage === 'rolling_back' ? rolledBack(item, now) : NOTHING;
    default:
      return NOTHING;
  }
}

/** queued → preflight: the ext_json is rendered first, so a merchant without its values costs no call. */
function render(item: ShipItem, now: number): ShipDecision {
  const rendered = renderExtJson(item.plan.extJsonTemplate, item.values, item.appid);
  if (!rendered.ok) return settle(item, 'skipped', reasonFor.missingValues(rendered.missing));
  const next: Preflight = { ...base(item), stage: 'preflight', extJson: rendered.extJson, dueAt: now };
  return { steps: [{ do: 'write', record: next }], ask: { ask: 'preflight', appid: item.appid } };
}

/** Readiness decides before anything is written to the merchant's app. */
function afterPreflight(item: Preflight, ready: Readiness, now: number): ShipDecision {
  const open = ready.latestAudit && (ready.latestAudit.status === 2 || ready.latestAudit.status === 4);
  if (!ready.setGranted) return settle(item, 'skipped', REASONS.notGranted);
  // Never commit over an open audit (spec §1.3): what it reviews may change.
  if (open && ready.latestAudit) return settle(item, 'skipped', reasonFor.otherAudit(ready.latestAudit.userVersion));
  if (!ready.category) return settle(item, 'skipped', REASONS.noCategory);
  if (ready.privacyMissing.length > 0) return settle(item, 'skipped', reasonFor.privacyGuide(ready.privacyMissing));
  if (ready.onlineVersion === item.plan.userVersion) return settle(item, 'skipped', REASONS.alreadyOnline);
  const prepared: Prepared = { extJson: item.extJson, firstRelease: ready.onlineVersion === null, item: ready.category };
  return commit(item, prepared, 1, now);
}

/** Counted before it is sent: a holder that dies with it in flight leaves a record that says so. */
function commit(item: ShipItem, prepared: Prepared, attempts: number, now: number): ShipDecision {
  if (attempts > MAX_ATTEMPTS) return settle(item, 'failed', reasonFor.gaveUp('上传代码'));
  const next: Committing = { ...base(item), stage: 'committing', prepared, commitAttempts: attempts, dueAt: now };
  const { templateId, userVersion, userDesc } = item.plan;
  return {
    steps: [{ do: 'write', record: next }],
    ask: { ask: 'commit', appid: item.appid, templateId, extJson: prepared.extJson, userVersion, userDesc },
  };
}

/** The privacy scan the commit started takes about a minute: asked then, not at once. */
function committed(item: Committing, now: number): ShipDecision {
  const next: Committed = {
    ...base(item),
    stage: 'committed',
    prepared: item.prepared,
    committedAt: now,
    dueAt: now + WAIT.scanMs,
  };
  return write(next);
}

function afterPrivacy(item: Committed, flagged: string[], now: number): ShipDecision {
  if (flagged.length > 0 && !item.plan.privacyApiNotUse) return settle(item, 'skipped', reasonFor.privacyScan(flagged));
  return write(toReady(item, false, now));
}

/** Counted before it is sent: one accepted submission spends one unit of the provider's monthly quota. */
function submit(item: Ready | Submitting, attempts: number, now: number): ShipDecision {
  if (attempts > MAX_ATTEMPTS) return settle(item, 'failed', reasonFor.gaveUp('提交审核'));
  const { prepared, committedAt } = item;
  const next: Submitting = { ...base(item), stage: 'submitting', prepared, committedAt, submitAttempts: attempts, dueAt: now };
  const { versionDesc, privacyApiNotUse } = item.plan;
  return {
    steps: [{ do: 'write', record: next }],
    ask: { ask: 'submit_audit', appid: item.appid, itemList: [prepared.item], versionDesc, privacyApiNotUse },
  };
}

/** The audit WeChat opened for this item: the one audit its events speak of. */
function opened(item: Submitting, auditid: number, submittedAt: number, now: number, delayed: boolean): ShipDecision {
  const audit = { auditid, submittedAt, delayed, lastEventAt: 0, lastEvent: null, heardAt: now };
  const note = delayed ? reasonFor.auditDelayed(null) : null;
  const next: Submitted = { ...base(item), stage: 'submitted', prepared: item.prepared, audit, note, dueAt: now + WAIT.pollMs };
  return write(next);
}

/**
 * After a crash, a lost reply or 85009: WeChat's latest audit tells whether our submission landed.
 * Ours is this version, submitted after our commit; only when there is none is it sent again.
 */
function reconcileSubmission(item: Submitting, latest: AuditSnapshot | null, now: number): ShipDecision {
  const ours =
    latest !== null &&
    latest.userVersion === item.plan.userVersion &&
    latest.submittedAt >= item.committedAt - CLOCK_SKEW_MS &&
    latest.status !== 3;
  if (ours) {
    if (latest.status === 0) return passed(item, latest.auditid, now);
    if (latest.status === 1) return rejected(item, latest.auditid, latest.reason, latest.screenshot);
    return opened(item, latest.auditid, latest.submittedAt, now, latest.status === 4);
  }
  if (latest && (latest.status === 2 || latest.status === 4))
    return settle(item, 'skipped', reasonFor.otherAudit(latest.userVersion));
  return submit(item, item.submitAttempts + 1, now);
}

/**
 * An audit event applies to the item's one open audit, in CreateTime order: an older one, a
 * duplicate, or one from before our submission is ignored; a different event in the same second is
 * settled by asking WeChat.
 */
function onEvent(item: Submitted, event: AuditEvent, now: number): ShipDecision {
  const { audit } = item;
  if (event.createdAt < audit.submittedAt - CLOCK_SKEW_MS || event.createdAt < audit.lastEventAt) return NOTHING;
  if (event.createdAt === audit.lastEventAt) {
    return event.event === audit.lastEvent ? NOTHING : ask({ ask: 'audit_status', appid: item.appid, auditid: audit.auditid });
  }
  if (event.event === 'weapp_audit_success') return passed(item, audit.auditid, now);
  if (event.event === 'weapp_audit_fail') return rejected(item, audit.auditid, event.reason, event.screenshot);
  const delayed = { ...audit, delayed: true, lastEventAt: event.createdAt, lastEvent: event.event, heardAt: now };
  return write({ ...item, audit: delayed, note: reasonFor.auditDelayed(event.reason), dueAt: now + WAIT.pollMs });
}

/** The poll's answer (spec §1.2): 0 approved, 1 rejected, 2 in review, 3 withdrawn, 4 delayed. */
function auditStatus(item: Submitted, status: number, reason: string | null, screenshot: string | null, now: number) {
  if (status === 0) return passed(item, item.audit.auditid, now);
  if (status === 1) return rejected(item, item.audit.auditid, reason, screenshot);
  if (status === 3) return settle(item, 'skipped', REASONS.withdrawn);
  const audit = { ...item.audit, delayed: status === 4, heardAt: now };
  const note = status === 4 ? (item.note ?? reasonFor.auditDelayed(reason)) : item.note;
  return write({ ...item, audit, note, dueAt: now + WAIT.pollMs });
}

/** Approved: released at once (auto), or waiting for the job's command. */
function passed(item: Submitting | Submitted, auditid: number, now: number): ShipDecision {
  const dueAt = item.plan.release === 'auto' ? now : NEVER;
  const next: AuditPassed = { ...base(item), stage: 'audit_passed', prepared: item.prepared, auditid, dueAt };
  return write(next);
}

function rejected(item: ShipItem, auditid: number, reason: string | null, screenshot: string | null): ShipDecision {
  return write({ ...base(item), stage: 'rejected', auditid, reason: reasonFor.rejected(reason), screenshot, dueAt: NEVER });
}

/** Gray only where an online version exists (the first release must be full: 85079). */
function defaultRelease(item: AuditPassed): ReleaseKind {
  const percentage = item.plan.grayPercentage;
  return percentage !== null && !item.prepared.firstRelease ? { mode: 'gray', percentage } : { mode: 'full' };
}

/** Counted before it is sent; a full release is checked against the online version before a second. */
function release(item: AuditPassed | Releasing | Released, kind: ReleaseKind, attempts: number, now: number): ShipDecision {
  if (attempts > MAX_ATTEMPTS) return settle(item, 'failed', reasonFor.gaveUp('发布'));
  const { prepared, auditid } = item;
  const next: Releasing = {
    ...base(item),
    stage: 'releasing',
    prepared,
    auditid,
    release: kind,
    releaseAttempts: attempts,
    // A resend keeps the reason of the last refusal until WeChat answers.
    note: item.stage === 'releasing' ? item.note : null,
    dueAt: now,
  };
  const question: ShipQuestion =
    kind.mode === 'full'
      ? { ask: 'release', appid: item.appid }
      : { ask: 'gray_release', appid: item.appid, percentage: kind.percentage };
  return { steps: [{ do: 'write', record: next }], ask: question };
}

/**
 * A gray release below 100 is repeatable (a second one answers 85082: done); a full one, and gray
 * 100 (it completes the plan, after which WeChat answers 85080), are checked against the online
 * version first.
 */
function resumeRelease(item: Releasing, now: number): ShipDecision {
  if (!putsOnline(item.release)) return release(item, item.release, item.releaseAttempts + 1, now);
  return ask({ ask: 'version_info', appid: item.appid });
}

/** Full, or gray 100: the version is online for everyone once it lands (spec §5.2). */
const putsOnline = (kind: ReleaseKind) => kind.mode === 'full' || kind.percentage === 100;

/**
 * Released: gray 100 counts as full from now on (WeChat's plan is complete, a rollback is
 * `revertcoderelease`); a gray release with a later step of the job's schedule is due again then.
 */
function released(item: Releasing, now: number): ShipDecision {
  const { prepared, auditid } = item;
  const kind: ReleaseKind = putsOnline(item.release) ? { mode: 'full' } : item.release;
  const next: Released = { ...base(item), stage: 'released', prepared, auditid, release: kind, releasedAt: now, note: null };
  const step = nextGrayStep(item.plan, kind);
  return write({ ...next, dueAt: step === null ? NEVER : now + (item.plan.graySchedule?.intervalMs ?? 0) });
}

/** The schedule's first step above the merchant's percentage; null: none (or no schedule, or full). */
export function nextGrayStep(plan: ShipPlan, kind: ReleaseKind): number | null {
  if (kind.mode !== 'gray' || !plan.graySchedule) return null;
  return plan.graySchedule.steps.find((step) => step > kind.percentage) ?? null;
}

/** The timer's turn of a released merchant: the schedule's next step, counted then sent. */
function grayStep(item: Released, now: number): ShipDecision {
  const step = nextGrayStep(item.plan, item.release);
  return step === null ? NOTHING : release(item, { mode: 'gray', percentage: step }, 1, now);
}

function afterVersion(item: ShipItem, expVersion: string | null, onlineVersion: string | null, now: number): ShipDecision {
  const ours = item.plan.userVersion;
  if (item.stage === 'committing') {
    return expVersion === ours ? committed(item, now) : commit(item, item.prepared, item.commitAttempts + 1, now);
  }
  if (item.stage === 'releasing' && putsOnline(item.release)) {
    return onlineVersion === ours ? released(item, now) : release(item, item.release, item.releaseAttempts + 1, now);
  }
  if (item.stage === 'rolling_back') {
    return onlineVersion === ours ? revert(item, item.rollbackAttempts + 1, now) : rolledBack(item, now);
  }
  return NOTHING;
}

/** The job's release command: an approved item waiting for it, or a gray release raised (100: everyone). */
function onReleaseCommand(item: ShipItem, percentage: number | null, now: number): ShipDecision {
  if (item.stage === 'audit_passed') {
    // A job with a gray schedule starts it (its first step) unless the command names a percentage.
    if (percentage === null && item.plan.graySchedule) return release(item, defaultRelease(item), 1, now);
    const kind: ReleaseKind = percentage === null || item.prepared.firstRelease ? { mode: 'full' } : { mode: 'gray', percentage };
    return release(item, kind, 1, now);
  }
  if (item.stage === 'released' && item.release.mode === 'gray') {
    const target = percentage ?? 100;
    return target > item.release.percentage ? release(item, { mode: 'gray', percentage: target }, 1, now) : NOTHING;
  }
  return NOTHING;
}

/**
 * The job's rollback command. Before release nothing reached users: the item stops (an open audit
 * is left to finish; an undo would spend the merchant's undo quota). Released: reverted.
 */
function onRollbackCommand(item: ShipItem, now: number): ShipDecision {
  if (item.stage === 'released' || item.stage === 'releasing') {
    const next: RollingBack = {
      ...base(item),
      stage: 'rolling_back',
      prepared: item.prepared,
      auditid: item.auditid,
      release: item.release,
      rollbackAttempts: 0,
      dueAt: now,
    };
    // Gray: the revert is counted in the same write; full: WeChat's online version is asked first.
    if (next.release.mode === 'gray') return revert(next, 1, now);
    return { steps: [{ do: 'write', record: next }], ask: { ask: 'version_info', appid: item.appid } };
  }
  if (item.stage === 'rolling_back' || item.stage === 'rolled_back' || isSettled(item)) return NOTHING;
  return settle(item, 'skipped', REASONS.stopped);
}

/**
 * The job's retry of a failed item: queued again and due now, so it starts from preflight, which
 * reads WeChat's state before anything is written (an open audit skips it, our version online
 * settles it); every WeChat write is counted again from its first attempt. Only `failed`: a
 * rejected item needs a new version, a skipped one its merchant's fix and a new job.
 */
function retry(item: ShipItem, now: number): ShipDecision {
  return write({ ...base(item), stage: 'queued', dueAt: now });
}

/**
 * A gray plan is cancelled by revertgrayrelease, which spends nothing and may be repeated; a full
 * release is reverted only while WeChat shows our version online, so one revert is never two.
 */
function resumeRollback(item: RollingBack, now: number): ShipDecision {
  if (item.release.mode === 'gray') return revert(item, item.rollbackAttempts + 1, now);
  return ask({ ask: 'version_info', appid: item.appid });
}

function revert(item: RollingBack, attempts: number, now: number): ShipDecision {
  if (attempts > MAX_ATTEMPTS) return stillReleased(item, reasonFor.gaveUp('回退'), now);
  const next: RollingBack = { ...item, rollbackAttempts: attempts, dueAt: now };
  const question: ShipQuestion =
    item.release.mode === 'gray'
      ? { ask: 'revert_gray_release', appid: item.appid }
      : { ask: 'revert_code_release', appid: item.appid };
  return { steps: [{ do: 'write', record: next }], ask: question };
}

function rolledBack(item: RollingBack, now: number): ShipDecision {
  return write({ ...base(item), stage: 'rolled_back', auditid: item.auditid, at: now, dueAt: NEVER });
}

/** A rollback WeChat refused leaves the version online, with the reason noted. */
function stillReleased(item: RollingBack, note: ShipReason, now: number): ShipDecision {
  const { prepared, auditid, release: kind } = item;
  const next: Released = {
    ...base(item),
    stage: 'released',
    prepared,
    auditid,
    release: kind,
    releasedAt: now,
    note,
    dueAt: NEVER,
  };
  return { steps: [{ do: 'write', record: next }, warn(item, note)] };
}

/** WeChat said no: by spec §7, pause the job, skip the merchant, wait, reconcile, or fail. */
function onRefused(item: ShipItem, call: CallName, errcode: number, now: number): ShipDecision {
  const firstRelease = 'prepared' in item ? item.prepared.firstRelease : false;
  const refusal = classify(call, errcode, firstRelease);
  switch (item.stage) {
    case 'preflight':
      return refusedBefore(item, refusal, item, now);
    case 'committing':
      return refusedCommit(item, refusal, now);
    case 'committed':
      return refusedPrivacy(item, refusal, now);
    case 'submitting':
      return refusedSubmit(item, refusal, now);
    case 'submitted':
      // A read about an open audit never ends it: keep polling (events may still come).
      return write({ ...item, dueAt: now + (refusal.class === 'retry' ? WAIT.retryMs : WAIT.pollMs) });
    case 'releasing':
      return refusedRelease(item, refusal, now);
    case 'rolling_back':
      return refusal.class === 'retry' ? write({ ...item, dueAt: now + WAIT.retryMs }) : stillReleased(item, refusal.reason, now);
    default:
      return NOTHING;
  }
}

/** The classes every stage treats alike; `waiting` is the item as it waits (same stage, or one back). */
function refusedBefore(item: ShipItem, refusal: Classified, waiting: ShipItem, now: number): ShipDecision {
  switch (refusal.class) {
    case 'pause':
      // After the item's own write: a run whose claim was taken over pauses nothing.
      return { steps: [{ do: 'write', record: { ...waiting, dueAt: now + WAIT.pausedMs } }, pauseJob(item, refusal.reason)] };
    case 'retry':
      return write({ ...waiting, dueAt: now + WAIT.retryMs });
    case 'skip':
      return settle(item, 'skipped', refusal.reason);
    default:
      return settle(item, 'failed', refusal.reason);
  }
}

/** A refused commit did not land: the item waits as it was before it (preflight, or counted to resend). */
function refusedCommit(item: Committing, refusal: Classified, now: number): ShipDecision {
  if (refusal.class === 'pause') {
    return refusedBefore(item, refusal, { ...base(item), stage: 'preflight', extJson: item.prepared.extJson, dueAt: now }, now);
  }
  return refusedBefore(item, refusal, item, now);
}

function refusedPrivacy(item: Committed, refusal: Classified, now: number): ShipDecision {
  if (refusal.class === 'scan') return write({ ...item, dueAt: now + WAIT.scanMs });
  if (refusal.class === 'recommit') return commit(item, item.prepared, 1, now);
  return refusedBefore(item, refusal, item, now);
}

/** A refused submission opened no audit (and spent no quota): the item waits as ready. */
function refusedSubmit(item: Submitting, refusal: Classified, now: number): ShipDecision {
  switch (refusal.class) {
    case 'reconcile':
      // 85009: an audit is open; it may be ours, whose reply was lost.
      return ask({ ask: 'latest_audit', appid: item.appid });
    case 'scan':
      return write({ ...toReady(item, true, now), dueAt: now + WAIT.scanMs });
    case 'recommit':
      return commit(item, item.prepared, 1, now);
    case 'retry':
      return write({ ...toReady(item, true, now), dueAt: now + WAIT.retryMs });
    default:
      // A pause gives the slot back to the job's new budget.
      return refusedBefore(item, refusal, toReady(item, false, now), now);
  }
}

function refusedRelease(item: Releasing, refusal: Classified, now: number): ShipDecision {
  if (refusal.class === 'done') return released(item, now);
  // 85079: no online version, so no gray release: a full one.
  if (refusal.reason.errcode === 85079) return release(item, { mode: 'full' }, item.releaseAttempts + 1, now);
  // 85081 on 100: this WeChat does not finish a plan with grayrelease 100: `release {}` does (spec §5.2).
  if (refusal.reason.errcode === 85081 && putsOnline(item.release))
    return release(item, { mode: 'full' }, item.releaseAttempts + 1, now);
  if (refusal.class === 'reconcile')
    return write({ ...item, note: reasonFor.releaseWaiting(refusal.reason), dueAt: now + WAIT.retryMs });
  return refusedBefore(item, refusal, item, now);
}

function toReady(item: Committed | Submitting, slotHeld: boolean, now: number): Ready {
  return { ...base(item), stage: 'ready', prepared: item.prepared, committedAt: item.committedAt, slotHeld, dueAt: now };
}

function settle(item: ShipItem, stage: 'skipped' | 'failed', reason: ShipReason): ShipDecision {
  return write({ ...base(item), stage, reason, dueAt: NEVER });
}

const isSettled = (item: ShipItem) => item.stage === 'rejected' || item.stage === 'skipped' || item.stage === 'failed';

const write = (record: ShipItem): ShipDecision => ({ steps: [{ do: 'write', record }] });
const ask = (question: ShipQuestion): ShipDecision => ({ steps: [], ask: question });
const pauseJob = (item: ShipItem, reason: ShipReason): ShipStep => ({ do: 'pause_job', jobId: item.jobId, reason });
const warn = (item: ShipItem, reason: ShipReason): ShipStep => ({
  do: 'warn',
  message: reason.message,
  appid: item.appid,
  errcode: reason.errcode,
});

/** The fields every stage has, without the stage's own. */
function base(item: ShipItem): ShipItemBase {
  const { id, jobId, appid, wave, plan, values, createdAt, dueAt } = item;
  return { id, jobId, appid, wave, plan, values, createdAt, dueAt };
}
