import type { LeaseSpec } from '../lease';
import type { AuthorizerTokenDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';
import { byIds } from './authorizersRepository';

/** What a refresh brought: the new access token and the refresh token to keep. */
export interface RefreshedTokens {
  accessToken: string;
  expiresAt: number;
  refreshToken: string;
  issuedAt: number;
}

/** The `authorizerTokens` collection: never leaves the server, never logged. */
export class AuthorizerTokensRepository {
  constructor(private readonly store: Store) {}

  get(appid: string): Promise<AuthorizerTokenDoc | null> {
    return this.store.get<AuthorizerTokenDoc>(COLLECTIONS.authorizerTokens, appid);
  }

  /** Replaces (or creates) the whole record. */
  async put(doc: AuthorizerTokenDoc): Promise<void> {
    await this.store.put(COLLECTIONS.authorizerTokens, doc._id, { ...doc });
  }

  /** The records of these appids (any number), by appid. */
  byIds(appids: string[]): Promise<Map<string, AuthorizerTokenDoc>> {
    return byIds<AuthorizerTokenDoc>(this.store, COLLECTIONS.authorizerTokens, appids);
  }

  /** A refresh token from WeChat's list: a new authorization, so a refusal of the old one no longer holds. */
  async restoreRefreshToken(appid: string, refreshToken: string): Promise<void> {
    await this.store.update(COLLECTIONS.authorizerTokens, appid, {
      refreshToken,
      accessToken: null,
      expiresAt: 0,
      rejected: false,
      probeAfter: 0,
    });
  }

  async saveRefreshed(appid: string, tokens: RefreshedTokens): Promise<void> {
    await this.store.update(COLLECTIONS.authorizerTokens, appid, {
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken,
      updatedAt: tokens.issuedAt,
      rejected: false,
      probeAfter: 0,
    });
  }

  async dropAccessToken(appid: string): Promise<void> {
    await this.store.update(COLLECTIONS.authorizerTokens, appid, { accessToken: null, expiresAt: 0 });
  }

  /** Drops `accessToken` only if it is still the stored one (issued at or before `issuedBy`, if given). */
  async dropIfCurrent(appid: string, accessToken: string, issuedBy?: number): Promise<boolean> {
    const issued = issuedBy === undefined ? {} : { updatedAt: this.store.command.lte(issuedBy) };
    const updated = await this.store.updateWhere(
      COLLECTIONS.authorizerTokens,
      { _id: appid, accessToken, ...issued },
      { accessToken: null, expiresAt: 0 },
    );
    return updated === 1;
  }

  /** WeChat refused the authorization on a call made with `accessToken`, if it is still the stored one. */
  async rejectIfCurrent(appid: string, accessToken: string, probeAfter: number): Promise<void> {
    await this.store.updateWhere(
      COLLECTIONS.authorizerTokens,
      { _id: appid, accessToken },
      { accessToken: null, expiresAt: 0, rejected: true, probeAfter },
    );
  }

  /** WeChat refused the refresh token: no refresh before `probeAfter`. */
  async markRejected(appid: string, probeAfter: number): Promise<void> {
    await this.store.update(COLLECTIONS.authorizerTokens, appid, { rejected: true, probeAfter });
  }

  /** The next probe of a refused authorization is due at `probeAfter`. */
  async deferProbe(appid: string, probeAfter: number): Promise<void> {
    await this.store.update(COLLECTIONS.authorizerTokens, appid, { probeAfter });
  }

  async noteUse(appid: string, at: number): Promise<void> {
    await this.store.update(COLLECTIONS.authorizerTokens, appid, { lastUsedAt: at });
  }

  async remove(appid: string): Promise<void> {
    await this.store.removeWhere(COLLECTIONS.authorizerTokens, { _id: appid });
  }

  /**
   * Tokens not refused that expire before `expiringBefore`, of authorizers used since `usedSince`,
   * most urgent first. lastUsedAt last: the local store picks its index from the last range it sees.
   */
  dueForRefresh(expiringBefore: number, usedSince: number, limit: number): Promise<AuthorizerTokenDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthorizerTokenDoc>(
      COLLECTIONS.authorizerTokens,
      { expiresAt: _.lt(expiringBefore), rejected: _.neq(true), lastUsedAt: _.gte(usedSince) },
      { orderBy: ['expiresAt', 'asc'], limit },
    );
  }

  /** The refresh lease on one record: one refresher at a time across instances. */
  lease(appid: string, owner: string, now: () => number): LeaseSpec {
    return { store: this.store, collection: COLLECTIONS.authorizerTokens, id: appid, owner, now };
  }
}
