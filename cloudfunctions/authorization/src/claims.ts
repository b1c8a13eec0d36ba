import { randomBytes } from 'node:crypto';
import type { CollectionName, Query, Store } from './store';

/**
 * The one claim primitive: "this key is mine until T; then it is done or failed, with a result".
 * Push idempotency, code exchange, token refresh leases and the reconcile checkpoint all use it.
 *
 * One rule decides who may act: a record is claimable when `leaseUntil` has passed. In progress,
 * `leaseUntil` is the holder's deadline (a dead holder is taken over after it); once settled it is
 * how long the outcome is kept authoritative (FOREVER for a spent code, 0 for a released lease).
 */
export type ClaimState = 'in_progress' | 'done' | 'failed';

export interface ClaimFields {
  leaseOwner: string;
  leaseUntil: number;
  claimState?: ClaimState;
  /** Writes made under claims so far (see `progress`). */
  claimWrites?: number;
}

/** Far enough in the future to mean "never claimable again" (a valid JS Date still). */
export const FOREVER = 8_640_000_000_000_000;

export interface ClaimsOptions {
  store: Store;
  collection: CollectionName;
  /** Names this function instance in the claims it takes (each claim adds a token of its own). */
  holder: string;
  now: () => number;
}

/**
 * What `acquire` hands its caller: the claim's own token. Only that token settles, advances or
 * releases the claim, so a run whose claim was taken over (even by the same instance) writes nothing.
 */
export type ClaimToken = string;

export class Claims {
  constructor(private readonly options: ClaimsOptions) {}

  /**
   * Takes `id` for `ttlMs`: creates the record (with `initial`) if it is missing, else takes it
   * over when its time has passed, writing `takeover` with the claim. Null when someone else holds
   * it or its outcome still stands.
   */
  async acquire(id: string, ttlMs: number, initial?: Query, takeover: Query = {}): Promise<ClaimToken | null> {
    const { store, collection, holder, now } = this.options;
    const at = now();
    const token = `${holder}:${randomBytes(6).toString('hex')}`;
    const claim = { leaseOwner: token, leaseUntil: at + ttlMs, claimState: 'in_progress' } satisfies ClaimFields;
    if (initial && (await store.create(collection, { _id: id, ...initial, ...claim }))) return token;
    const taken = await store.updateWhere(collection, { _id: id, leaseUntil: store.command.lt(at) }, { ...takeover, ...claim });
    return taken === 1 ? token : null;
  }

  /** The holder records the outcome; `keepMs` is how long it stands before the key is claimable again. */
  async settle(
    id: string,
    token: ClaimToken,
    state: Exclude<ClaimState, 'in_progress'>,
    data: Query = {},
    keepMs = FOREVER,
  ): Promise<boolean> {
    const { store, collection, now } = this.options;
    const until = keepMs >= FOREVER ? FOREVER : now() + keepMs;
    const updated = await store.updateWhere(collection, this.held(id, token), { ...data, claimState: state, leaseUntil: until });
    return updated === 1;
  }

  /**
   * The holder writes progress while it still holds the claim (false: it was taken over). A counter
   * moves with every write, so a write that changes nothing else still proves the claim is held.
   */
  async progress(id: string, token: ClaimToken, data: Query): Promise<boolean> {
    const { store, collection } = this.options;
    return (await store.updateWhere(collection, this.held(id, token), { ...data, claimWrites: store.command.inc(1) })) === 1;
  }

  /**
   * Gives the key back unfinished (a lease after its work, or a holder that hit a transient error);
   * `retryAfterMs` keeps it unclaimable a while, so a failing record does not crowd out the others.
   */
  async release(id: string, token: ClaimToken, retryAfterMs = 0): Promise<void> {
    const { store, collection, now } = this.options;
    await store.updateWhere(collection, this.held(id, token), { leaseUntil: retryAfterMs > 0 ? now() + retryAfterMs : 0 });
  }

  private held(id: string, token: ClaimToken): Query {
    return { _id: id, leaseOwner: token, claimState: 'in_progress' };
  }
}

/**
 * Waits for another holder with a growing pause, on elapsed time (`performance.now`, timers; the
 * local emulator runs both on its clock, so a test's clock decides when a holder's claim ends):
 * resolves with what `check` returns once it is not undefined, or `timedOut()` at the end.
 */
export async function waitWithBackoff<T>(check: () => Promise<T | undefined>, maxWaitMs: number, timedOut: () => T): Promise<T> {
  const deadline = performance.now() + maxWaitMs;
  for (let pause = 25; ; pause = Math.min(pause * 2, 250)) {
    const seen = await check();
    if (seen !== undefined) return seen;
    if (performance.now() > deadline) return timedOut();
    await new Promise<void>((resolve) => setTimeout(resolve, pause));
  }
}
