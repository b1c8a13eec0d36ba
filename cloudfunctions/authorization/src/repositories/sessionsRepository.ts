import type { ActionError } from '../../../../typings/api';
import type { SessionDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `authSessions` collection: one session per pre_auth_code, keyed by its hash. */
export class SessionsRepository {
  constructor(private readonly store: Store) {}

  async create(doc: SessionDoc): Promise<void> {
    await this.store.create(COLLECTIONS.authSessions, { ...doc });
  }

  get(sessionId: string): Promise<SessionDoc | null> {
    return this.store.get<SessionDoc>(COLLECTIONS.authSessions, sessionId);
  }

  /** The session is authorized with `appid`, if it is still open (pending, or expired by the sweep). */
  async markAuthorized(sessionId: string, appid: string, at: number): Promise<void> {
    await this.store.updateWhere(
      COLLECTIONS.authSessions,
      { _id: sessionId, status: this.store.command.in(['pending', 'expired']) },
      { status: 'authorized', authorizerAppid: appid, failure: null, completedAt: at },
    );
  }

  /** The session failed, if it is still pending. */
  async markFailed(sessionId: string, failure: ActionError, at: number): Promise<void> {
    await this.store.updateWhere(
      COLLECTIONS.authSessions,
      { _id: sessionId, status: 'pending' },
      { status: 'failed', failure: this.store.command.set(failure), completedAt: at },
    );
  }

  /** Pending sessions whose code expired before `expiredBefore` become expired; how many did. */
  expirePending(expiredBefore: number, at: number): Promise<number> {
    return this.store.updateWhere(
      COLLECTIONS.authSessions,
      { status: 'pending', expiresAt: this.store.command.lt(expiredBefore) },
      { status: 'expired', completedAt: at },
    );
  }

  /** Removes sessions whose code expired before `expiredBefore`; how many. */
  removeExpiredBefore(expiredBefore: number): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.authSessions, { expiresAt: this.store.command.lt(expiredBefore) });
  }
}
