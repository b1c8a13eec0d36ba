import type { ReleaseTestAccountDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `releaseTestAccounts` collection: WeChat's test accounts, never in `authorizers` or `authorizerTokens`. */
export class ReleaseTestAccountsRepository {
  constructor(private readonly store: Store) {}

  /** False when the account's record exists. */
  create(doc: ReleaseTestAccountDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.releaseTestAccounts, { ...doc });
  }

  get(appid: string): Promise<ReleaseTestAccountDoc | null> {
    return this.store.get<ReleaseTestAccountDoc>(COLLECTIONS.releaseTestAccounts, appid);
  }

  /** Notes an authorization event; a revocation also forgets the account's tokens. */
  async noteEvent(appid: string, event: string, at: number, revoked: boolean): Promise<void> {
    await this.store.update(COLLECTIONS.releaseTestAccounts, appid, {
      lastEvent: event,
      lastEventAt: at,
      updatedAt: at,
      ...(revoked ? { accessToken: null, accessTokenExpiresAt: 0, refreshToken: null } : {}),
    });
  }

  async saveTokens(
    appid: string,
    tokens: { accessToken: string; expiresAt: number; refreshToken: string | null },
    at: number,
  ): Promise<void> {
    await this.store.update(COLLECTIONS.releaseTestAccounts, appid, {
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken,
      updatedAt: at,
    });
  }

  /** Every test account, in appid order (WeChat has a handful). */
  list(): Promise<ReleaseTestAccountDoc[]> {
    return this.store.find<ReleaseTestAccountDoc>(COLLECTIONS.releaseTestAccounts, {}, { orderBy: ['_id', 'asc'], limit: 100 });
  }
}
