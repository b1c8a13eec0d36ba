/**
 * The narrow slice of the cloud database this function uses, and a typed store over it.
 * `cloud.database()` (real or emulated) satisfies `CloudDb`; nothing else touches the database API.
 */

export type Query = Record<string, unknown>;

export interface CloudQuery {
  where(condition: Query): CloudQuery;
  orderBy(field: string, order: 'asc' | 'desc'): CloudQuery;
  skip(n: number): CloudQuery;
  limit(n: number): CloudQuery;
  get(): Promise<{ data: unknown[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: Query }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface CloudCollection extends CloudQuery {
  doc(id: string): {
    set(options: { data: Query }): Promise<unknown>;
    update(options: { data: Query }): Promise<{ stats: { updated: number } }>;
    remove(): Promise<{ stats: { removed: number } }>;
  };
  add(options: { data: Query | Query[] }): Promise<{ _id?: string | number; _ids?: Array<string | number> }>;
}

export interface CloudCommand {
  eq(v: unknown): unknown;
  neq(v: unknown): unknown;
  lt(v: unknown): unknown;
  lte(v: unknown): unknown;
  gt(v: unknown): unknown;
  gte(v: unknown): unknown;
  in(v: unknown[]): unknown;
  nin(v: unknown[]): unknown;
  exists(v: boolean): unknown;
  or(...conditions: unknown[]): Query;
  and(...conditions: unknown[]): Query;
  remove(): unknown;
  set(v: unknown): unknown;
  push(v: unknown): unknown;
  inc(n: number): unknown;
}

export interface CloudDb {
  collection(name: string): CloudCollection;
  command: CloudCommand;
}

export const COLLECTIONS = {
  platform: 'platform',
  authSessions: 'authSessions',
  authorizers: 'authorizers',
  authorizerTokens: 'authorizerTokens',
  authCodes: 'authCodes',
  pushLog: 'pushLog',
  rateLimits: 'rateLimits',
  // Issue 11: counts per authorizer and message type; WeChat's release-test accounts and jobs, kept apart from merchants.
  messageStats: 'messageStats',
  releaseTestAccounts: 'releaseTestAccounts',
  releaseJobs: 'releaseJobs',
  /** Lapse notices: each merchant's subscribe-message consents (credits), and each notice sent per lapse. */
  noticeConsents: 'noticeConsents',
  lapseNotices: 'lapseNotices',
  /** Broker: signed-request nonces until their window has passed. */
  brokerNonces: 'brokerNonces',
  /** Broker: calls per authorizer and API. */
  brokerUsage: 'brokerUsage',
  /** Broker: requests per caller (key or function secret) and API, refusals included. */
  brokerCallerUsage: 'brokerCallerUsage',
  /** Issue 19: ship jobs, one item per job and merchant (the workflow's records), and the merchants' ext_json values. */
  shipJobs: 'shipJobs',
  shipItems: 'shipItems',
  merchantShipValues: 'merchantShipValues',
  /** Issue 19: what WeChat last said of a merchant's versions, a short cache for the account page. */
  merchantVersions: 'merchantVersions',
  /** Issue 20: the PC console's sign-in tickets, sessions, and the audit log of admin changes. */
  consoleTickets: 'consoleTickets',
  consoleSessions: 'consoleSessions',
  consoleAudit: 'consoleAudit',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

export interface FindOptions {
  orderBy?: [string, 'asc' | 'desc'];
  /** Then by `_id` in the same direction: a stable order for keyset paging. */
  thenById?: boolean;
  skip?: number;
  limit?: number;
}

/** The cloud database reports a duplicate `_id` on add as a duplicate-key failure. */
function isDuplicateKey(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String((error as { errMsg?: string })?.errMsg ?? error);
  return /duplicate|E11000|already exists/i.test(text);
}

export class Store {
  constructor(readonly db: CloudDb) {}

  get command(): CloudCommand {
    return this.db.command;
  }

  async get<T>(collection: CollectionName, id: string): Promise<T | null> {
    const { data } = await this.db.collection(collection).where({ _id: id }).limit(1).get();
    return (data[0] as T | undefined) ?? null;
  }

  /** Adds a document with a chosen `_id`; false when one with that `_id` exists (the race loser). */
  async create(collection: CollectionName, doc: { _id: string } & Query): Promise<boolean> {
    try {
      await this.db.collection(collection).add({ data: doc });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /**
   * Adds several documents with chosen `_id`s in one call, all or none; false when one of them
   * exists already (then none was added).
   */
  async createMany(collection: CollectionName, docs: Array<{ _id: string } & Query>): Promise<boolean> {
    if (docs.length === 0) return true;
    try {
      await this.db.collection(collection).add({ data: docs });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** Replaces (or creates) a whole document. */
  async put(collection: CollectionName, id: string, data: Query): Promise<void> {
    const { _id: _ignored, ...rest } = data;
    await this.db.collection(collection).doc(id).set({ data: rest });
  }

  /** Conditional update: how many documents matched `query` and were updated (0 or more). */
  async updateWhere(collection: CollectionName, query: Query, data: Query): Promise<number> {
    const result = await this.db.collection(collection).where(query).update({ data });
    return result.stats.updated;
  }

  async update(collection: CollectionName, id: string, data: Query): Promise<number> {
    return this.updateWhere(collection, { _id: id }, data);
  }

  async find<T>(collection: CollectionName, query: Query, options: FindOptions = {}): Promise<T[]> {
    let q = this.db.collection(collection).where(query);
    if (options.orderBy) q = q.orderBy(...options.orderBy);
    if (options.orderBy && options.thenById) q = q.orderBy('_id', options.orderBy[1]);
    if (options.skip) q = q.skip(options.skip);
    q = q.limit(options.limit ?? 100);
    const { data } = await q.get();
    return data as T[];
  }

  async count(collection: CollectionName, query: Query): Promise<number> {
    const { total } = await this.db.collection(collection).where(query).count();
    return total;
  }

  async removeWhere(collection: CollectionName, query: Query): Promise<number> {
    const { stats } = await this.db.collection(collection).where(query).remove();
    return stats.removed;
  }
}
