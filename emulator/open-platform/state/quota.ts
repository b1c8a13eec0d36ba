/**
 * Optional per-API daily quotas (45009). Only successful calls count, and the counters reset at
 * midnight Beijing time (UTC+8) of the emulated clock, WeChat's day.
 */
import type { Clock } from '../../clock';
import type { ApiName } from './types';

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export class DailyQuota {
  private day = -1;
  private readonly used = new Map<ApiName, number>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: Partial<Record<ApiName, number>> = {},
  ) {}

  exhausted(api: ApiName): boolean {
    const limit = this.limits[api];
    if (limit === undefined) return false;
    this.rollOver();
    return (this.used.get(api) ?? 0) >= limit;
  }

  countSuccess(api: ApiName): void {
    this.rollOver();
    this.used.set(api, (this.used.get(api) ?? 0) + 1);
  }

  private rollOver(): void {
    const today = Math.floor((this.clock.now() + BEIJING_OFFSET_MS) / DAY_MS);
    if (today !== this.day) {
      this.day = today;
      this.used.clear();
    }
  }
}
