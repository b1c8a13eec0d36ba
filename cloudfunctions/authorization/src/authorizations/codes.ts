import { createHash } from 'node:crypto';
import { Claims, type ClaimToken } from '../claims';
import type { AuthCodeDoc } from '../model';
import { COLLECTIONS, type Query, type Store } from '../store';

/** The authCodes collection: one record per authorization code, keyed by the code's hash. */

export const codeIdFor = (code: string) => createHash('sha256').update(code).digest('hex');

/** What a signed push tells about a code. */
export interface SignedFacts {
  sessionId: string | null;
  authorizerAppid: string;
  eventAt: number;
  event: AuthCodeDoc['event'];
}

export class AuthCodes {
  readonly claims: Claims;

  constructor(
    private readonly store: Store,
    holder: string,
    private readonly now: () => number,
  ) {
    this.claims = new Claims({ store, collection: COLLECTIONS.authCodes, holder, now });
  }

  get(id: string): Promise<AuthCodeDoc | null> {
    return this.store.get<AuthCodeDoc>(COLLECTIONS.authCodes, id);
  }

  /**
   * Claims the code's record for `ttlMs`, creating it from the arrival if it is new, or taking it
   * over if its holder's time has run out; the claim's token, or null: someone else holds it, or it is settled.
   * A signed arrival's facts go into the record either way (WeChat signs the same facts for a code
   * every time), so a push costs one write when its code is new.
   */
  claim(
    id: string,
    code: string,
    ttlMs: number,
    arrival: Pick<AuthCodeDoc, 'expiresAt' | 'callbackSessionId'> & Partial<SignedFacts>,
  ): Promise<ClaimToken | null> {
    const initial: Omit<AuthCodeDoc, '_id' | 'leaseOwner' | 'leaseUntil' | 'claimState'> = {
      code,
      stage: 'received',
      signed: arrival.authorizerAppid !== undefined,
      sessionId: arrival.sessionId ?? null,
      authorizerAppid: arrival.authorizerAppid ?? null,
      eventAt: arrival.eventAt ?? 0,
      event: arrival.event ?? 'authorized',
      callbackSessionId: arrival.callbackSessionId,
      exchangeAttempts: 0,
      exchanged: null,
      bindingDone: false,
      error: null,
      createdAt: this.now(),
      expiresAt: arrival.expiresAt,
    };
    const { sessionId, authorizerAppid, eventAt, event } = initial;
    const signed = initial.signed ? { signed: true, sessionId, authorizerAppid, eventAt, event } : {};
    return this.claims.acquire(id, ttlMs, initial, signed);
  }

  /**
   * A signed push names a code: record what WeChat signed (once), and reopen a settled record that
   * still owes what only a signed push can do: a binding, or a recovery after an unsigned failure.
   */
  async attachSigned(id: string, facts: SignedFacts): Promise<void> {
    await this.store.updateWhere(COLLECTIONS.authCodes, { _id: id, signed: false }, { signed: true, ...facts });
    await this.reopen(id);
  }

  async reopen(id: string): Promise<void> {
    const _ = this.store.command;
    await this.store.updateWhere(
      COLLECTIONS.authCodes,
      { _id: id, signed: true, bindingDone: false, claimState: _.in(['done', 'failed']) },
      { leaseUntil: 0 },
    );
  }

  /** Records the holder's progress; false when its claim was taken over meanwhile. */
  progress(id: string, token: ClaimToken, data: Query): Promise<boolean> {
    return this.claims.progress(id, token, data);
  }

  /** Unfinished records of a session (the page's poll finishes them). */
  findOpenForSession(sessionId: string): Promise<AuthCodeDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthCodeDoc>(COLLECTIONS.authCodes, { sessionId, claimState: _.neq('done') }, { limit: 10 });
  }

  /** Records whose holder died or gave up, that the timer can move on. */
  findStuck(limit: number): Promise<AuthCodeDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthCodeDoc>(
      COLLECTIONS.authCodes,
      { claimState: 'in_progress', leaseUntil: _.lt(this.now()), stage: _.neq('awaiting_appid') },
      { orderBy: ['leaseUntil', 'asc'], limit },
    );
  }

  /** Spent codes still waiting for a push that named their account, past `before` (their code's expiry and grace). */
  findAwaitingSince(before: number, limit: number): Promise<AuthCodeDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthCodeDoc>(
      COLLECTIONS.authCodes,
      { stage: 'awaiting_appid', claimState: 'in_progress', expiresAt: _.lt(before) },
      { orderBy: ['expiresAt', 'asc'], limit },
    );
  }

  /** Retention: settled records older than `ageMs` (a spent code is never needed again). */
  removeSettledBefore(ageMs: number): Promise<number> {
    const _ = this.store.command;
    return this.store.removeWhere(COLLECTIONS.authCodes, {
      claimState: _.in(['done', 'failed']),
      createdAt: _.lt(this.now() - ageMs),
    });
  }
}
