import type { CollectionName, Store } from './store';

/**
 * One refresher at a time across all function instances: a lease is a conditional update on the
 * document that holds the value (owner + expiry), so it needs nothing but the database.
 */
export interface LeaseSpec {
  store: Store;
  collection: CollectionName;
  id: string;
  owner: string;
  now: () => number;
  /** How long a holder may take before others may take over (a crashed holder never releases). */
  ttlMs?: number;
}

const DEFAULT_TTL_MS = 15_000;

export async function tryAcquireLease(spec: LeaseSpec): Promise<boolean> {
  const { store, collection, id, owner, now } = spec;
  const at = now();
  const updated = await store.updateWhere(
    collection,
    { _id: id, leaseUntil: store.command.lt(at) },
    { leaseOwner: owner, leaseUntil: at + (spec.ttlMs ?? DEFAULT_TTL_MS) },
  );
  return updated === 1;
}

export async function releaseLease(spec: LeaseSpec): Promise<void> {
  await spec.store.updateWhere(spec.collection, { _id: spec.id, leaseOwner: spec.owner }, { leaseUntil: 0 });
}

export interface FreshValueSpec<T> {
  lease: LeaseSpec;
  /** The current value if it is still good, else null. */
  read: () => Promise<T | null>;
  /** Produces and stores a new value; only ever called while holding the lease. */
  refresh: () => Promise<T>;
  /** How long a caller waits for another instance's refresh before giving up. */
  maxWaitMs?: number;
  onGiveUp: () => Error;
}

/**
 * Returns a good value: the stored one if fresh, else the one this caller refreshes under the
 * lease, else the one another caller refreshes while this one waits. Exactly one refresh happens
 * however many callers arrive at once.
 */
export async function freshValue<T>(spec: FreshValueSpec<T>): Promise<T> {
  // Real elapsed time, not the (possibly shifted) wall clock.
  const deadline = performance.now() + (spec.maxWaitMs ?? 12_000);
  let pause = 25;
  for (;;) {
    const current = await spec.read();
    if (current !== null) return current;
    if (await tryAcquireLease(spec.lease)) {
      try {
        // Someone may have finished a refresh between our read and our lease.
        return (await spec.read()) ?? (await spec.refresh());
      } finally {
        await releaseLease(spec.lease);
      }
    }
    if (performance.now() > deadline) throw spec.onGiveUp();
    await sleep(pause);
    pause = Math.min(pause * 2, 250);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
