import type { ConsoleSessionDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `consoleSessions` collection: signed-in console browsers, by the hash of their cookie. */
export class ConsoleSessionsRepository {
  constructor(private readonly store: Store) {}

  async create(doc: ConsoleSessionDoc): Promise<void> {
    if (!(await this.store.create(COLLECTIONS.consoleSessions, { ...doc }))) throw new Error('session id collision');
  }

  get(id: string): Promise<ConsoleSessionDoc | null> {
    return this.store.get<ConsoleSessionDoc>(COLLECTIONS.consoleSessions, id);
  }

  async touch(id: string, at: number): Promise<void> {
    await this.store.updateWhere(COLLECTIONS.consoleSessions, { _id: id, revokedAt: null }, { lastSeenAt: at });
  }

  async revoke(id: string, at: number): Promise<void> {
    await this.store.updateWhere(COLLECTIONS.consoleSessions, { _id: id, revokedAt: null }, { revokedAt: at });
  }

  removeExpiredBefore(at: number): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.consoleSessions, { expiresAt: this.store.command.lt(at) });
  }
}
