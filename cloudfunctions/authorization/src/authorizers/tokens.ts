import { notReady } from '../errors';
import { freshValue, type LeaseSpec } from '../lease';
import type { AuthorizerTokenDoc } from '../model';
import { OpenApiError } from '../openapi/errors';
import { COLLECTIONS, type Store } from '../store';
import type { Upstream } from '../upstream';
import { recordNeedsReauth } from './records';

export interface AuthorizerTokenDeps {
  store: Store;
  upstream: Upstream;
  instanceId: string;
  now: () => number;
  refreshMarginSeconds: number;
}

export interface IssuedTokens {
  accessToken: string | null;
  expiresIn: number;
  refreshToken: string;
}

const MIN_REMAINING_MS = 60_000;

/**
 * Keeps each authorizer's access token fresh and its refresh token safe. Refresh tokens are
 * persisted the moment they are received: losing one means the merchant must authorize again.
 */
export class AuthorizerTokens {
  constructor(private readonly deps: AuthorizerTokenDeps) {}

  /** Replaces both tokens (a new authorization invalidates the old pair). */
  async save(appid: string, issued: IssuedTokens): Promise<void> {
    const { store, now } = this.deps;
    const at = now();
    await store.put(COLLECTIONS.authorizerTokens, appid, {
      accessToken: issued.accessToken,
      expiresAt: issued.accessToken ? at + issued.expiresIn * 1000 : 0,
      refreshToken: issued.refreshToken,
      leaseOwner: '',
      leaseUntil: 0,
      updatedAt: at,
    } satisfies Omit<AuthorizerTokenDoc, '_id'>);
  }

  /** Restores a refresh token from api_get_authorizer_list without touching a good access token. */
  async restoreRefreshToken(appid: string, refreshToken: string): Promise<boolean> {
    const doc = await this.read(appid);
    if (doc?.refreshToken === refreshToken) return false;
    if (!doc) await this.save(appid, { accessToken: null, expiresIn: 0, refreshToken });
    else await this.deps.store.update(COLLECTIONS.authorizerTokens, appid, { refreshToken, accessToken: null, expiresAt: 0 });
    return true;
  }

  async token(appid: string, minRemainingMs = MIN_REMAINING_MS): Promise<string> {
    return freshValue({
      lease: this.lease(appid),
      read: () => this.stored(appid, minRemainingMs),
      refresh: () => this.refresh(appid),
      onGiveUp: () => notReady('授权账号令牌正在刷新，请稍后重试'),
    });
  }

  /** Refreshes every token that expires within the margin; returns how many were refreshed / failed. */
  async refreshDue(limit = 100): Promise<{ refreshed: number; failed: number }> {
    const { store, now, refreshMarginSeconds } = this.deps;
    const marginMs = refreshMarginSeconds * 1000;
    const due = await store.find<AuthorizerTokenDoc>(
      COLLECTIONS.authorizerTokens,
      { expiresAt: store.command.lt(now() + marginMs) },
      { orderBy: ['expiresAt', 'asc'], limit },
    );
    let refreshed = 0;
    let failed = 0;
    for (const doc of due) {
      try {
        await this.token(doc._id, marginMs);
        refreshed += 1;
      } catch {
        failed += 1;
      }
    }
    return { refreshed, failed };
  }

  /** Forces a refresh: true when WeChat accepts the stored refresh token. */
  async verify(appid: string): Promise<boolean> {
    await this.deps.store.update(COLLECTIONS.authorizerTokens, appid, { accessToken: null, expiresAt: 0 });
    try {
      await this.token(appid);
      return true;
    } catch {
      return false;
    }
  }

  /** The fresh token with its expiry (ms), for callers outside the function (the broker). */
  async issued(appid: string, minRemainingMs = MIN_REMAINING_MS): Promise<{ accessToken: string; expiresAt: number }> {
    const current = async (min: number) => {
      const doc = await this.read(appid);
      if (!doc) throw notReady('该账号没有可用的刷新令牌，请商家重新授权');
      const good = doc.accessToken && doc.expiresAt - this.deps.now() > min;
      return good ? { accessToken: doc.accessToken as string, expiresAt: doc.expiresAt } : null;
    };
    return freshValue({
      lease: this.lease(appid),
      read: () => current(minRemainingMs),
      refresh: async () => {
        const accessToken = await this.refresh(appid);
        return (await current(0)) ?? { accessToken, expiresAt: this.deps.now() };
      },
      onGiveUp: () => notReady('授权账号令牌正在刷新，请稍后重试'),
    });
  }

  /**
   * Drops the access token WeChat rejected (40001/40014/42001), only if it is still the stored
   * one: a token another caller already replaced stays. True when it was dropped.
   */
  async invalidateIfCurrent(appid: string, rejected: string): Promise<boolean> {
    const updated = await this.deps.store.updateWhere(
      COLLECTIONS.authorizerTokens,
      { _id: appid, accessToken: rejected },
      { accessToken: null, expiresAt: 0 },
    );
    return updated === 1;
  }

  async remove(appid: string): Promise<void> {
    await this.deps.store.removeWhere(COLLECTIONS.authorizerTokens, { _id: appid });
  }

  private async read(appid: string): Promise<AuthorizerTokenDoc | null> {
    return this.deps.store.get<AuthorizerTokenDoc>(COLLECTIONS.authorizerTokens, appid);
  }

  private async stored(appid: string, minRemainingMs: number): Promise<string | null> {
    const doc = await this.read(appid);
    if (!doc) throw notReady('该账号没有可用的刷新令牌，请商家重新授权');
    if (!doc.accessToken) return null;
    return doc.expiresAt - this.deps.now() > minRemainingMs ? doc.accessToken : null;
  }

  private async refresh(appid: string): Promise<string> {
    const { upstream, store, now } = this.deps;
    const doc = await this.read(appid);
    if (!doc) throw notReady('该账号没有可用的刷新令牌，请商家重新授权');
    const issuedAt = now();
    try {
      const result = await upstream.withComponentToken((ct) =>
        upstream.client.refreshAuthorizerToken(ct, appid, doc.refreshToken),
      );
      await store.update(COLLECTIONS.authorizerTokens, appid, {
        accessToken: result.authorizer_access_token,
        expiresAt: issuedAt + result.expires_in * 1000,
        // WeChat may rotate it; always keep the newest (spec §4.4).
        refreshToken: result.authorizer_refresh_token || doc.refreshToken,
        updatedAt: issuedAt,
      });
      return result.authorizer_access_token;
    } catch (error) {
      if (error instanceof OpenApiError && error.category === 'authorization') {
        await recordNeedsReauth(store, appid, now());
      }
      throw error;
    }
  }

  private lease(appid: string): LeaseSpec {
    const { store, instanceId, now } = this.deps;
    return { store, collection: COLLECTIONS.authorizerTokens, id: appid, owner: instanceId, now };
  }
}
