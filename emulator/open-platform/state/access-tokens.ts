/**
 * Access tokens that supersede each other: each new token for a key (the platform, or one
 * authorizer) leaves the previous one working for a grace period, after which it answers 40001
 * "not latest" (spec §4.1, §9). Past its own lifetime a token answers 42001.
 */
import type { Clock } from '../../clock';
import { newAccessToken } from './codes';

interface TokenEntry {
  key: string;
  expiresAt: number;
  /** When a newer token for the same key was issued. */
  supersededAt?: number;
  revoked?: boolean;
}

export type TokenCheck = { errcode: 0; key: string } | { errcode: 40001 | 40014 | 42001 };

export class AccessTokens {
  private readonly entries = new Map<string, TokenEntry>();
  private readonly latestByKey = new Map<string, string>();
  private generation = 80;

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSeconds: number,
    private readonly graceSeconds: number,
  ) {}

  issue(key: string): { token: string; expiresIn: number } {
    const now = this.clock.now();
    const previous = this.latestByKey.get(key);
    if (previous) this.entries.get(previous)!.supersededAt = now;
    const token = newAccessToken(this.generation++);
    this.entries.set(token, { key, expiresAt: now + this.lifetimeSeconds * 1000 });
    this.latestByKey.set(key, token);
    return { token, expiresIn: this.lifetimeSeconds };
  }

  check(token: string): TokenCheck {
    const entry = this.entries.get(token);
    if (!entry || entry.revoked) return { errcode: 40014 };
    const now = this.clock.now();
    if (now >= entry.expiresAt) return { errcode: 42001 };
    if (entry.supersededAt !== undefined && now >= entry.supersededAt + this.graceSeconds * 1000) return { errcode: 40001 };
    return { errcode: 0, key: entry.key };
  }

  /** Every token of the key stops working at once (the merchant revoked). */
  revokeKey(key: string): void {
    for (const entry of this.entries.values()) if (entry.key === key) entry.revoked = true;
    this.latestByKey.delete(key);
  }
}
