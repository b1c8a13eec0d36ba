import type { MessageStatDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `messageStats` collection: counters per authorizer and message type. */
export class MessageStatsRepository {
  constructor(private readonly store: Store) {}

  /** Counts one message on an existing row; false when there is none yet. */
  async countOn(id: string, at: number): Promise<boolean> {
    return (await this.store.update(COLLECTIONS.messageStats, id, { count: this.store.command.inc(1), lastAt: at })) === 1;
  }

  /** Creates a row; false when another instance created it first. */
  create(doc: MessageStatDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.messageStats, { ...doc });
  }

  async countForwardFailure(id: string): Promise<void> {
    await this.store.update(COLLECTIONS.messageStats, id, { forwardFailures: this.store.command.inc(1) });
  }

  /** The busiest-lately rows, newest first. */
  latest(limit: number): Promise<MessageStatDoc[]> {
    return this.store.find<MessageStatDoc>(COLLECTIONS.messageStats, {}, { orderBy: ['lastAt', 'desc'], limit });
  }
}
