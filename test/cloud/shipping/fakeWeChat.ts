/**
 * A fake of WeChat's code management for the ship runner's tests: per-app trial version, audits,
 * online version and history, the provider's quota, and faults: a reply lost after the call took
 * effect (`lost`), or the runner's process dying right after the call took effect (`crash`).
 */
import { ShipRefusal, type ShipApi } from '../../../cloudfunctions/authorization/src/shipping/api';
import type { AuditSnapshot } from '../../../cloudfunctions/authorization/src/shipping/stages';

export const CATEGORY = { first_class: '餐饮', second_class: '点餐', first_id: 1, second_id: 2 };

interface App {
  expVersion: string | null;
  scanReadyAt: number;
  audits: AuditSnapshot[];
  releaseVersion: string | null;
  history: string[];
  gray: { version: string; percentage: number } | null;
}

export type Method = keyof ShipApi;

/** What the runner does when a fault hits: a lost reply is transient, a crash kills the process. */
export class LostReply extends Error {}
export class Crash extends Error {}

export interface Landed {
  method: Method;
  appid: string;
}

export class FakeWeChat implements ShipApi {
  readonly apps = new Map<string, App>();
  /** Calls that took effect on WeChat's side (or were read), in order. */
  readonly landed: Landed[] = [];
  quota = { rest: 100, limit: 100, speedupRest: 0, speedupLimit: 0 };
  private nextAuditId = 1000;
  private fault: { method: Method; nth: number; kind: 'lost' | 'crash'; seen: number } | null = null;
  /** Told when a crash fault hits, so the test's process stops giving claims back. */
  onCrash: () => void = () => undefined;

  constructor(private readonly now: () => number) {}

  app(appid: string): App {
    let app = this.apps.get(appid);
    if (!app) {
      app = { expVersion: null, scanReadyAt: 0, audits: [], releaseVersion: '1.3.0', history: ['1.2.0'], gray: null };
      this.apps.set(appid, app);
    }
    return app;
  }

  /** The `nth` call (0-based) of `method` takes effect, then its reply is lost or the process dies. */
  failAfter(method: Method, nth: number, kind: 'lost' | 'crash') {
    this.fault = { method, nth, kind, seen: 0 };
  }

  count(method: Method, appid?: string) {
    return this.landed.filter((l) => l.method === method && (!appid || l.appid === appid)).length;
  }

  /** The reviewers decide every open audit. */
  review(status: 0 | 1, reason: string | null = null) {
    for (const app of this.apps.values()) {
      for (const audit of app.audits) if (audit.status === 2 || audit.status === 4) Object.assign(audit, { status, reason });
    }
  }

  async commit(appid: string, body: { userVersion: string }) {
    const app = this.app(appid);
    app.expVersion = body.userVersion;
    app.scanReadyAt = this.now() + 60_000;
    return this.done('commit', appid, undefined);
  }

  async getCodePrivacyInfo(appid: string) {
    if (this.now() < this.app(appid).scanReadyAt) throw new ShipRefusal(61039);
    return this.done('getCodePrivacyInfo', appid, { withoutAuthList: [], withoutConfList: [] });
  }

  async submitAudit(appid: string) {
    const app = this.app(appid);
    if (!app.expVersion) throw new ShipRefusal(86001);
    if (app.audits.some((a) => a.status === 2 || a.status === 4)) throw new ShipRefusal(85009);
    if (this.quota.rest <= 0) throw new ShipRefusal(85085);
    this.quota.rest -= 1;
    const auditid = this.nextAuditId++;
    const audit = { auditid, status: 2, userVersion: app.expVersion, submittedAt: this.now(), reason: null, screenshot: null };
    app.audits.push(audit);
    return this.done('submitAudit', appid, { auditid });
  }

  async getLatestAuditStatus(appid: string) {
    const audits = this.app(appid).audits;
    return this.done('getLatestAuditStatus', appid, audits.length ? { ...audits[audits.length - 1] } : null);
  }

  async getAuditStatus(appid: string, auditid: number) {
    const audit = this.app(appid).audits.find((a) => a.auditid === auditid);
    if (!audit) throw new ShipRefusal(85012);
    return this.done('getAuditStatus', appid, { status: audit.status, reason: audit.reason, screenshot: audit.screenshot });
  }

  async getVersionInfo(appid: string) {
    const app = this.app(appid);
    return this.done('getVersionInfo', appid, { expVersion: app.expVersion, releaseVersion: app.releaseVersion });
  }

  async release(appid: string) {
    const app = this.app(appid);
    const approved = [...app.audits].reverse().find((a) => a.status === 0);
    if (!approved) throw new ShipRefusal(85019);
    if (app.releaseVersion === approved.userVersion) throw new ShipRefusal(85052);
    if (app.releaseVersion) app.history.push(app.releaseVersion);
    app.releaseVersion = approved.userVersion;
    return this.done('release', appid, undefined);
  }

  async grayRelease(appid: string, percentage: number) {
    const app = this.app(appid);
    const approved = [...app.audits].reverse().find((a) => a.status === 0);
    if (!app.releaseVersion) throw new ShipRefusal(85079);
    // Already online (a plan completed by 100): no approved version left to release (spec §5.2).
    if (!approved || app.releaseVersion === approved.userVersion) throw new ShipRefusal(85080);
    if (app.gray && app.gray.percentage >= percentage) throw new ShipRefusal(85082);
    app.gray = { version: approved.userVersion, percentage };
    if (percentage === 100) {
      app.history.push(app.releaseVersion);
      app.releaseVersion = approved.userVersion;
    }
    return this.done('grayRelease', appid, undefined);
  }

  async revertCodeRelease(appid: string) {
    const app = this.app(appid);
    const previous = app.history.pop();
    if (!previous) throw new ShipRefusal(87012);
    app.releaseVersion = previous;
    return this.done('revertCodeRelease', appid, undefined);
  }

  async revertGrayRelease(appid: string) {
    this.app(appid).gray = null;
    return this.done('revertGrayRelease', appid, undefined);
  }

  async queryQuota(appid: string) {
    return this.done('queryQuota', appid, { ...this.quota });
  }

  async getCategory(appid: string) {
    return this.done('getCategory', appid, [CATEGORY]);
  }

  async getPrivacySetting(appid: string) {
    return this.done('getPrivacySetting', appid, { privacyKeys: [], settings: [] });
  }

  /** The call took effect; now its reply may be lost, or the process may die. */
  private done<T>(method: Method, appid: string, result: T): T {
    this.landed.push({ method, appid });
    const fault = this.fault;
    if (fault?.method === method && fault.seen++ === fault.nth) {
      this.fault = null;
      if (fault.kind === 'crash') this.onCrash();
      throw fault.kind === 'lost' ? new LostReply(`${method}: reply lost`) : new Crash(`${method}: process died`);
    }
    return result;
  }
}
