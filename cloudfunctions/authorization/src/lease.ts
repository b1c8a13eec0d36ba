import { Claims, waitWithBackoff } from './claims';
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

const claimsOf = (spec: LeaseSpec) =>
  new Claims({ store: spec.store, collection: spec.collection, holder: spec.owner, now: spec.now });

/** A lease is a claim on an existing document, given back (not settled) when the work is done. */
export async function tryAcquireLease(spec: LeaseSpec): Promise<boolean> {
  return claimsOf(spec).acquire(spec.id, spec.ttlMs ?? DEFAULT_TTL_MS);
}

export async function releaseLease(spec: LeaseSpec): Promise<void> {
  await claimsOf(spec).release(spec.id);
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
  const attempt = async (): Promise<T | undefined> => {
    const current = await spec.read();
    if (current !== null) return current;
    if (!(await tryAcquireLease(spec.lease))) return undefined;
    try {
      // Someone may have finished a refresh between our read and our lease.
      return (await spec.read()) ?? (await spec.refresh());
    } finally {
      await releaseLease(spec.lease);
    }
  };
  return waitWithBackoff(attempt, spec.maxWaitMs ?? 12_000, () => {
    throw spec.onGiveUp();
  });
}
