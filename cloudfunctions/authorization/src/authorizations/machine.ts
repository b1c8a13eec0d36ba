import type { ActionError } from '../../../../typings/api';
import { recordGrant, recordRevocation } from '../authorizers/records';
import type { AuthorizerTokens } from '../authorizers/tokens';
import { FOREVER, waitWithBackoff } from '../claims';
import type { Logger } from '../logger';
import type { AuthCodeDoc, AuthorizerDoc } from '../model';
import { OpenApiError } from '../openapi/errors';
import { LATE_PUSH_GRACE_MS, type Sessions } from '../sessions/sessions';
import { COLLECTIONS, type Store } from '../store';
import type { Upstream } from '../upstream';
import { codeIdFor, type AuthCodes, type SignedFacts } from './codes';

/**
 * The authorization state machine (DESIGN: "The authorization is one state machine"). Every way
 * news of a code reaches us (the signed push, the unsigned callback, the page's poll, the timer)
 * is an input here, and moves the code's one record through its stages:
 *
 *   received → exchanging → exchanged → recorded → done
 *                 ↘ awaiting_appid (spent, reply lost, appid unknown: the push names it) ↗
 *                 ↘ failed (WeChat refused the code)
 *
 * Whoever holds the record's claim advances it; a dead holder is taken over after its claim ends.
 */

export type CodeOutcome =
  | { state: 'done'; authorizerAppid: string; record: AuthCodeDoc }
  | { state: 'failed'; error: ActionError }
  | { state: 'processing' }
  /** The code is spent but its answer was lost: WeChat's push will name the account. */
  | { state: 'awaiting_push' };

export type Arrival =
  | { source: 'push'; code: string; expiresAt: number; facts: SignedFacts }
  | { source: 'callback'; code: string; expiresAt: number; callbackSessionId: string };

export interface MachineDeps {
  store: Store;
  codes: AuthCodes;
  upstream: Upstream;
  sessions: Sessions;
  authorizerTokens: AuthorizerTokens;
  holder: string;
  log: Logger;
  now: () => number;
}

/** How long a holder may take before another arrival, the poll or the timer takes over. */
export const CODE_CLAIM_TTL_MS = 20_000;

type Exchanged = NonNullable<AuthCodeDoc['exchanged']>;

const PROCESSING: CodeOutcome = { state: 'processing' };

export class AuthorizationMachine {
  constructor(private readonly deps: MachineDeps) {}

  /** One arrival of a code; answers within about `budgetMs` (unfinished work stays claimable). */
  async arrive(arrival: Arrival, budgetMs: number): Promise<CodeOutcome> {
    const { codes } = this.deps;
    const id = codeIdFor(arrival.code);
    if (arrival.source === 'push') await codes.attachSigned(id, arrival.facts);
    const fields =
      arrival.source === 'push'
        ? { expiresAt: arrival.expiresAt, callbackSessionId: null, ...arrival.facts }
        : { expiresAt: arrival.expiresAt, callbackSessionId: arrival.callbackSessionId };
    if (await codes.claim(id, arrival.code, CODE_CLAIM_TTL_MS, fields)) return this.runWithin(id, budgetMs);
    // Someone else holds it: a push still leaves what WeChat signed, for the holder or a reopening.
    if (arrival.source === 'push') await codes.attachSigned(id, arrival.facts);
    return this.resume(id, budgetMs);
  }

  /**
   * Moves a known record on (the page's poll, the timer, a second arrival): advances it if nobody
   * holds it, else waits for its holder, taking over if that holder's claim ends within the budget.
   */
  async resume(id: string, budgetMs: number): Promise<CodeOutcome> {
    const deadline = performance.now() + budgetMs;
    const left = () => Math.max(deadline - performance.now(), 0);
    for (;;) {
      if (await this.deps.codes.claims.acquire(id, CODE_CLAIM_TTL_MS)) return this.runWithin(id, Math.max(left(), 500));
      const seen = await this.watch(id, left());
      if (seen !== 'claimable') return seen ? this.view(seen) : PROCESSING;
    }
  }

  /** The page's poll: finishes what WeChat signed for this session and nobody is finishing. */
  async finishForSession(sessionId: string, budgetMs: number): Promise<void> {
    for (const doc of await this.deps.codes.findOpenForSession(sessionId)) await this.resume(doc._id, budgetMs);
  }

  /** The timer: records whose holder died or gave up, oldest first. */
  async resumeStuck(limit: number, budgetMs: number): Promise<number> {
    let finished = 0;
    for (const doc of await this.deps.codes.findStuck(limit)) {
      if ((await this.resume(doc._id, budgetMs)).state === 'done') finished += 1;
    }
    return finished;
  }

  /**
   * The timer: a spent code whose answer was lost waits for WeChat's push to name its account; once
   * no push could bind anything any more (the code's life and the late-push grace are over), it is
   * settled as failed. Reconcile still records the account from WeChat's list, without an owner.
   */
  async abandonUnnamed(limit: number): Promise<number> {
    const { codes, store, now } = this.deps;
    const error: ActionError = { code: 'UPSTREAM', message: '微信没有发来这次授权的通知，请回到服务商小程序查看，或重新发起授权' };
    let abandoned = 0;
    for (const doc of await codes.findAwaitingSince(now() - LATE_PUSH_GRACE_MS, limit)) {
      if (!(await codes.claims.acquire(doc._id, CODE_CLAIM_TTL_MS))) continue;
      await codes.claims.settle(doc._id, 'failed', { stage: 'failed', error: store.command.set(error), bindingDone: true });
      abandoned += 1;
    }
    return abandoned;
  }

  /** What a record says now, without moving it. */
  async outcomeOf(id: string): Promise<CodeOutcome | null> {
    const doc = await this.deps.codes.get(id);
    return doc ? this.view(doc) : null;
  }

  /**
   * Waits for the holder to settle the record, or until it can be claimed (its holder died, or a
   * settled record still owes a binding and is reopened); null when the budget ends first.
   */
  private watch(id: string, budgetMs: number): Promise<AuthCodeDoc | 'claimable' | null> {
    const { codes, now } = this.deps;
    return waitWithBackoff<AuthCodeDoc | 'claimable' | null>(
      async () => {
        const doc = await codes.get(id);
        if (!doc) return null;
        if (doc.leaseUntil < now()) return 'claimable';
        if (doc.claimState === 'in_progress') return undefined;
        // Settled by a holder that had not seen the push yet: the binding is still owed.
        if (doc.signed && !doc.bindingDone) {
          await codes.reopen(id);
          return 'claimable';
        }
        return doc;
      },
      budgetMs,
      () => null,
    );
  }

  private runWithin(id: string, budgetMs: number): Promise<CodeOutcome> {
    const run = this.run(id).catch((error: unknown) => {
      this.deps.log.warn('authorization step failed', { reason: error instanceof Error ? error.name : 'error' });
      return PROCESSING;
    });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<CodeOutcome>((resolve) => {
      timer = setTimeout(() => resolve(PROCESSING), budgetMs);
    });
    return Promise.race([run, budget]).finally(() => clearTimeout(timer));
  }

  /** Holding the claim: advance stage by stage until the record settles or waits for the push. */
  private async run(id: string): Promise<CodeOutcome> {
    const { codes, holder } = this.deps;
    try {
      for (;;) {
        const doc = await codes.get(id);
        if (!doc) return PROCESSING;
        if (doc.leaseOwner !== holder || doc.claimState !== 'in_progress') return this.view(doc);
        const moved = await this.step(doc);
        if (!moved) return this.view((await codes.get(id)) ?? doc);
      }
    } catch (error) {
      // Transient (WeChat or the database): give the claim back so the next input finishes it.
      await codes.claims.release(id);
      throw error;
    }
  }

  /** One transition; false when the record settled or must wait for an input. */
  private step(doc: AuthCodeDoc): Promise<boolean> {
    switch (doc.stage) {
      case 'exchanged':
        return this.record(doc);
      case 'recorded':
        return this.bind(doc);
      default:
        return this.exchange(doc);
    }
  }

  private async exchange(doc: AuthCodeDoc): Promise<boolean> {
    if (!doc.code) return this.recoverOrWait(doc);
    // Never spend a call on a code that has run out; a session it was meant for expires by itself.
    if (this.deps.now() > doc.expiresAt) {
      return doc.exchangeAttempts > 0 ? this.recoverOrWait({ ...doc, code: null }) : this.expire(doc);
    }
    // Counted before the call: if we die while it is in flight, the next holder knows the code may be spent.
    const counted = await this.deps.codes.progress(doc._id, { stage: 'exchanging', exchangeAttempts: doc.exchangeAttempts + 1 });
    if (!counted) return false;
    try {
      return await this.queryAuth(doc, doc.code);
    } catch (error) {
      return this.afterRefusal(doc, error);
    }
  }

  private async queryAuth(doc: AuthCodeDoc, code: string): Promise<boolean> {
    const { upstream, now } = this.deps;
    const { authorization_info: auth } = await upstream.withComponentToken((token) => upstream.client.queryAuth(token, code));
    const exchanged = {
      authorizerAppid: auth.authorizer_appid,
      grantedSets: (auth.func_info ?? []).map((f) => f.funcscope_category.id),
    };
    const eventAt = doc.eventAt || now();
    if (auth.authorizer_refresh_token) {
      await this.keepTokens(exchanged.authorizerAppid, eventAt, {
        accessToken: auth.authorizer_access_token ?? null,
        expiresIn: auth.expires_in ?? 0,
        refreshToken: auth.authorizer_refresh_token,
      });
    }
    return this.markExchanged(doc, exchanged, eventAt);
  }

  /** WeChat said no to api_query_auth: revoked meanwhile, spent by us earlier, or a bad code. */
  private afterRefusal(doc: AuthCodeDoc, error: unknown): Promise<boolean> {
    // The merchant revoked before we exchanged (61003): the grant happened, and is over.
    if (error instanceof OpenApiError && error.category === 'authorization') return this.revokedMeanwhile(doc);
    if (!(error instanceof OpenApiError && error.category === 'code')) throw error;
    // A 61009 after an earlier attempt (a holder that died, or our own retry) may mean "spent by us".
    if (doc.exchangeAttempts > 0 || error.attempts > 1) return this.recoverOrWait({ ...doc, code: null });
    return this.refuse(doc, error.errcode === 61010 ? '授权码已过期，请重新授权' : '授权码无效或已被使用，请重新授权');
  }

  /**
   * The code is spent and its answer lost. api_get_authorizer_info returns the same refresh token and
   * sets (spec §4.5), but only for a named account: without the push's appid, wait for the push.
   */
  private async recoverOrWait(doc: AuthCodeDoc): Promise<boolean> {
    const { codes, upstream } = this.deps;
    if (!doc.authorizerAppid) {
      await codes.progress(doc._id, { stage: 'awaiting_appid', code: null });
      await codes.claims.release(doc._id);
      return false;
    }
    const appid = doc.authorizerAppid;
    const info = await upstream.withComponentToken((token) => upstream.client.getAuthorizerInfo(token, appid));
    const auth = info.authorization_info;
    const eventAt = doc.eventAt || this.deps.now();
    if (auth?.authorizer_refresh_token) {
      await this.keepTokens(appid, eventAt, { accessToken: null, expiresIn: 0, refreshToken: auth.authorizer_refresh_token });
    }
    const grantedSets = (auth?.func_info ?? []).map((f) => f.funcscope_category.id);
    return this.markExchanged(doc, { authorizerAppid: appid, grantedSets }, eventAt);
  }

  private markExchanged(doc: AuthCodeDoc, exchanged: Exchanged, eventAt: number): Promise<boolean> {
    const { codes, store } = this.deps;
    return codes.progress(doc._id, {
      stage: 'exchanged',
      code: null,
      exchanged: store.command.set(exchanged),
      authorizerAppid: doc.authorizerAppid ?? exchanged.authorizerAppid,
      eventAt,
    });
  }

  /** New tokens replace the kept ones unless a newer event (a later revoke or grant) is recorded. */
  private async keepTokens(appid: string, eventAt: number, issued: Parameters<AuthorizerTokens['save']>[1]): Promise<void> {
    const { store, authorizerTokens } = this.deps;
    const current = await store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
    if (current && current.lastEventAt > eventAt) return;
    await authorizerTokens.save(appid, issued);
  }

  private async refuse(doc: AuthCodeDoc, message: string): Promise<boolean> {
    const { codes, sessions } = this.deps;
    const error: ActionError = { code: 'UPSTREAM', message };
    // Only a signed push may fail a session; an unsigned failure stays reopenable by the push.
    await codes.claims.settle(
      doc._id,
      'failed',
      { stage: 'failed', code: null, error: this.deps.store.command.set(error), bindingDone: doc.signed },
      FOREVER,
    );
    if (doc.signed && doc.sessionId) await sessions.markFailed(doc.sessionId, error);
    return false;
  }

  /**
   * A signed grant whose account was revoked before we could exchange its code: the merchant did
   * authorize, so the session is theirs, and the account shows as revoked (WeChat's final state).
   */
  private async revokedMeanwhile(doc: AuthCodeDoc): Promise<boolean> {
    const { codes, store, sessions, now } = this.deps;
    if (!doc.signed || !doc.authorizerAppid) return this.refuse(doc, '该账号已取消授权，请重新授权');
    const appid = doc.authorizerAppid;
    await recordRevocation(store, appid, doc.eventAt, now());
    if (doc.sessionId) await sessions.bind(doc.sessionId, appid, doc.eventAt);
    const exchanged: Exchanged = { authorizerAppid: appid, grantedSets: [] };
    await codes.claims.settle(doc._id, 'done', {
      stage: 'recorded',
      code: null,
      exchanged: store.command.set(exchanged),
      bindingDone: true,
    });
    return false;
  }

  private async expire(doc: AuthCodeDoc): Promise<boolean> {
    const error: ActionError = { code: 'UPSTREAM', message: '授权码已过期，请重新授权' };
    await this.deps.codes.claims.settle(doc._id, 'failed', {
      stage: 'failed',
      code: null,
      error: this.deps.store.command.set(error),
      bindingDone: true,
    });
    return false;
  }

  private async record(doc: AuthCodeDoc): Promise<boolean> {
    const { store, upstream, codes, now } = this.deps;
    const exchanged = doc.exchanged as Exchanged;
    const appid = exchanged.authorizerAppid;
    const { authorizer_info: profile } = await upstream.withComponentToken((token) =>
      upstream.client.getAuthorizerInfo(token, appid),
    );
    await recordGrant(store, {
      appid,
      profile,
      grantedSets: exchanged.grantedSets,
      event: doc.event,
      eventAt: doc.eventAt || now(),
      now: now(),
    });
    return codes.progress(doc._id, { stage: 'recorded' });
  }

  /** Binds the session WeChat signed for, then settles; an unsigned record settles unbound (a push reopens it). */
  private async bind(doc: AuthCodeDoc): Promise<boolean> {
    const { codes, sessions, log } = this.deps;
    const exchanged = doc.exchanged as Exchanged;
    if (doc.signed && doc.sessionId) {
      if (doc.authorizerAppid === exchanged.authorizerAppid)
        await sessions.bind(doc.sessionId, exchanged.authorizerAppid, doc.eventAt);
      else log.warn('push and exchange name different accounts', { appid: doc.authorizerAppid });
    }
    await codes.claims.settle(doc._id, 'done', { bindingDone: doc.signed }, FOREVER);
    return false;
  }

  private view(doc: AuthCodeDoc): CodeOutcome {
    if (doc.claimState === 'done' && doc.exchanged)
      return { state: 'done', authorizerAppid: doc.exchanged.authorizerAppid, record: doc };
    if (doc.claimState === 'failed') return { state: 'failed', error: doc.error ?? { code: 'UPSTREAM', message: '授权未完成' } };
    if (doc.stage === 'awaiting_appid') return { state: 'awaiting_push' };
    return PROCESSING;
  }
}
