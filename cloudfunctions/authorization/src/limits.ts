import type { RateLimitDoc } from './model';
import { COLLECTIONS, type Store } from './store';

/**
 * Fixed-window counters in the database, shared by every instance: anything a stranger can
 * repeat at will (a callback with made-up codes, new pre_auth_codes) costs a bounded number of
 * WeChat calls and documents.
 */
export interface Limit {
  /** What is counted, e.g. `session:<openid>`; the window is appended. */
  key: string;
  max: number;
  windowMs: number;
}

export class RateLimits {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** Counts one use; false (and nothing counted) when the window's budget is spent. */
  async take({ key, max, windowMs }: Limit): Promise<boolean> {
    const at = this.now();
    const window = Math.floor(at / windowMs);
    const id = `${key}:${window}`;
    const doc: RateLimitDoc = { _id: id, count: 1, expiresAt: (window + 1) * windowMs };
    if (await this.store.create(COLLECTIONS.rateLimits, { ...doc })) return true;
    const _ = this.store.command;
    return (await this.store.updateWhere(COLLECTIONS.rateLimits, { _id: id, count: _.lt(max) }, { count: _.inc(1) })) === 1;
  }

  /** The timer's sweep of finished windows. */
  async removeExpired(): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.rateLimits, { expiresAt: this.store.command.lt(this.now()) });
  }
}
