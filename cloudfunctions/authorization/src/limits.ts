import type { RateLimitDoc } from './model';
import type { RateLimitsRepository } from './repositories/rateLimitsRepository';

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
    private readonly counters: RateLimitsRepository,
    private readonly now: () => number,
  ) {}

  /** Counts one use; false (and nothing counted) when the window's budget is spent. */
  async take({ key, max, windowMs }: Limit): Promise<boolean> {
    const at = this.now();
    const window = Math.floor(at / windowMs);
    const id = `${key}:${window}`;
    const doc: RateLimitDoc = { _id: id, count: 1, expiresAt: (window + 1) * windowMs };
    if (await this.counters.start(doc)) return true;
    return this.counters.incrementBelow(id, max);
  }

  /** The timer's sweep of finished windows. */
  async removeExpired(): Promise<number> {
    return this.counters.removeEndedBefore(this.now());
  }
}
