import type { ActionError } from '../../../../typings/api';
import type { AuthorizerTokens } from '../authorizers/tokens';
import { waitWithBackoff, type ClaimToken } from '../claims';
import type { Logger } from '../logger';
import type { AuthCodeDoc } from '../model';
import { LATE_PUSH_GRACE_MS, type Sessions } from '../sessions/sessions';
import type { Store } from '../store';
import type { Upstream } from '../upstream';
import { codeIdFor, type AuthCodes, type SignedFacts } from './codes';
import { CodeRun } from './run';

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

const PROCESSING: CodeOutcome = { state: 'processing' };

export class AuthorizationMachine {
  constructor(private readonly deps: MachineDeps) {}

  /** One arrival of a code; answers within about `budgetMs` (unfinished work stays claimable). */
  async arrive(arrival: Arrival, budgetMs: number): Promise<CodeOutcome> {
    const { codes } = this.deps;
    const id = codeIdFor(arrival.code);
    const fields =
      arrival.source === 'push'
        ? { expiresAt: arrival.expiresAt, callbackSessionId: null, ...arrival.facts }
        : { expiresAt: arrival.expiresAt, callbackSessionId: arrival.callbackSessionId };
    const token = await codes.claim(id, arrival.code, CODE_CLAIM_TTL_MS, fields);
    if (token) return this.runWithin(id, token, budgetMs);
    // Someone else holds it, or it is settled: a push still leaves what WeChat signed, for the
    // holder or a reopening (a settled record that owes a binding is reopened for the resume).
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
      const token = await this.deps.codes.claims.acquire(id, CODE_CLAIM_TTL_MS);
      if (token) return this.runWithin(id, token, Math.max(left(), 500));
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
    const error: ActionError = {
      code: 'UPSTREAM',
      message: '微信没有发来这次授权的通知，请回到服务商小程序查看，或重新发起授权',
    };
    let abandoned = 0;
    for (const doc of await codes.findAwaitingSince(now() - LATE_PUSH_GRACE_MS, limit)) {
      const token = await codes.claims.acquire(doc._id, CODE_CLAIM_TTL_MS);
      if (!token) continue;
      await codes.claims.settle(doc._id, token, 'failed', {
        stage: 'failed',
        error: store.command.set(error),
        bindingDone: true,
      });
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

  private runWithin(id: string, token: ClaimToken, budgetMs: number): Promise<CodeOutcome> {
    const run = new CodeRun(this.deps, id, token)
      .advance()
      .then((doc) => (doc ? this.view(doc) : PROCESSING))
      .catch((error: unknown) => {
        this.deps.log.warn('authorization step failed', { reason: error instanceof Error ? error.name : 'error' });
        return PROCESSING;
      });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<CodeOutcome>((resolve) => {
      timer = setTimeout(() => resolve(PROCESSING), budgetMs);
    });
    return Promise.race([run, budget]).finally(() => clearTimeout(timer));
  }

  private view(doc: AuthCodeDoc): CodeOutcome {
    if (doc.claimState === 'done' && doc.exchanged)
      return { state: 'done', authorizerAppid: doc.exchanged.authorizerAppid, record: doc };
    if (doc.claimState === 'failed') return { state: 'failed', error: doc.error ?? { code: 'UPSTREAM', message: '授权未完成' } };
    if (doc.stage === 'awaiting_appid') return { state: 'awaiting_push' };
    return PROCESSING;
  }
}
