import fs from 'node:fs';
import path from 'node:path';
import Nedb from '@seald-io/nedb';
import { keepAppendHandleOpen } from './append-handle';
import { DB_ERROR, DbFault } from './errors';
import { Mutex } from './mutex';
import { OrderedIndex, storedDocument } from './ordered-index';

export interface DocumentStoreOptions {
  /** Folder holding one `<collection>.db` file per collection. */
  dataDir: string;
  /**
   * Like WeChat (the default), fail with -502005 on a collection that was never created (by
   * `db.createCollection` or `store.createCollection`); false: collections appear on first use.
   */
  strictCollections?: boolean;
}

const COLLECTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The embedded database: one nedb datastore per collection, loaded once and shared by every
 * function instance of a runtime. Writes to one collection take its lock, so that "read what
 * matches, then modify it" stays one atomic step (nedb serializes single calls only).
 */
export class DocumentStore {
  private readonly datastores = new Map<string, Promise<Nedb>>();
  private readonly locks = new Map<string, Mutex>();
  /** Compound ordered indexes per collection (ordered-index.ts), kept up to date by every write. */
  private readonly orderedIndexes = new Map<string, OrderedIndex[]>();
  private indexesServe = true;
  /** Transactions run one at a time. */
  readonly transactions = new Mutex();
  private closed = false;

  constructor(private readonly options: DocumentStoreOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
  }

  private fileOf(name: string): string {
    return path.join(this.options.dataDir, `${name}.db`);
  }

  private assertUsable(name: string): void {
    if (this.closed) throw new DbFault(DB_ERROR.generic, 'the database is closed');
    if (!COLLECTION_NAME.test(name)) throw new DbFault(DB_ERROR.invalidParam, `invalid collection name "${name}"`);
  }

  exists(name: string): boolean {
    return this.datastores.has(name) || fs.existsSync(this.fileOf(name));
  }

  /** The datastore of a collection, loading it on first use. */
  async collection(name: string): Promise<Nedb> {
    this.assertUsable(name);
    if ((this.options.strictCollections ?? true) && !this.exists(name)) {
      throw new DbFault(DB_ERROR.collectionNotExists, `[ResourceNotFound] Db or Table not exist: ${name}`);
    }
    return this.open(name);
  }

  private open(name: string): Promise<Nedb> {
    let loading = this.datastores.get(name);
    if (!loading) {
      const datastore = new Nedb({ filename: this.fileOf(name) });
      loading = datastore.loadDatabaseAsync().then(() => {
        keepAppendHandleOpen(datastore);
        return datastore;
      });
      this.datastores.set(name, loading);
    }
    return loading;
  }

  /** Creates a collection; false if it already existed. */
  async createCollection(name: string): Promise<boolean> {
    this.assertUsable(name);
    const existed = this.exists(name);
    await this.open(name);
    return !existed;
  }

  /** Declares an index, e.g. a unique one; a duplicate then fails like a duplicate `_id`. */
  async ensureIndex(name: string, fieldName: string, options: { unique?: boolean; sparse?: boolean } = {}): Promise<void> {
    this.assertUsable(name);
    const datastore = await this.open(name);
    await datastore.ensureIndexAsync({ fieldName, ...options });
  }

  /**
   * Declares a compound index (fields in order), as the cloud console does: sorted, filtered pages
   * that fit it walk it instead of sorting every document. Built from the documents already stored.
   */
  async ensureOrderedIndex(name: string, fields: readonly string[]): Promise<void> {
    this.assertUsable(name);
    if (fields.length === 0) throw new DbFault(DB_ERROR.invalidParam, 'an index needs at least one field');
    const datastore = await this.open(name);
    await this.lockOf(name).run(async () => {
      const indexes = this.orderedIndexes.get(name) ?? [];
      if (indexes.some((index) => index.fields.join('\u0000') === fields.join('\u0000'))) return;
      const index = new OrderedIndex([...fields]);
      index.rebuild(datastore.getAllData());
      this.orderedIndexes.set(name, [...indexes, index]);
    });
  }

  /** The ordered indexes of a collection (none: every sorted read scans and sorts). */
  orderedIndexesOf(name: string): readonly OrderedIndex[] {
    return this.indexesServe ? (this.orderedIndexes.get(name) ?? []) : [];
  }

  /** Whether writes to the collection must keep ordered indexes up to date. */
  keepsOrderedIndexes(name: string): boolean {
    return this.orderedIndexes.has(name);
  }

  /** Benchmarks: false leaves reads to the scan (the indexes are still kept up to date). */
  useOrderedIndexes(on: boolean): void {
    this.indexesServe = on;
  }

  /** After a write under the lock: the written documents' index entries follow. */
  reindex(name: string, datastore: Nedb, ids: Iterable<string>): void {
    const indexes = this.orderedIndexes.get(name);
    if (!indexes) return;
    const list = [...ids];
    for (const index of indexes) index.refresh(list, (id) => storedDocument(datastore, id));
  }

  private lockOf(name: string): Mutex {
    let lock = this.locks.get(name);
    if (!lock) this.locks.set(name, (lock = new Mutex()));
    return lock;
  }

  /** Runs a write under the collection's lock. */
  async write<T>(name: string, work: (datastore: Nedb) => Promise<T>): Promise<T> {
    const datastore = await this.collection(name);
    return this.lockOf(name).run(() => work(datastore));
  }

  /** A read that walks an ordered index: under the lock, so it never sees a write half-indexed. */
  async readIndexed<T>(name: string, work: (datastore: Nedb) => Promise<T>): Promise<T> {
    return this.write(name, work);
  }

  /** Compacts every data file (so each holds one line per document) and refuses further calls. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const datastores = await Promise.all(this.datastores.values());
    // Let writes already queued finish first.
    await Promise.all([...this.locks.values()].map((lock) => lock.run(async () => undefined)));
    await Promise.all(datastores.map((datastore) => datastore.compactDatafileAsync()));
  }
}
