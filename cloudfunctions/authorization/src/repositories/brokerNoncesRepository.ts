import { COLLECTIONS, type Store } from '../store';

/** The `brokerNonces` collection: a nonce's insert is its use, so of two racing copies one gets in. */
export class BrokerNoncesRepository {
  constructor(private readonly store: Store) {}

  /** False when the nonce was used before. */
  claim(id: string, keepUntil: number): Promise<boolean> {
    return this.store.create(COLLECTIONS.brokerNonces, { _id: id, expiresAt: keepUntil });
  }

  async removeExpiredBefore(at: number): Promise<void> {
    await this.store.removeWhere(COLLECTIONS.brokerNonces, { expiresAt: this.store.command.lt(at) });
  }
}
