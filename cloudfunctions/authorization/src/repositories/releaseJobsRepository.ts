import type { LeaseSpec } from '../lease';
import type { ReleaseJobDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `releaseJobs` collection: QUERY_AUTH_CODE jobs, each run under a lease on its record. */
export class ReleaseJobsRepository {
  constructor(private readonly store: Store) {}

  /** Records a job once: false when it exists (WeChat retried the message). */
  create(doc: ReleaseJobDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.releaseJobs, { ...doc });
  }

  get(id: string): Promise<ReleaseJobDoc | null> {
    return this.store.get<ReleaseJobDoc>(COLLECTIONS.releaseJobs, id);
  }

  lease(id: string, owner: string, now: () => number, ttlMs: number): LeaseSpec {
    return { store: this.store, collection: COLLECTIONS.releaseJobs, id, owner, now, ttlMs };
  }

  async markExchanged(id: string): Promise<void> {
    await this.store.update(COLLECTIONS.releaseJobs, id, { exchanged: true });
  }

  async noteAttempt(id: string, attempts: number, error: string): Promise<void> {
    await this.store.update(COLLECTIONS.releaseJobs, id, { attempts, error });
  }

  /** Settles the job and forgets its code. */
  async finish(id: string, state: 'done' | 'failed', error: string | null, at: number): Promise<void> {
    await this.store.update(COLLECTIONS.releaseJobs, id, { state, error, code: null, finishedAt: at });
  }

  /** Pending jobs nobody holds at `at`. */
  pendingUnheld(at: number, limit: number): Promise<ReleaseJobDoc[]> {
    return this.store.find<ReleaseJobDoc>(
      COLLECTIONS.releaseJobs,
      { state: 'pending', leaseUntil: this.store.command.lt(at) },
      { limit },
    );
  }

  countInState(state: ReleaseJobDoc['state']): Promise<number> {
    return this.store.count(COLLECTIONS.releaseJobs, { state });
  }
}
