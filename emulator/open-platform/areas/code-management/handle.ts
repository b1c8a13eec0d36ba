/**
 * The code-management part of the emulator's handle (`emulator.codeManagement`) and of its admin
 * routes: script each app's audits, set the quota, read the slots and the events, lose or
 * duplicate events, and settle the audits that came due on the clock.
 */
import type { CodeManagement } from '../../state/code-management';
import type {
  AuditEventRecord,
  AuditQuotaView,
  AuditScript,
  AuditScriptPatch,
  CodeAppView,
  ProviderBlock,
} from '../../state/code-management/types';
import type { FaultRegistry } from '../../state/faults';

/** A fault on the audit events: every app's, or `appid`'s only. */
export interface AuditEventFault {
  appid?: string;
  /** Lost: never sent. */
  drop?: boolean;
  /** Sent twice (the same sealed message). */
  duplicate?: boolean;
  /** Sent this many real ms late. */
  delayMs?: number;
  /** The next N events it hits, then gone; unset: until cleared. */
  times?: number;
  /** Probability 0..1 (seeded). */
  rate?: number;
}

export interface CodeManagementHandle {
  /**
   * A ci upload to the draft box (the dev mini-program's earlier draft leaves) → `draftId`; with
   * `toTemplate`, addtotemplate too → `templateId`.
   */
  uploadDraft(input: { userVersion: string; userDesc: string; toTemplate?: boolean }): { draftId: number; templateId?: number };
  /** This app's next submissions: outcome, review time, delay, privacy result, categories, errcode. */
  configure(appid: string, patch: AuditScriptPatch): AuditScript;
  /** The same for every app without its own setting. */
  configureDefaults(patch: AuditScriptPatch): AuditScript;
  quota(): AuditQuotaView;
  /** A new `limit` refills `rest` unless `rest` is given too. */
  setQuota(patch: Partial<AuditQuotaView>): AuditQuotaView;
  /** 86008 / 86009 / 86010 for every submit (spec §4.6); null lifts it. */
  setProviderBlock(errcode: ProviderBlock | null): void;
  /** The app's slots (trial with ext_json as committed, audits, online, history, gray plan, counters). */
  app(appid: string): CodeAppView | undefined;
  /** Audit events sent (or lost), oldest first; one app's when `appid` is given. */
  events(appid?: string): AuditEventRecord[];
  /** The next `times` (default 1) calls of `path` (e.g. `/wxa/commit`) by this app answer `errcode` (e.g. 9402202). */
  injectError(appid: string, path: string, errcode: number, times?: number): void;
  /** Returns the fault id (`emulator.faults.clear(id)` removes it). */
  injectEventFault(fault: AuditEventFault): string;
  /** Applies what is due on the clock now and waits until those events (and any in flight) are delivered or lost. */
  settle(): Promise<AuditEventRecord[]>;
}

export function codeManagementHandle(code: CodeManagement, faults: FaultRegistry): CodeManagementHandle {
  return {
    uploadDraft({ userVersion, userDesc, toTemplate }) {
      const draftId = code.templates.upload(userVersion, userDesc, code.clock.nowSeconds());
      return toTemplate ? { draftId, templateId: code.templates.add(draftId) } : { draftId };
    },
    configure: (appid, patch) => code.configure(appid, patch),
    configureDefaults: (patch) => code.configure(undefined, patch),
    quota: () => code.quota.read(),
    setQuota: (patch) => code.quota.set(patch),
    setProviderBlock: (errcode) => void (code.providerBlock = errcode ?? undefined),
    app: (appid) => {
      code.settle();
      return code.view(appid);
    },
    events: (appid) => code.events.filter((event) => appid === undefined || event.appid === appid),
    injectError: (appid, path, errcode, times) => code.injectError(appid, path, errcode, times),
    injectEventFault: (fault) => faults.inject({ ...fault, api: 'audit_event' }),
    async settle() {
      const pending = new Set(code.events.filter((event) => !event.finished));
      const before = code.events.length;
      code.settle();
      await code.idle();
      return code.events.filter((event, index) => index >= before || pending.has(event));
    },
  };
}
