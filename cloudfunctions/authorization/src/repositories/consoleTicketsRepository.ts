import type { ConsoleTicketDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/**
 * The `consoleTickets` collection: every step of a sign-in ticket is one conditional write, so of
 * two racing scans, confirmations or collections exactly one gets through.
 */
export class ConsoleTicketsRepository {
  constructor(private readonly store: Store) {}

  async create(doc: ConsoleTicketDoc): Promise<void> {
    if (!(await this.store.create(COLLECTIONS.consoleTickets, { ...doc }))) throw new Error('ticket id collision');
  }

  get(id: string): Promise<ConsoleTicketDoc | null> {
    return this.store.get<ConsoleTicketDoc>(COLLECTIONS.consoleTickets, id);
  }

  /** pending → scanned by this admin (or scanned again by the same one); false otherwise. */
  async markScanned(id: string, openid: string, at: number): Promise<boolean> {
    const _ = this.store.command;
    const open = { _id: id, expiresAt: _.gt(at) };
    const first = await this.store.updateWhere(
      COLLECTIONS.consoleTickets,
      { ...open, state: 'pending' },
      { state: 'scanned', scannedBy: openid, scannedAt: at },
    );
    if (first === 1) return true;
    return (
      (await this.store.updateWhere(
        COLLECTIONS.consoleTickets,
        { ...open, state: 'scanned', scannedBy: openid },
        { scannedAt: at },
      )) === 1
    );
  }

  /** scanned by this admin → approved or denied, once; approval leaves `collectUntil` to collect. */
  async decide(id: string, openid: string, approve: boolean, at: number, collectUntil: number): Promise<boolean> {
    const _ = this.store.command;
    const data = approve ? { state: 'approved', decidedAt: at, expiresAt: collectUntil } : { state: 'denied', decidedAt: at };
    const query = { _id: id, state: 'scanned', scannedBy: openid, expiresAt: _.gt(at) };
    return (await this.store.updateWhere(COLLECTIONS.consoleTickets, query, data)) === 1;
  }

  /** approved → used: the one collection of the session. */
  async collect(id: string, at: number): Promise<boolean> {
    const _ = this.store.command;
    return (
      (await this.store.updateWhere(
        COLLECTIONS.consoleTickets,
        { _id: id, state: 'approved', expiresAt: _.gt(at) },
        { state: 'used' },
      )) === 1
    );
  }

  removeExpiredBefore(at: number): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.consoleTickets, { expiresAt: this.store.command.lt(at) });
  }
}
