import type { RateLimitDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `rateLimits` collection: one counter per key and window. */
export class RateLimitsRepository {
  constructor(private readonly store: Store) {}

  /** Starts a window's counter at 1; false when it exists. */
  start(doc: RateLimitDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.rateLimits, { ...doc });
  }

  /** Counts one more, only while the counter is below `max`; false when the budget is spent. */
  async incrementBelow(id: string, max: number): Promise<boolean> {
    const _ = this.store.command;
    return (await this.store.updateWhere(COLLECTIONS.rateLimits, { _id: id, count: _.lt(max) }, { count: _.inc(1) })) === 1;
  }

  removeEndedBefore(at: number): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.rateLimits, { expiresAt: this.store.command.lt(at) });
  }
}
