/**
 * One merchant mini-program's code slots (spec code-management §1.1) and the guards of each move
 * (§1.3): the 体验版 from `commit`, the audits, the last approved version, the online version, its
 * rollback history and the gray plan. Refusals throw WeChatApiError with the code §7 gives.
 */
import { WeChatApiError } from '../errors';
import { beijingDay, beijingMonth } from './calendar';
import type { AuditScript, AuditStatus, AuditView, CodeVersionView, GrayPlanView, ReleasedVersionView } from './types';

/** A scripted change of an audit's status, due at emulated ms `at`. */
export interface AuditStep {
  at: number;
  status: 0 | 1 | 4;
  reason?: string;
  screenshot?: string;
}

export interface Audit extends AuditView {
  /** What is still to happen to it, in time order. */
  steps: AuditStep[];
  speedupSeconds: number;
}

export interface CodeRules {
  undoPerDay: number;
  undoPerMonth: number;
  /** `strict` (default, spec §5.1): `release {}` during a gray plan only publishes the phased version itself. */
  releaseDuringGray: 'strict' | 'allow';
  /** `refuse` (default, spec §5.4): no rollback of a version published after a withdrawn gray plan (87012). */
  revertAfterWithdrawnGray: 'refuse' | 'allow';
}

const HISTORY_CAP = 5;
const seconds = (ms: number): number => Math.floor(ms / 1000);
const isOpen = (status: AuditStatus): boolean => status === 2 || status === 4;

/** 0–100; 0 only with one of the "first" flags (spec §5.2). */
function validPercentage(percentage: unknown, someoneFirst: boolean): percentage is number {
  if (typeof percentage !== 'number' || !Number.isInteger(percentage)) return false;
  return percentage > 0 ? percentage <= 100 : percentage === 0 && someoneFirst;
}

export class MiniProgramCode {
  trial?: CodeVersionView;
  readonly audits: Audit[] = [];
  /** The last approved audit; `released` once it went online (85052 after that). */
  approved?: { auditid: number; version: CodeVersionView; released: boolean };
  online?: ReleasedVersionView & { auditid: number };
  history: (ReleasedVersionView & { auditid: number })[] = [];
  grayPlan?: GrayPlanView;
  /** `getvisitstatus`: 1 normal, 0 paused (`change_visitstatus close`). */
  visitStatus: 0 | 1 = 1;
  commits = 0;
  submissions = 0;
  private privacyReadyAt = 0;
  private nextAppVersion = 1;
  private undoDay = { key: -1, count: 0 };
  private undoMonth = { key: -1, count: 0 };
  /** A gray plan was withdrawn since the last publish; the next online version carries it. */
  private grayWithdrawn = false;
  private readonly afterWithdrawnGray = new Set<number>();

  constructor(
    readonly appid: string,
    private readonly rules: CodeRules,
  ) {}

  /** Replaces the 体验版 (even during an audit, whose snapshot stays: spec §9 #2) and restarts the privacy scan. */
  commit(version: CodeVersionView, now: number, scanSeconds: number): void {
    this.trial = version;
    this.commits += 1;
    this.privacyReadyAt = now + scanSeconds * 1000;
  }

  privacyScanRunning(now: number): boolean {
    return this.trial !== undefined && now < this.privacyReadyAt;
  }

  openAudit(): Audit | undefined {
    const latest = this.audits.at(-1);
    return latest && isOpen(latest.status) ? latest : undefined;
  }

  /** The guards of §1.3 that belong to the app; the caller checked the token, the provider and the quota. */
  checkSubmittable(now: number, script: AuditScript, privacyApiNotUse: boolean): CodeVersionView {
    if (!this.trial) throw new WeChatApiError(85086);
    if (this.privacyScanRunning(now)) throw new WeChatApiError(61039);
    const { withoutAuthList, withoutConfList } = script.privacy;
    if (!privacyApiNotUse && withoutAuthList.length + withoutConfList.length > 0) throw new WeChatApiError(61040);
    if (this.openAudit()) throw new WeChatApiError(85009);
    return this.trial;
  }

  /** A new audit in status 2, its outcome scripted now (a later change of the script does not touch it). */
  submit(auditid: number, now: number, script: AuditScript): Audit {
    const version = this.checkSubmittable(now, script, true);
    const steps: AuditStep[] = [];
    const decideAt = now + script.reviewSeconds * 1000;
    if (script.delay) steps.push({ at: now + script.delay.afterSeconds * 1000, status: 4, reason: script.delay.reason });
    if (script.outcome !== 'never') {
      const at = Math.max(decideAt, (steps[0]?.at ?? 0) + 1000);
      steps.push(
        script.outcome === 'success'
          ? { at, status: 0 }
          : { at, status: 1, reason: script.failReason, screenshot: script.failScreenshot },
      );
    }
    const audit: Audit = {
      auditid,
      status: 2,
      submitTime: seconds(now),
      version,
      spedUp: false,
      steps,
      speedupSeconds: script.speedupSeconds,
    };
    this.audits.push(audit);
    this.submissions += 1;
    return audit;
  }

  /** The steps due by `now`, applied in order; the caller sends their events. */
  applyDue(now: number): { audit: Audit; step: AuditStep }[] {
    const audit = this.audits.at(-1);
    if (!audit || !isOpen(audit.status)) return [];
    const applied: { audit: Audit; step: AuditStep }[] = [];
    while (audit.steps.length > 0 && audit.steps[0].at <= now) {
      const step = audit.steps.shift()!;
      audit.status = step.status;
      audit.reason = step.reason;
      audit.screenshot = step.screenshot;
      if (step.status === 0) this.approved = { auditid: audit.auditid, version: audit.version, released: false };
      applied.push({ audit, step });
    }
    return applied;
  }

  /** When the next step is due, or undefined. */
  nextStepAt(): number | undefined {
    const audit = this.openAudit();
    return audit?.steps[0]?.at;
  }

  /** `undocodeaudit`: withdraws the open audit (status 3, no event, no quota back). */
  undo(now: number): void {
    const audit = this.openAudit();
    if (!audit) throw new WeChatApiError(87012);
    const day = beijingDay(now);
    const month = beijingMonth(now);
    if (this.undoDay.key !== day) this.undoDay = { key: day, count: 0 };
    if (this.undoMonth.key !== month) this.undoMonth = { key: month, count: 0 };
    if (this.undoDay.count >= this.rules.undoPerDay || this.undoMonth.count >= this.rules.undoPerMonth)
      throw new WeChatApiError(87013);
    this.undoDay.count += 1;
    this.undoMonth.count += 1;
    audit.status = 3;
    audit.reason = undefined;
    audit.steps = [];
  }

  undoCounts(now: number): { today: number; thisMonth: number } {
    return {
      today: this.undoDay.key === beijingDay(now) ? this.undoDay.count : 0,
      thisMonth: this.undoMonth.key === beijingMonth(now) ? this.undoMonth.count : 0,
    };
  }

  /** `speedupaudit`: the outcome comes within the speed-up time; the quota is the caller's. */
  checkSpeedup(auditid: number): Audit {
    const audit = this.audits.find((candidate) => candidate.auditid === auditid);
    if (!audit || !isOpen(audit.status) || audit !== this.audits.at(-1)) throw new WeChatApiError(89402);
    if (audit.spedUp) throw new WeChatApiError(89404);
    return audit;
  }

  speedUp(audit: Audit, now: number): void {
    audit.spedUp = true;
    const last = audit.steps.at(-1);
    if (last && last.status !== 4) last.at = Math.min(last.at, now + audit.speedupSeconds * 1000);
    audit.steps = audit.steps.filter((step) => step === last || step.at < (last?.at ?? Infinity));
  }

  grayRunning(): boolean {
    return this.grayPlan !== undefined && this.grayPlan.status <= 2;
  }

  /** `release {}`: the last approved version goes online for everyone (spec §5.1). */
  release(now: number): void {
    const approved = this.approved;
    if (!approved) throw new WeChatApiError(85019);
    if (this.grayRunning()) {
      const plan = this.grayPlan!;
      const sameVersion = plan.auditid === approved.auditid && !approved.released;
      if (!sameVersion && this.rules.releaseDuringGray === 'strict') throw new WeChatApiError(85020);
      if (sameVersion) plan.status = 3;
      else this.revertGray();
    }
    if (approved.released) throw new WeChatApiError(85052);
    this.publish(now);
  }

  /** `grayrelease`: the approved version to a rising share of users; 100 completes the plan (spec §5.2, §9 #5). */
  grayRelease(now: number, percentage: unknown, debugerFirst: boolean, experiencerFirst: boolean): void {
    const approved = this.approved;
    if (!approved || approved.released) throw new WeChatApiError(85080);
    if (!this.online) throw new WeChatApiError(85079);
    if (!validPercentage(percentage, debugerFirst || experiencerFirst)) throw new WeChatApiError(85081);
    const plan = this.grayRunning() ? this.grayPlan! : undefined;
    if (plan && plan.auditid !== approved.auditid) throw new WeChatApiError(85020);
    if (plan && percentage <= plan.percentage) throw new WeChatApiError(85082);
    this.grayPlan = {
      status: 1,
      percentage,
      createTime: plan?.createTime ?? seconds(now),
      supportDebugerFirst: debugerFirst,
      supportExperiencerFirst: experiencerFirst,
      auditid: approved.auditid,
    };
    if (percentage === 100) {
      this.grayPlan.status = 3;
      this.publish(now);
    }
  }

  /** `revertgrayrelease`: the plan is deleted; nothing to revert is fine (spec §5.3). */
  revertGray(): void {
    if (!this.grayRunning()) return;
    this.grayPlan!.status = 4;
    this.grayWithdrawn = true;
  }

  /** `revertcoderelease`: back to the previous (or the named) online version (spec §5.4). */
  revert(now: number, appVersion?: number): void {
    if (this.grayRunning()) throw new WeChatApiError(87011);
    if (!this.online || this.online.reverted || this.history.length === 0) throw new WeChatApiError(87012);
    if (this.afterWithdrawnGray.has(this.online.appVersion) && this.rules.revertAfterWithdrawnGray === 'refuse')
      throw new WeChatApiError(87012);
    const at = appVersion === undefined ? 0 : this.history.findIndex((v) => v.appVersion === appVersion);
    if (at < 0) throw new WeChatApiError(40097);
    const [target] = this.history.splice(at, 1);
    // The version rolled back from leaves the history for good (spec §5.4).
    this.online = { ...target, releaseTime: seconds(now), reverted: true };
  }

  private publish(now: number): void {
    const approved = this.approved!;
    if (this.online) this.history = [this.online, ...this.history].slice(0, HISTORY_CAP);
    this.online = {
      ...approved.version,
      auditid: approved.auditid,
      appVersion: this.nextAppVersion++,
      releaseTime: seconds(now),
      reverted: false,
    };
    if (this.grayWithdrawn) this.afterWithdrawnGray.add(this.online.appVersion);
    this.grayWithdrawn = false;
    approved.released = true;
  }
}
