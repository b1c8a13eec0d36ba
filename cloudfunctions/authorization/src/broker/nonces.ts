import type { BrokerNoncesRepository } from '../repositories/brokerNoncesRepository';

const CLEANUP_EVERY_MS = 60_000;

/**
 * Nonces of signed requests, each kept until its timestamp's window has passed. Claiming one is
 * an insert with the nonce as `_id`, written before the call is served: of two copies of a
 * request racing, the database lets exactly one in.
 */
export class Nonces {
  private lastCleanup = 0;

  constructor(
    private readonly nonces: BrokerNoncesRepository,
    private readonly now: () => number,
  ) {}

  /** False when the nonce was used before (by this key). */
  async claim(keyId: string, nonce: string, keepUntil: number): Promise<boolean> {
    await this.cleanupNow();
    return this.nonces.claim(`${keyId}:${nonce}`, keepUntil);
  }

  /** Drops nonces whose window has passed (a replay of them is refused by its timestamp anyway). */
  private async cleanupNow(): Promise<void> {
    const at = this.now();
    if (at - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = at;
    await this.nonces.removeExpiredBefore(at);
  }
}
