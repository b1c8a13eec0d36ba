import type { LapseNoticeDoc } from '../model';
import type { AuthorizerStatus } from '../../../../typings/api';
import { ACCOUNT_STATE } from '../../../../miniprogram/shared/status';
import type { AuthorizerDoc } from '../model';
import type { Repositories } from '../repositories';
import type { TimeBudget } from '../timer/budget';
import type { Logger } from '../logger';

/**
 * The lapse notice: when an account becomes needs_reauth or revoked, each owner who agreed
 * (wx.requestSubscribeMessage answered `accept`) gets one subscribe message, through the
 * function's own `cloud.openapi`. Each `accept` allows WeChat to deliver one message, so
 * consents are counted as credits; a lapse is sent to an owner at most once (its record's `_id`
 * is the claim), and never without a credit. The timer finds lapses (within minutes), so no path
 * that records a lapse has to know about notices.
 */

/** The part of wx-server-sdk's `cloud.openapi` used here. */
export interface SubscribeMessageApi {
  subscribeMessage: {
    send(options: {
      touser: string;
      templateId: string;
      page: string;
      data: Record<string, { value: string }>;
      miniprogramState: 'formal';
    }): Promise<{ errCode?: number; errMsg?: string }>;
  };
}

/** Template fields the message fills (LAPSE_NOTICE_FIELDS): the account, its new state, when. */
export interface LapseNoticeFields {
  account: string;
  state: string;
  time: string;
}

export interface LapseNoticeConfig {
  templateId: string;
  fields: LapseNoticeFields;
}

type LapsedStatus = Extract<AuthorizerStatus, 'needs_reauth' | 'revoked'>;

/** A lapse older than this is not announced any more (a deployment whose timer was off for days). */
export const LAPSE_NOTICE_WINDOW_MS = 24 * 3600_000;
/** WeChat: the user has no subscription left for this template (never agreed, or used up). */
const NO_QUOTA = 43101;
/** WeChat's `thing` fields hold at most 20 characters. */
const THING_MAX = 20;

const LAPSE_EVENTS: Record<LapsedStatus, string> = { needs_reauth: 'needs_reauth', revoked: 'unauthorized' };

/** 2026-12-03 18:20 in China time, whatever zone the function runs in (WeChat's `time` field). */
export function chinaTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export class LapseNotices {
  constructor(
    private readonly deps: {
      repositories: Pick<Repositories, 'authorizers' | 'noticeConsents' | 'lapseNotices'>;
      config: LapseNoticeConfig | null;
      openapi: SubscribeMessageApi | null;
      log: Logger;
      now: () => number;
    },
  ) {}

  get enabled(): boolean {
    return this.deps.config !== null && this.deps.openapi !== null;
  }

  async credits(openid: string): Promise<number> {
    return this.deps.repositories.noticeConsents.credits(openid);
  }

  /** The merchant answered wx.requestSubscribeMessage: each `accept` lets WeChat deliver one notice. */
  async consent(openid: string, accepted: boolean): Promise<number> {
    if (accepted) await this.deps.repositories.noticeConsents.addOne(openid, this.deps.now());
    return this.credits(openid);
  }

  /** Drops notice records older than `ageMs` (their lapse is long out of the window). */
  async forgetBefore(ageMs: number): Promise<number> {
    if (!this.enabled) return 0; // no records without a template: spare the timer a database call
    return this.deps.repositories.lapseNotices.removeBefore(this.deps.now() - ageMs);
  }

  /** Announces the lapses of the last day not yet announced, until the budget runs out. */
  async sendDue(budget: TimeBudget): Promise<{ sent: number; withoutConsent: number; failed: number }> {
    const report = { sent: 0, withoutConsent: 0, failed: 0 };
    if (!this.enabled) return report;
    const lapsed = await this.deps.repositories.authorizers.lapsedSince(this.deps.now() - LAPSE_NOTICE_WINDOW_MS);
    for (const doc of lapsed) {
      const lapseAt = lapseTime(doc);
      if (lapseAt === null) continue;
      for (const openid of doc.owners) {
        if (!budget.allows(1000)) return report;
        const outcome = await this.notifyOnce(doc, openid, lapseAt);
        if (outcome === 'sent') report.sent += 1;
        else if (outcome === 'no_consent') report.withoutConsent += 1;
        else if (outcome === 'failed') report.failed += 1;
      }
    }
    return report;
  }

  /** Claims (owner, lapse), spends a credit, sends; 'done' when an earlier run already did. */
  private async notifyOnce(doc: AuthorizerDoc, openid: string, lapseAt: number): Promise<LapseNoticeDoc['outcome'] | 'done'> {
    const { repositories, now, log } = this.deps;
    const { noticeConsents, lapseNotices } = repositories;
    const state = doc.status as LapsedStatus;
    const id = `${doc._id}:${lapseAt}:${openid}`;
    const record: LapseNoticeDoc = { _id: id, appid: doc._id, openid, state, lapseAt, outcome: 'sending', at: now() };
    if (!(await lapseNotices.claim(record))) return 'done';
    if (!(await noticeConsents.spendOne(openid, now()))) {
      await lapseNotices.settle(id, { outcome: 'no_consent' });
      return 'no_consent';
    }
    const errCode = await this.send(doc, openid, state, lapseAt);
    if (errCode === 0) {
      await lapseNotices.settle(id, { outcome: 'sent', at: now() });
      return 'sent';
    }
    // WeChat has no subscription left for this merchant: our count was ahead of it (consent given elsewhere, or used).
    if (errCode === NO_QUOTA) await noticeConsents.zero(openid, now());
    await lapseNotices.settle(id, { outcome: 'failed', errCode, at: now() });
    log.warn('lapse notice failed', { errCode });
    return 'failed';
  }

  /** WeChat's errCode (0 on success); never throws. */
  private async send(doc: AuthorizerDoc, openid: string, state: LapsedStatus, lapseAt: number): Promise<number> {
    const { config, openapi } = this.deps;
    if (!config || !openapi) return -1;
    const name = Array.from(doc.name.trim() || doc._id);
    const account = name.length > THING_MAX ? `${name.slice(0, THING_MAX - 1).join('')}…` : name.join('');
    try {
      const result = await openapi.subscribeMessage.send({
        touser: openid,
        templateId: config.templateId,
        page: `pages/account-detail/index?appid=${doc._id}`,
        data: {
          [config.fields.account]: { value: account },
          [config.fields.state]: { value: ACCOUNT_STATE[state].label },
          [config.fields.time]: { value: chinaTime(lapseAt) },
        },
        miniprogramState: 'formal',
      });
      return result.errCode ?? 0;
    } catch (error) {
      const errCode = (error as { errCode?: unknown } | null)?.errCode;
      return typeof errCode === 'number' ? errCode : -1;
    }
  }
}

/** When the account's current lapse happened: its newest history entry of that kind. */
function lapseTime(doc: AuthorizerDoc): number | null {
  const event = LAPSE_EVENTS[doc.status as LapsedStatus];
  const times = doc.history.filter((change) => change.event === event).map((change) => change.at);
  return times.length ? Math.max(...times) : null;
}
