import type { DbContext, WriteJournal } from './db-context';
import { findById, removeDocuments, replaceDocument } from './operations';
import type { DocumentStore } from './store';
import type { Doc } from './translate';

/** Remembers each document as it was before the transaction first wrote it. */
class TransactionJournal implements WriteJournal {
  private readonly before = new Map<string, { collection: string; id: string; doc: Doc | null }>();

  constructor(private readonly store: DocumentStore) {}

  async beforeWrite(collection: string, id: string): Promise<void> {
    const key = `${collection}\u0000${id}`;
    if (this.before.has(key)) return;
    this.before.set(key, { collection, id, doc: await findById(this.store, collection, id) });
  }

  inserted(collection: string, id: string): void {
    const key = `${collection}\u0000${id}`;
    if (!this.before.has(key)) this.before.set(key, { collection, id, doc: null });
  }

  /** Puts every written document back as it was, newest first. */
  async restore(): Promise<void> {
    for (const { collection, id, doc } of [...this.before.values()].reverse()) {
      if (doc === null) await removeDocuments(this.store, collection, { _id: id }, false);
      else await replaceDocument(this.store, collection, id, doc);
    }
  }
}

/**
 * The object `db.runTransaction` hands to its callback. Generic in its collection type, which
 * database.ts defines (single-document operations over the transaction's context).
 */
export class Transaction<Collection> {
  private active = true;
  private rollbackRequested = false;
  private reason: unknown;

  constructor(private readonly collectionOf: (name: string) => Collection) {}

  collection(name: string): Collection {
    if (!this.active) throw new Error('the transaction has ended');
    if (typeof name !== 'string' || name === '') throw new Error('Collection name is required');
    return this.collectionOf(name);
  }

  /** Ends the transaction without keeping its writes; `runTransaction` then rejects with `reason`. */
  async rollback(reason?: unknown): Promise<void> {
    this.rollbackRequested = true;
    this.reason = reason;
  }

  end(): { rolledBack: boolean; reason: unknown } {
    this.active = false;
    return { rolledBack: this.rollbackRequested, reason: this.reason };
  }
}

export async function runTransaction<T, Collection>(
  context: DbContext,
  collectionIn: (context: DbContext, name: string) => Collection,
  callback: (transaction: Transaction<Collection>) => Promise<T>,
): Promise<T> {
  return context.store.transactions.run(async () => {
    const journal = new TransactionJournal(context.store);
    const transactionContext: DbContext = { ...context, journal };
    const transaction = new Transaction((name) => collectionIn(transactionContext, name));
    let value: T;
    try {
      value = await callback(transaction);
    } catch (error) {
      transaction.end();
      await journal.restore();
      throw error;
    }
    const { rolledBack, reason } = transaction.end();
    if (rolledBack) {
      await journal.restore();
      throw reason;
    }
    return value;
  });
}
