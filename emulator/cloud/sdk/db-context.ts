/**
 * What every database operation runs with: the store, the clock, the service model and, inside a
 * transaction, the journal that can undo its writes. Its own module so that database.ts and
 * transaction.ts both build on it without importing each other.
 */
import type { CrashSwitch } from './crash';
import type { DbService } from './service';
import type { DocumentStore } from './store';

export interface DbContext {
  store: DocumentStore;
  /** The runtime clock, for `db.serverDate()`. */
  now(): number;
  /** wx-server-sdk's `throwOnNotFound` (default true): `doc(id).get()` of a missing document rejects. */
  throwOnNotFound: boolean;
  /** Inside a transaction: what was written, so it can be restored. */
  journal?: WriteJournal;
  /** Page cap, round-trip cost and call counts of the database service. */
  service: DbService;
  /** Throws once the calling function instance was ended (by its timeout): it reaches nothing more. */
  assertAlive?: () => void;
  /** Tests: the instance this database belongs to may die before an operation (crash.ts). */
  crash?: CrashSwitch;
}

export interface WriteJournal {
  /** Called before a document is written: remembers it as it was. */
  beforeWrite(collection: string, id: string): Promise<void>;
  /** Called after a document was inserted: remembers that it did not exist. */
  inserted(collection: string, id: string): void;
}
