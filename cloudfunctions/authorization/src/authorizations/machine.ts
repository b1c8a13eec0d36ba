import type { ActionError } from '../../../../typings/api';
import { waitWithBackoff, type ClaimToken } from '../claims';
import type { FirstArrival, StoredCode } from '../repositories/authCodesRepository';
import { LATE_PUSH_GRACE_MS } from '../sessions/sessions';
import { runCode, type RunnerDeps } from './runner';
import { codeIdFor, type CodeInput, type CodeRecord, type SignedFacts } from './stages';

/**
 * The authorization state machine's entry points (DESIGN: "The authorization state machine").
 * Every way news of a code reaches us (the signed push, the unsigned callback, the page's poll, the
 * timer) claims the code's one record and gives its holder a turn; `transitions.ts` decides each
 * move, `runner.ts` performs it. A dead holder is taken over after its claim ends.
 */

export type CodeOutcome =
  | { state: 'done'; authorizerAppid: string; record: CodeRecord }
  | { state: 'failed'; error: ActionError }
  | { state: 'processing' }
  /** The code is spent but its answer was lost: WeChat's push will name the account. */
  | { state: 'awaiting_push' };

export type Arrival =
  | { source: 'push'; code: string; expiresAt: number; facts: SignedFacts }
  | { source: 'callback'; code: string; expiresAt: number; callbackSessionId: string };

export type MachineDeps = RunnerDeps;

/** How long a holder may take before another arrival, the poll or the timer takes over. */
export const CODE_CLAIM_TTL_MS = 20_000;

const PROCESSING: CodeOutcome = { state: 'processing' };

export class AuthorizationMachine {
  constructor(private readonly deps: MachineDeps) {}

  /** One arrival of a code; answers within about `budgetMs` (unfinished work stays claimable). */
  async arrive(arrival: Arrival, budgetMs: number): Promise<CodeOutcome> {
    const { codes } = this.deps;
    const id = codeIdFor(arrival.code);
    const first: FirstArrival =
      arrival.source === 'push'
        ? { expiresAt: arrival.expiresAt, signed: arrival.facts, callbackSessionId: null }
        : { expiresAt: arrival.expiresAt, signed: null, callbackSessionId: arrival.callbackSessionId };
    const token = await codes.claimArrival(id, arrival.code, CODE_CLAIM_TTL_MS, first);
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
      const token = await this.deps.codes.claim(id, CODE_CLAIM_TTL_MS);
      if (token) return this.runWithin(id, token, Math.max(left(), 500));
      const seen = await this.watch(id, left());
      if (seen !== 'claimable') return seen ? outcomeOfRecord(seen.record) : PROCESSING;
    }
  }

  /** The page's poll: finishes what WeChat signed for this session and nobody is finishing. */
  async finishForSession(sessionId: string, budgetMs: number): Promise<void> {
    for (const id of await this.deps.codes.findOpenForSession(sessionId)) await this.resume(id, budgetMs);
  }

  /** The timer: records whose holder died or gave up, oldest first. */
  async resumeStuck(limit: number, budgetMs: number): Promise<number> {
    let finished = 0;
    for (const id of await this.deps.codes.findStuck(limit)) {
      if ((await this.resume(id, budgetMs)).state === 'done') finished += 1;
    }
    return finished;
  }

  /**
   * The timer: a spent code whose answer was lost waits for WeChat's push to name its account; once
   * no push could bind anything any more (the code's life and the late-push grace are over), it is
   * settled as failed. Reconcile still records the account from WeChat's list, without an owner.
   */
  async abandonUnnamed(limit: number): Promise<number> {
    const { codes, now } = this.deps;
    let abandoned = 0;
    for (const id of await codes.findAwaitingSince(now() - LATE_PUSH_GRACE_MS, limit)) {
      const token = await codes.claim(id, CODE_CLAIM_TTL_MS);
      if (!token) continue;
      const after = await this.run(id, token, { kind: 'give_up' });
      if (after?.record.stage === 'failed') abandoned += 1;
    }
    return abandoned;
  }

  /** What a record says now, without moving it. */
  async outcomeOf(id: string): Promise<CodeOutcome | null> {
    const stored = await this.deps.codes.get(id);
    return stored ? outcomeOfRecord(stored.record) : null;
  }

  /**
   * Waits for the holder to settle the record, or until it can be claimed (its holder died, or a
   * settled record still owes a binding and is reopened); null when the budget ends first.
   */
  private watch(id: string, budgetMs: number): Promise<StoredCode | 'claimable' | null> {
    const { codes, now } = this.deps;
    return waitWithBackoff<StoredCode | 'claimable' | null>(
      async () => {
        const stored = await codes.get(id);
        if (!stored) return null;
        if (stored.claim.leaseUntil < now()) return 'claimable';
        if (stored.claim.claimState === 'in_progress') return undefined;
        // Settled by a holder that had not seen the push yet: what the push owes is still to do.
        if (owesSignedWork(stored.record)) {
          await codes.reopen(id);
          return 'claimable';
        }
        return stored;
      },
      budgetMs,
      () => null,
    );
  }

  private run(id: string, token: ClaimToken, first?: CodeInput): Promise<StoredCode | null> {
    return runCode(this.deps, id, token, first);
  }

  private runWithin(id: string, token: ClaimToken, budgetMs: number): Promise<CodeOutcome> {
    const run = this.run(id, token)
      .then((stored) => (stored ? outcomeOfRecord(stored.record) : PROCESSING))
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
}

/** A settled record that a signed push reopens: its binding, or a recovery after an unsigned failure. */
export function owesSignedWork(record: CodeRecord): boolean {
  return (record.stage === 'done' || record.stage === 'failed') && !!record.signed && !record.bound;
}

export function outcomeOfRecord(record: CodeRecord): CodeOutcome {
  switch (record.stage) {
    case 'done':
      return { state: 'done', authorizerAppid: record.exchanged.authorizerAppid, record };
    case 'failed':
      return { state: 'failed', error: record.error };
    case 'awaiting_appid':
      return { state: 'awaiting_push' };
    default:
      return PROCESSING;
  }
}
