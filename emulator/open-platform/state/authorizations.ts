/**
 * Which merchant accounts have authorized the platform, with what permission sets, and their
 * refresh tokens (spec §4.3–4.6, §5).
 *
 * Refresh tokens: a new one on every authorization (first or after a revoke) and on every
 * `updateauthorized`; optionally on every api_authorizer_token call. A replaced refresh token keeps
 * working for the grace period (staff: ~5 min). Revoking kills them all at once.
 */
import type { Clock } from '../../clock';
import { newRefreshToken } from './codes';

export interface Authorization {
  appid: string;
  active: boolean;
  funcIds: number[];
  /** Unix seconds of the last (re)authorization. */
  authTime: number;
  refreshToken: string;
  /** Replaced refresh tokens still inside their grace period. */
  previousRefreshTokens: { token: string; validUntil: number }[];
}

export type GrantOutcome = 'authorized' | 'updateauthorized' | 'unchanged';

const setKey = (ids: number[]): string => [...new Set(ids)].sort((x, y) => x - y).join(',');
const sameSets = (a: number[], b: number[]): boolean => setKey(a) === setKey(b);

export class Authorizations {
  private readonly byAppid = new Map<string, Authorization>();
  private listed: Authorization[] | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly graceSeconds: number,
  ) {}

  /** What a confirmation would do, without doing it. */
  outcomeOf(appid: string, funcIds: number[]): GrantOutcome {
    const current = this.active(appid);
    if (!current) return 'authorized';
    return sameSets(current.funcIds, funcIds) ? 'unchanged' : 'updateauthorized';
  }

  grant(appid: string, funcIds: number[]): GrantOutcome {
    const outcome = this.outcomeOf(appid, funcIds);
    if (outcome !== 'unchanged') this.listed = null;
    const now = this.clock.nowSeconds();
    if (outcome === 'authorized') {
      this.byAppid.set(appid, {
        appid,
        active: true,
        funcIds: [...funcIds],
        authTime: now,
        refreshToken: newRefreshToken(),
        previousRefreshTokens: [],
      });
    } else if (outcome === 'updateauthorized') {
      const current = this.byAppid.get(appid)!;
      current.funcIds = [...funcIds];
      current.authTime = now;
      this.rotateRefreshToken(appid);
    }
    return outcome;
  }

  /** Returns false when the appid was not authorized. */
  revoke(appid: string): boolean {
    const current = this.active(appid);
    if (!current) return false;
    this.listed = null;
    current.active = false;
    current.previousRefreshTokens = [];
    return true;
  }

  active(appid: string): Authorization | undefined {
    const current = this.byAppid.get(appid);
    return current?.active ? current : undefined;
  }

  /** Active authorizations, oldest first (stable paging for api_get_authorizer_list). */
  list(): Authorization[] {
    // Sorted once per change, not per page: a pass over 100,000 reads 200 pages.
    this.listed ??= [...this.byAppid.values()]
      .filter((entry) => entry.active)
      .sort((a, b) => a.authTime - b.authTime || (a.appid < b.appid ? -1 : a.appid > b.appid ? 1 : 0));
    return this.listed;
  }

  /** 0, 61003 (not authorized) or 61023 (not this account's refresh token). */
  checkRefreshToken(appid: string, token: unknown): 0 | 61003 | 61023 {
    const current = this.active(appid);
    if (!current) return 61003;
    if (typeof token !== 'string' || token === '') return 61023;
    if (token === current.refreshToken) return 0;
    const now = this.clock.now();
    return current.previousRefreshTokens.some((previous) => previous.token === token && now < previous.validUntil) ? 0 : 61023;
  }

  rotateRefreshToken(appid: string): string {
    const current = this.active(appid)!;
    const now = this.clock.now();
    current.previousRefreshTokens = current.previousRefreshTokens.filter((previous) => now < previous.validUntil);
    current.previousRefreshTokens.push({ token: current.refreshToken, validUntil: now + this.graceSeconds * 1000 });
    current.refreshToken = newRefreshToken();
    return current.refreshToken;
  }
}
