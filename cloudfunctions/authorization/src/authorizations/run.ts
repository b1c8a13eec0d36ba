import type { ActionError } from '../../../../typings/api';
import { observedAt, recordGrant, recordRevocation } from '../authorizers/records';
import type { AuthorizerTokens } from '../authorizers/tokens';
import { FOREVER, type ClaimToken } from '../claims';
import type { AuthCodeDoc, AuthorizerDoc } from '../model';
import { isAuthorizationError, OpenApiError, unlessRevoked } from '../openapi/errors';
import { COLLECTIONS, type Query } from '../store';
import type { MachineDeps } from './machine';

/**
 * One holder's run over one code record (the state machine's transitions, DESIGN.md). Every write
 * carries the run's claim token: once the claim is taken over (a run that outlived its claim, in
 * this instance or another), nothing this run does lands.
 */

type Exchanged = NonNullable<AuthCodeDoc['exchanged']>;

export class CodeRun {
  constructor(
    private readonly deps: MachineDeps,
    private readonly id: string,
    private readonly token: ClaimToken,
  ) {}

  /** Advances stage by stage until the record settles, waits for an input, or the claim is lost. */
  async advance(): Promise<AuthCodeDoc | null> {
    const { codes } = this.deps;
    try {
      for (;;) {
        const doc = await codes.get(this.id);
        if (!doc || doc.leaseOwner !== this.token || doc.claimState !== 'in_progress') return doc;
        if (!(await this.step(doc))) return codes.get(this.id);
      }
    } catch (error) {
      // Transient (WeChat or the database): give the claim back, so the next input finishes it.
      await codes.claims.release(this.id, this.token);
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
    // A spent or signed code recovers by its account instead (the push named it).
    if (this.deps.now() > doc.expiresAt) {
      return doc.exchangeAttempts > 0 || doc.signed ? this.recoverOrWait({ ...doc, code: null }) : this.expire();
    }
    // Counted before the call: if we die while it is in flight, the next holder knows the code may be spent.
    const counted = await this.progress({ stage: 'exchanging', exchangeAttempts: doc.exchangeAttempts + 1 });
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
    const eventAt = doc.eventAt || observedAt(now());
    if (auth.authorizer_refresh_token) {
      await this.keepTokens(exchanged.authorizerAppid, eventAt, {
        accessToken: auth.authorizer_access_token ?? null,
        expiresIn: auth.expires_in ?? 0,
        refreshToken: auth.authorizer_refresh_token,
      });
    }
    return this.markExchanged(exchanged);
  }

  /** WeChat said no to api_query_auth: revoked meanwhile, spent by us earlier, or a bad code. */
  private afterRefusal(doc: AuthCodeDoc, error: unknown): Promise<boolean> {
    // The merchant revoked before we exchanged (61003): the grant happened, and is over.
    if (isAuthorizationError(error)) return this.revokedMeanwhile(doc);
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
      await this.progress({ stage: 'awaiting_appid', code: null });
      await codes.claims.release(this.id, this.token);
      return false;
    }
    const appid = doc.authorizerAppid;
    const info = await unlessRevoked(upstream.withComponentToken((token) => upstream.client.getAuthorizerInfo(token, appid)));
    if (!info) return this.revokedMeanwhile(doc);
    const auth = info.authorization_info;
    const eventAt = doc.eventAt || observedAt(this.deps.now());
    if (auth?.authorizer_refresh_token) {
      await this.keepTokens(appid, eventAt, { accessToken: null, expiresIn: 0, refreshToken: auth.authorizer_refresh_token });
    }
    const grantedSets = (auth?.func_info ?? []).map((f) => f.funcscope_category.id);
    return this.markExchanged({ authorizerAppid: appid, grantedSets });
  }

  /**
   * Only what the exchange learned: the signed facts (account, WeChat's time) may have arrived
   * while the call was in flight, and the copy read before it must not overwrite them.
   */
  private markExchanged(exchanged: Exchanged): Promise<boolean> {
    return this.progress({ stage: 'exchanged', code: null, exchanged: this.deps.store.command.set(exchanged) });
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
    const settled = await codes.claims.settle(
      this.id,
      this.token,
      'failed',
      { stage: 'failed', code: null, error: this.deps.store.command.set(error), bindingDone: doc.signed },
      FOREVER,
    );
    // A run whose claim was taken over leaves the outcome to the new holder.
    if (settled && doc.signed && doc.sessionId) await sessions.markFailed(doc.sessionId, error);
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
    // Fenced first: a run that lost its claim records nothing.
    if (!(await this.progress({ code: null }))) return false;
    await recordRevocation(store, appid, doc.eventAt, now());
    if (doc.sessionId) await sessions.bind(doc.sessionId, appid, doc.eventAt);
    const exchanged: Exchanged = { authorizerAppid: appid, grantedSets: [] };
    await codes.claims.settle(this.id, this.token, 'done', {
      stage: 'recorded',
      exchanged: store.command.set(exchanged),
      bindingDone: true,
    });
    return false;
  }

  private async expire(): Promise<boolean> {
    const error: ActionError = { code: 'UPSTREAM', message: '授权码已过期，请重新授权' };
    await this.deps.codes.claims.settle(this.id, this.token, 'failed', {
      stage: 'failed',
      code: null,
      error: this.deps.store.command.set(error),
      bindingDone: true,
    });
    return false;
  }

  private async record(doc: AuthCodeDoc): Promise<boolean> {
    const { store, upstream, now } = this.deps;
    const exchanged = doc.exchanged as Exchanged;
    const appid = exchanged.authorizerAppid;
    const fetched = await unlessRevoked(upstream.withComponentToken((token) => upstream.client.getAuthorizerInfo(token, appid)));
    if (!fetched) return this.revokedMeanwhile({ ...doc, authorizerAppid: doc.authorizerAppid ?? appid });
    const { authorizer_info: profile, authorization_info: current } = fetched;
    await recordGrant(store, {
      appid,
      profile,
      // The sets WeChat holds now, when it says: two grants within one CreateTime second are
      // ordered by nothing else, and the newer one's sets are what WeChat holds.
      grantedSets: current?.func_info ? current.func_info.map((f) => f.funcscope_category.id) : exchanged.grantedSets,
      event: doc.event,
      eventAt: doc.eventAt || observedAt(now()),
      now: now(),
    });
    return this.progress({ stage: 'recorded' });
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
    await codes.claims.settle(this.id, this.token, 'done', { bindingDone: doc.signed }, FOREVER);
    return false;
  }

  private progress(data: Query): Promise<boolean> {
    return this.deps.codes.progress(this.id, this.token, data);
  }
}
