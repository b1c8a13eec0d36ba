import { createCommand, ServerDate, type Command } from './commands';
import type { CrashSwitch } from './crash';
import { asApi, cloudSdkError, DB_ERROR, DbFault } from './errors';
import { countDocuments, findDocuments, insertDocuments, removeDocuments, replaceDocument, updateDocuments } from './operations';
import type { PlanReport } from './query-plan';
import { DEFAULT_GET_LIMIT, DbService, type CallKind } from './service';
import type { DocumentStore } from './store';
import type { DbContext } from './db-context';
import { runTransaction, type Transaction } from './transaction';
import { isPlainObject, toProjection, toStorableDocument, toStoreQuery, toStoreUpdate, type Doc } from './translate';

export { DEFAULT_GET_LIMIT } from './service';

/**
 * One database api call: a round trip to the service, then the work, failing as wx-server-sdk
 * fails; never run by an instance that died (crash.ts), which reaches nothing more.
 */
function serve<T>(
  context: DbContext,
  apiName: string,
  collection: string,
  kind: CallKind,
  data: unknown,
  work: () => Promise<T>,
): Promise<T> {
  const call = () =>
    asApi(apiName, collection, async () => {
      context.assertAlive?.();
      await context.service.roundTrip(kind, collection);
      context.assertAlive?.();
      return work();
    });
  return context.crash ? context.crash.guard({ collection, method: apiName, data }, call) : call();
}

interface QuerySpec {
  condition: unknown;
  sort: Array<[string, 1 | -1]>;
  skip: number;
  limit: number;
  projection?: Record<string, 0 | 1>;
}

function dataOf(options: unknown): unknown {
  if (!isPlainObject(options)) throw new DbFault(DB_ERROR.invalidParam, 'options must be an object such as { data }');
  return options.data;
}

function assertPositiveInteger(method: string, value: unknown, allowZero: boolean): asserts value is number {
  const ok = Number.isInteger(value) && ((value as number) > 0 || (allowZero && value === 0));
  if (!ok) throw new TypeError(`${method}() takes a ${allowZero ? 'non-negative' : 'positive'} integer`);
}

/** `where/orderBy/skip/limit/field` chains; each step returns a new query. */
export class Query {
  constructor(
    protected readonly context: DbContext,
    readonly collectionName: string,
    protected readonly spec: QuerySpec = { condition: {}, sort: [], skip: 0, limit: DEFAULT_GET_LIMIT },
  ) {}

  private with(change: Partial<QuerySpec>): Query {
    return new Query(this.context, this.collectionName, { ...this.spec, ...change });
  }

  where(condition: unknown): Query {
    if (condition === undefined) throw new TypeError('where() takes a query object');
    return this.with({ condition });
  }

  orderBy(fieldPath: string, order: 'asc' | 'desc'): Query {
    if (typeof fieldPath !== 'string' || fieldPath === '') throw new TypeError('orderBy() takes a field path');
    if (order !== 'asc' && order !== 'desc') throw new TypeError(`"${String(order)}" is not a valid order, use "asc" or "desc"`);
    return this.with({ sort: [...this.spec.sort, [fieldPath, order === 'asc' ? 1 : -1]] });
  }

  skip(offset: number): Query {
    assertPositiveInteger('skip', offset, true);
    return this.with({ skip: offset });
  }

  limit(max: number): Query {
    assertPositiveInteger('limit', max, false);
    return this.with({ limit: max });
  }

  field(projection: Record<string, boolean>): Query {
    return this.with({ projection: toProjection(projection) });
  }

  private readonly notePlan = (report: PlanReport) => this.context.service.notePlan(this.collectionName, report);

  private storeQuery() {
    return toStoreQuery(this.spec.condition, this.context.now());
  }

  get(): Promise<{ data: Doc[]; errMsg: string }> {
    return serve(this.context, 'collection.get', this.collectionName, 'read', undefined, async () => {
      // The server caps a page whatever limit() asked for.
      const limit = Math.min(this.spec.limit, this.context.service.maxGetLimit);
      const data = await findDocuments(
        this.context.store,
        this.collectionName,
        {
          ...this.spec,
          limit,
          query: this.storeQuery(),
        },
        this.notePlan,
      );
      return { data, errMsg: 'collection.get:ok' };
    });
  }

  count(): Promise<{ total: number; errMsg: string }> {
    return serve(this.context, 'collection.count', this.collectionName, 'read', undefined, async () => {
      const total = await countDocuments(this.context.store, this.collectionName, this.storeQuery(), this.notePlan);
      return { total, errMsg: 'collection.count:ok' };
    });
  }

  /** Updates every matching document (one if `multi: false`), atomically; `updated` counts changed ones. */
  update(options: { data: unknown; multi?: boolean }): Promise<{ stats: { updated: number }; errMsg: string }> {
    return serve(this.context, 'collection.update', this.collectionName, 'write', options?.data, async () => {
      const update = toStoreUpdate(dataOf(options), this.context.now());
      const { updated } = await updateDocuments(
        this.context.store,
        this.collectionName,
        this.storeQuery(),
        update,
        options.multi !== false,
      );
      return { stats: { updated }, errMsg: 'collection.update:ok' };
    });
  }

  remove(options: { multi?: boolean } = {}): Promise<{ stats: { removed: number }; errMsg: string }> {
    return serve(this.context, 'collection.remove', this.collectionName, 'write', undefined, async () => {
      const removed = await removeDocuments(this.context.store, this.collectionName, this.storeQuery(), options.multi !== false);
      return { stats: { removed }, errMsg: 'collection.remove:ok' };
    });
  }
}

function assertDocumentId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id === '') throw new TypeError('doc() takes a non-empty string _id');
}

/** `collection.doc(id)`: single-document operations. */
export class DocumentReference {
  constructor(
    private readonly context: DbContext,
    readonly collectionName: string,
    readonly _id: string,
    private readonly projection?: Record<string, 0 | 1>,
  ) {
    assertDocumentId(_id);
  }

  field(projection: Record<string, boolean>): DocumentReference {
    return new DocumentReference(this.context, this.collectionName, this._id, toProjection(projection));
  }

  get(): Promise<{ data: Doc | null; errMsg: string }> {
    return serve(this.context, 'document.get', this.collectionName, 'read', undefined, async () => {
      const [data] = await findDocuments(this.context.store, this.collectionName, {
        query: { _id: this._id },
        sort: [],
        skip: 0,
        limit: 1,
        projection: this.projection,
      });
      if (!data && this.context.throwOnNotFound) {
        throw cloudSdkError('document.get', DB_ERROR.generic, `document with _id ${this._id} does not exist`);
      }
      return { data: data ?? null, errMsg: 'document.get:ok' };
    });
  }

  /** Replaces the whole document (or creates it). */
  set(options: { data: unknown }): Promise<{ _id: string; stats: { updated: number; created: number }; errMsg: string }> {
    return serve(
      this.context,
      'document.set',
      this.collectionName,
      'write',
      (options as { data?: unknown } | undefined)?.data,
      async () => {
        const data = toStorableDocument(dataOf(options), this.context.now());
        if (Object.hasOwn(data, '_id')) throw new DbFault(DB_ERROR.invalidParam, '不能更新_id的值');
        if (Object.keys(data).length === 0) throw new DbFault(DB_ERROR.invalidParam, 'data must not be empty');
        await this.context.journal?.beforeWrite(this.collectionName, this._id);
        const stats = await replaceDocument(this.context.store, this.collectionName, this._id, data);
        return { _id: this._id, stats, errMsg: 'document.set:ok' };
      },
    );
  }

  update(options: { data: unknown }): Promise<{ stats: { updated: number }; errMsg: string }> {
    return serve(
      this.context,
      'document.update',
      this.collectionName,
      'write',
      (options as { data?: unknown } | undefined)?.data,
      async () => {
        const update = toStoreUpdate(dataOf(options), this.context.now());
        await this.context.journal?.beforeWrite(this.collectionName, this._id);
        const { updated } = await updateDocuments(this.context.store, this.collectionName, { _id: this._id }, update, false);
        return { stats: { updated }, errMsg: 'document.update:ok' };
      },
    );
  }

  remove(): Promise<{ stats: { removed: number }; errMsg: string }> {
    return serve(this.context, 'document.remove', this.collectionName, 'write', undefined, async () => {
      await this.context.journal?.beforeWrite(this.collectionName, this._id);
      const removed = await removeDocuments(this.context.store, this.collectionName, { _id: this._id }, false);
      return { stats: { removed }, errMsg: 'document.remove:ok' };
    });
  }

  /** The transaction api names removal `delete`. */
  delete(): Promise<{ stats: { removed: number }; errMsg: string }> {
    return this.remove();
  }
}

function assertNewDocumentId(doc: Doc): void {
  if (doc._id !== undefined && (typeof doc._id !== 'string' || doc._id === '')) {
    throw new DbFault(DB_ERROR.invalidParam, '_id must be a non-empty string');
  }
}

/** Adds one document (`{_id}`) or several (`{_ids}`). */
async function addDocuments(context: DbContext, collection: string, options: unknown) {
  return serve(context, 'collection.add', collection, 'write', (options as { data?: unknown } | undefined)?.data, async () => {
    const data = dataOf(options);
    const many = Array.isArray(data);
    const docs = (many ? data : [data]).map((item) => toStorableDocument(item, context.now()));
    docs.forEach(assertNewDocumentId);
    const ids = await insertDocuments(context.store, collection, docs);
    return many ? { _ids: ids, errMsg: 'collection.add:ok' } : { _id: ids[0], errMsg: 'collection.add:ok' };
  });
}

export class CollectionReference extends Query {
  constructor(context: DbContext, name: string) {
    super(context, name);
  }

  doc(id: string): DocumentReference {
    return new DocumentReference(this.context, this.collectionName, id);
  }

  add(options: { data: unknown }): Promise<{ _id?: string; _ids?: string[]; errMsg: string }> {
    return addDocuments(this.context, this.collectionName, options);
  }
}

/** A collection inside a transaction: single-document operations only, as in WeChat. */
export class TransactionCollection {
  constructor(
    private readonly context: DbContext,
    readonly collectionName: string,
  ) {}

  doc(id: string): DocumentReference {
    return new DocumentReference(this.context, this.collectionName, id);
  }

  async add(options: { data: unknown }): Promise<{ _id?: string; _ids?: string[]; errMsg: string }> {
    const result = await addDocuments(this.context, this.collectionName, options);
    for (const id of result._ids ?? [result._id]) this.context.journal?.inserted(this.collectionName, id);
    return result;
  }
}

export interface DatabaseOptions {
  store: DocumentStore;
  now(): number;
  throwOnNotFound?: boolean;
  /** Default: a service with the strict page cap, no latency. */
  service?: DbService;
  assertAlive?: () => void;
  crash?: CrashSwitch;
}

/** What `cloud.database()` returns. */
export class Database {
  readonly command: Command = createCommand();
  private readonly context: DbContext;

  constructor(options: DatabaseOptions) {
    this.context = {
      store: options.store,
      now: options.now,
      throwOnNotFound: options.throwOnNotFound ?? true,
      service: options.service ?? new DbService(),
      assertAlive: options.assertAlive,
      crash: options.crash,
    };
  }

  serverDate(options: { offset?: number } = {}): ServerDate {
    return new ServerDate(options.offset ?? 0);
  }

  collection(name: string): CollectionReference {
    if (typeof name !== 'string' || name === '') throw new TypeError('collection() takes a collection name');
    return new CollectionReference(this.context, name);
  }

  createCollection(name: string): Promise<{ errMsg: string }> {
    return serve(this.context, 'createCollection', name, 'write', undefined, async () => {
      if (!(await this.context.store.createCollection(name))) {
        throw new DbFault(DB_ERROR.requestFailed, `[ResourceInUse] collection ${name} already exists`);
      }
      return { errMsg: 'createCollection:ok' };
    });
  }

  /**
   * Runs `callback` with single-document operations; transactions run one at a time. If the
   * callback throws or calls `transaction.rollback(reason)`, every document it wrote is restored.
   */
  runTransaction<T>(callback: (transaction: Transaction<TransactionCollection>) => Promise<T>, _retries?: number): Promise<T> {
    return runTransaction(this.context, (context, name) => new TransactionCollection(context, name), callback);
  }
}
