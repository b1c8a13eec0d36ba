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
}

/** Far enough in the future to mean "never claimable again" (a valid JS Date still). */
export const FOREVER = 8_640_000_000_000_000;

export interface ClaimsOptions {
  store: Store;
  collection: CollectionName;
  /** Names this function instance: only the holder settles or releases its claim. */
  holder: string;
  now: () => number;
}

export class Claims {
  constructor(private readonly options: ClaimsOptions) {}

  /**
   * Takes `id` for `ttlMs`: creates the record (with `initial`) if it is missing, else takes it
   * over when its time has passed. False when someone else holds it or its outcome still stands.
   */
  async acquire(id: string, ttlMs: number, initial?: Query): Promise<boolean> {
    const { store, collection, holder, now } = this.options;
    const at = now();
    const claim: Required<ClaimFields> = { leaseOwner: holder, leaseUntil: at + ttlMs, claimState: 'in_progress' };
    if (initial && (await store.create(collection, { _id: id, ...initial, ...claim }))) return true;
    return (await store.updateWhere(collection, { _id: id, leaseUntil: store.command.lt(at) }, claim)) === 1;
  }

  /** The holder records the outcome; `keepMs` is how long it stands before the key is claimable again. */
  async settle(id: string, state: Exclude<ClaimState, 'in_progress'>, data: Query = {}, keepMs = FOREVER): Promise<boolean> {
    const { store, collection, holder, now } = this.options;
    const until = keepMs >= FOREVER ? FOREVER : now() + keepMs;
    const updated = await store.updateWhere(
      collection,
      { _id: id, leaseOwner: holder, claimState: 'in_progress' },
      { ...data, claimState: state, leaseUntil: until },
    );
    return updated === 1;
  }

  /** The holder writes progress while it still holds the claim (false: it was taken over). */
  async progress(id: string, data: Query): Promise<boolean> {
    const { store, collection, holder } = this.options;
    const updated = await store.updateWhere(collection, { _id: id, leaseOwner: holder, claimState: 'in_progress' }, data);
    return updated === 1;
  }

  /** Gives the key back unfinished (a lease after its work, or a holder that hit a transient error). */
  async release(id: string): Promise<void> {
    const { store, collection, holder } = this.options;
    await store.updateWhere(collection, { _id: id, leaseOwner: holder, claimState: 'in_progress' }, { leaseUntil: 0 });
  }
}

/**
 * Waits for another holder with a growing pause, on real elapsed time (the clock may be moved in
 * tests): resolves with what `check` returns once it is not undefined, or `timedOut()` at the end.
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
