import type { ActionError } from '../../../../typings/api';
import type { CodeRecord, SignedFacts } from '../authorizations/stages';
import { Claims, FOREVER, type ClaimFields, type ClaimToken } from '../claims';
import type { AuthCodeDoc } from '../model';
import { COLLECTIONS, type Query, type Store } from '../store';

/**
 * The authCodes collection: the authorization state machine's records, stored flat and read back
 * typed by stage. Writes carry the holder's claim token and only the stage's own fields, so facts a
 * signed push attached meanwhile are never overwritten.
 */

export interface StoredCode {
  record: CodeRecord;
  claim: ClaimFields;
}

/** How a code first reaches us: with WeChat's signed facts, or as an unsigned callback's hint. */
export type FirstArrival = { expiresAt: number } & (
  { signed: SignedFacts; callbackSessionId: null } | { signed: null; callbackSessionId: string }
);

const DEFAULT_ERROR: ActionError = { code: 'UPSTREAM', message: '授权未完成' };

export class AuthCodesRepository {
  private readonly claims: Claims;

  constructor(
    private readonly store: Store,
    holder: string,
    private readonly now: () => number,
  ) {
    this.claims = new Claims({ store, collection: COLLECTIONS.authCodes, holder, now });
  }

  async get(id: string): Promise<StoredCode | null> {
    const doc = await this.store.get<AuthCodeDoc>(COLLECTIONS.authCodes, id);
    return doc ? { record: recordOf(doc), claim: doc } : null;
  }

  /**
   * Claims the code's record, creating it from the first arrival, or taking it over when its
   * holder's time has run out (a signed arrival's facts go in with the takeover: one write).
   * Null: someone else holds it, or it is settled.
   */
  claimArrival(id: string, code: string, ttlMs: number, arrival: FirstArrival): Promise<ClaimToken | null> {
    const initial: Omit<AuthCodeDoc, '_id' | 'leaseOwner' | 'leaseUntil' | 'claimState'> = {
      code,
      stage: 'received',
      ...signedFields(arrival.signed),
      callbackSessionId: arrival.callbackSessionId,
      exchangeAttempts: 0,
      exchanged: null,
      bindingDone: false,
      error: null,
      createdAt: this.now(),
      expiresAt: arrival.expiresAt,
    };
    return this.claims.acquire(id, ttlMs, initial, arrival.signed ? signedFields(arrival.signed) : {});
  }

  /** Claims an existing record whose time has run out (the poll, the timer, a second arrival). */
  claim(id: string, ttlMs: number): Promise<ClaimToken | null> {
    return this.claims.acquire(id, ttlMs);
  }

  /**
   * A signed push names a code: record what WeChat signed (once), and reopen a settled record that
   * still owes what only a signed push can do (`owesSignedWork`).
   */
  async attachSigned(id: string, facts: SignedFacts): Promise<void> {
    await this.store.updateWhere(COLLECTIONS.authCodes, { _id: id, signed: false }, signedFields(facts));
    await this.reopen(id);
  }

  /** Makes a settled record that owes signed work claimable again. */
  async reopen(id: string): Promise<void> {
    const _ = this.store.command;
    await this.store.updateWhere(
      COLLECTIONS.authCodes,
      { _id: id, signed: true, bindingDone: false, claimState: _.in(['done', 'failed']) },
      { leaseUntil: 0 },
    );
  }

  /**
   * Writes the record's next stage under the claim: settles it when it is done or failed, gives
   * the claim back when it waits for a push. False when the claim was taken over meanwhile.
   */
  async write(id: string, token: ClaimToken, record: CodeRecord): Promise<boolean> {
    const fields = this.stageFields(record);
    if (record.stage === 'done' || record.stage === 'failed') return this.claims.settle(id, token, record.stage, fields, FOREVER);
    if (!(await this.claims.progress(id, token, fields))) return false;
    if (record.stage === 'awaiting_appid') await this.claims.release(id, token);
    return true;
  }

  /** Proves the claim is still held (a write that changes nothing else). */
  fence(id: string, token: ClaimToken): Promise<boolean> {
    return this.claims.progress(id, token, {});
  }

  /** Gives the claim back unfinished (a transient failure): the next input finishes the record. */
  release(id: string, token: ClaimToken): Promise<void> {
    return this.claims.release(id, token);
  }

  /**
   * Records WeChat signed for a session that still owe it something (the page's poll finishes
   * them): unfinished ones, and settled ones whose binding is owed (a push whose own wait ran out).
   */
  async findOpenForSession(sessionId: string): Promise<string[]> {
    return ids(await this.store.find<AuthCodeDoc>(COLLECTIONS.authCodes, { sessionId, bindingDone: false }, { limit: 10 }));
  }

  /** Records the timer can move on: their holder died or gave up, or a signed push's work is owed. */
  async findStuck(limit: number): Promise<string[]> {
    const _ = this.store.command;
    const stuck = { claimState: 'in_progress', leaseUntil: _.lt(this.now()), stage: _.neq('awaiting_appid') };
    const owed = { signed: true, bindingDone: false, claimState: _.in(['done', 'failed']) };
    const docs = await this.store.find<AuthCodeDoc>(COLLECTIONS.authCodes, _.or(stuck, owed), {
      orderBy: ['leaseUntil', 'asc'],
      limit,
    });
    return ids(docs);
  }

  /** Spent codes still waiting for a push that named their account, past `before` (their code's expiry and grace). */
  async findAwaitingSince(before: number, limit: number): Promise<string[]> {
    const _ = this.store.command;
    const docs = await this.store.find<AuthCodeDoc>(
      COLLECTIONS.authCodes,
      { stage: 'awaiting_appid', claimState: 'in_progress', expiresAt: _.lt(before) },
      { orderBy: ['expiresAt', 'asc'], limit },
    );
    return ids(docs);
  }

  /** Retention: settled records older than `ageMs` (a spent code is never needed again). */
  removeSettledBefore(ageMs: number): Promise<number> {
    const _ = this.store.command;
    return this.store.removeWhere(COLLECTIONS.authCodes, {
      claimState: _.in(['done', 'failed']),
      createdAt: _.lt(this.now() - ageMs),
    });
  }

  /** The stage's own fields; never the signed facts (a push may have attached them meanwhile). */
  private stageFields(record: CodeRecord): Query {
    const _ = this.store.command;
    const fields: Query = {
      stage: record.stage,
      code: 'code' in record ? record.code : null,
      exchangeAttempts: record.exchangeAttempts,
    };
    if ('exchanged' in record) fields.exchanged = _.set(record.exchanged);
    if (record.stage === 'failed') fields.error = _.set(record.error);
    if (record.stage === 'done' || record.stage === 'failed') fields.bindingDone = record.bound;
    return fields;
  }
}

function signedFields(
  facts: SignedFacts | null,
): Pick<AuthCodeDoc, 'signed' | 'sessionId' | 'authorizerAppid' | 'eventAt' | 'event'> {
  if (!facts) return { signed: false, sessionId: null, authorizerAppid: null, eventAt: 0, event: 'authorized' };
  return { signed: true, ...facts };
}

const ids = (docs: AuthCodeDoc[]) => docs.map((doc) => doc._id);

/** The typed record a stored document holds (older documents included). */
export function recordOf(doc: AuthCodeDoc): CodeRecord {
  const signed =
    doc.signed && doc.authorizerAppid
      ? { sessionId: doc.sessionId, authorizerAppid: doc.authorizerAppid, eventAt: doc.eventAt, event: doc.event }
      : null;
  const base = {
    id: doc._id,
    signed,
    callbackSessionId: doc.callbackSessionId,
    exchangeAttempts: doc.exchangeAttempts,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
  const { exchanged } = doc;
  if (doc.stage === 'failed') return { ...base, stage: 'failed', error: doc.error ?? DEFAULT_ERROR, bound: doc.bindingDone };
  if (exchanged && (doc.stage === 'done' || doc.claimState === 'done'))
    return { ...base, stage: 'done', exchanged, bound: doc.bindingDone };
  if (exchanged && (doc.stage === 'exchanged' || doc.stage === 'recorded')) return { ...base, stage: doc.stage, exchanged };
  if (doc.code && (doc.stage === 'received' || doc.stage === 'exchanging')) return { ...base, stage: doc.stage, code: doc.code };
  // Spent (its code erased) with nothing learned yet: recovered by the account a push names.
  return { ...base, stage: 'awaiting_appid' };
}
