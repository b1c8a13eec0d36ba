/**
 * WeChat's code management for every authorized mini-program (spec code-management §1.5): the
 * per-app slots, the audit scripts (defaults and per appid), the provider's quota, and the audit
 * clock. Audits are decided on the emulated clock: `settle()` applies every step that is due and
 * hands each to the event sender (set by areas/code-management), whose deliveries `idle()` awaits.
 * The server calls `settle()` on a short real-time tick, and every code-management call settles
 * first, so a test that advances the clock sees the outcome either way.
 */
import type { Clock } from '../../../clock';
import type { TemplateLibrary } from '../template-library';
import { MiniProgramCode, type Audit, type AuditStep, type CodeRules } from './app-code';
import { AuditQuota } from './audit-quota';
import type { AuditEventRecord, AuditScript, AuditScriptPatch, CodeAppView, ProviderBlock } from './types';

export type { Audit, AuditStep } from './app-code';

export const DEFAULT_AUDIT_SCRIPT: AuditScript = {
  outcome: 'success',
  reviewSeconds: 600,
  failReason: '1:小程序页面内容与所选服务类目不符<br>2:请补充测试账号和密码',
  failScreenshot: 'xLykNBf1kBnZ2nnqr8XqUQ9wo5WQgV0VgTlJUDP0r9YgSdYHTLVSIh4Uv4nkJDvP|ZmoNyC6Z3Sc4fDz8zd0QYmLHE2hA2wOYmStmOcq2qD0',
  privacyScanSeconds: 60,
  privacy: { withoutAuthList: [], withoutConfList: [] },
  speedupSeconds: 7200,
};

export interface CodeManagementSettings extends CodeRules {
  /** Off by default (spec §3.1: no documented limit); over it → 85044. */
  extJsonMaxBytes?: number;
  /** `submit_audit` without `item_list` → 85023 (the stricter reading of §4.1). Default true. */
  requireItemList: boolean;
  /** What a component token on a code-management API answers (spec §0: 61015; 86000 was also observed). */
  componentTokenErrcode: number;
  /** What a component token on `queryquota` answers (61014 observed, spec §0). */
  queryquotaComponentTokenErrcode: number;
}

export const DEFAULT_CODE_SETTINGS: CodeManagementSettings = {
  undoPerDay: 5,
  undoPerMonth: 10,
  releaseDuringGray: 'strict',
  revertAfterWithdrawnGray: 'refuse',
  requireItemList: true,
  componentTokenErrcode: 61015,
  queryquotaComponentTokenErrcode: 61014,
};

/** What the event sender gets for each step that came due. */
export interface DueAuditStep {
  appid: string;
  audit: Audit;
  step: AuditStep;
}

export class CodeManagement {
  readonly quota: AuditQuota;
  readonly events: AuditEventRecord[] = [];
  readonly settings: CodeManagementSettings;
  /** Provider-wide refusal of submissions (spec §4.6), e.g. 86008 for a penalised provider. */
  providerBlock?: ProviderBlock;
  private defaults: AuditScript = structuredClone(DEFAULT_AUDIT_SCRIPT);
  private readonly overrides = new Map<string, AuditScriptPatch>();
  private readonly apps = new Map<string, MiniProgramCode>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Next-call errcodes by appid and path (spec §1.5: errors injectable per (appid, API)). */
  private readonly injected = new Map<string, { errcode: number; times: number }>();
  private sender: (due: DueAuditStep) => Promise<unknown> = () => Promise.resolve();
  private nextAuditid = 410_000_001;

  constructor(
    readonly clock: Clock,
    readonly templates: TemplateLibrary,
    settings: Partial<CodeManagementSettings> = {},
  ) {
    this.settings = { ...DEFAULT_CODE_SETTINGS, ...settings };
    this.quota = new AuditQuota(clock);
  }

  /** The app's slots, created on first use. */
  app(appid: string): MiniProgramCode {
    let app = this.apps.get(appid);
    if (!app) {
      app = new MiniProgramCode(appid, this.settings);
      this.apps.set(appid, app);
    }
    return app;
  }

  /** The defaults with this app's overrides on top. */
  script(appid: string): AuditScript {
    return merge(this.defaults, this.overrides.get(appid) ?? {});
  }

  /** Per appid, or for every app when `appid` is undefined. Applies to the next submissions. */
  configure(appid: string | undefined, patch: AuditScriptPatch): AuditScript {
    if (appid === undefined) {
      this.defaults = merge(this.defaults, patch);
      return this.defaults;
    }
    const previous = this.overrides.get(appid) ?? {};
    this.overrides.set(appid, {
      ...previous,
      ...patch,
      privacy: { ...previous.privacy, ...patch.privacy },
    });
    return this.script(appid);
  }

  /** The next `times` calls of `path` (e.g. `/wxa/commit`) by this app answer `errcode`. */
  injectError(appid: string, path: string, errcode: number, times = 1): void {
    this.injected.set(`${appid} ${path}`, { errcode, times });
  }

  takeError(appid: string, path: string): number | undefined {
    const key = `${appid} ${path}`;
    const rule = this.injected.get(key);
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.injected.delete(key);
    return rule.errcode;
  }

  newAuditid(): number {
    return this.nextAuditid++;
  }

  /** Set once by areas/code-management: sends the event of a step that came due. */
  onDueStep(sender: (due: DueAuditStep) => Promise<unknown>): void {
    this.sender = sender;
  }

  /** Applies every step due by now, oldest first, and starts sending their events. */
  settle(): DueAuditStep[] {
    const now = this.clock.now();
    const due: DueAuditStep[] = [];
    for (const app of this.apps.values()) {
      const next = app.nextStepAt();
      if (next === undefined || next > now) continue;
      for (const applied of app.applyDue(now)) due.push({ appid: app.appid, ...applied });
    }
    due.sort((a, b) => a.step.at - b.step.at);
    for (const step of due) {
      const sending = this.sender(step);
      this.inflight.add(sending);
      void sending.finally(() => this.inflight.delete(sending));
    }
    return due;
  }

  /** Resolves when every event started so far is delivered, lost or given up. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  view(appid: string): CodeAppView | undefined {
    const app = this.apps.get(appid);
    if (!app) return undefined;
    const strip = ({ steps: _steps, speedupSeconds: _speedup, ...audit }: Audit) => structuredClone(audit);
    return {
      appid,
      trial: app.trial && { ...app.trial },
      audits: app.audits.map(strip),
      approved:
        app.approved && !app.approved.released ? { auditid: app.approved.auditid, version: app.approved.version } : undefined,
      online: app.online && { ...app.online },
      history: app.history.map((version) => ({ ...version })),
      grayPlan: app.grayPlan && { ...app.grayPlan },
      visitStatus: app.visitStatus,
      commits: app.commits,
      submissions: app.submissions,
      undo: app.undoCounts(this.clock.now()),
      script: this.script(appid),
    };
  }
}

function merge(base: AuditScript, patch: AuditScriptPatch): AuditScript {
  const { delay, privacy, categories, submitErrcode, ...rest } = patch;
  const merged: AuditScript = { ...structuredClone(base), ...stripUndefined(rest) };
  merged.privacy = { ...base.privacy, ...stripUndefined(privacy ?? {}) };
  // null clears what the base had; undefined keeps it.
  if (delay === null) delete merged.delay;
  else if (delay !== undefined) merged.delay = { ...delay };
  if (categories === null) delete merged.categories;
  else if (categories !== undefined) merged.categories = categories.map((category) => ({ ...category }));
  if (submitErrcode === null) delete merged.submitErrcode;
  else if (submitErrcode !== undefined) merged.submitErrcode = submitErrcode;
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
