import type { AuthorizerChange, AuthorizerKind, AuthorizerStatus } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { COLLECTIONS, type Query, type Store } from '../store';

/** The database's page: every read asks for at most this many. */
const PAGE = 100;

/** What a write under the record's version changes: whole field values, and a history entry to append. */
export interface AuthorizerUpdate {
  fields: Partial<Omit<AuthorizerDoc, '_id' | 'history' | 'updatedAt'>>;
  history?: AuthorizerChange;
}

export interface Revocation {
  /** WeChat's time of the revocation (push CreateTime, or when reconcile's listing was read). */
  at: number;
  event: 'unauthorized' | 'reconciled';
  now: number;
  /**
   * Reconcile's guard: only over a record that is not revoked and holds no event at or after `at`
   * (a grant during the pass is not a revocation).
   */
  onlyOverOlder?: boolean;
}

/** The console's orders: every one has an index per filter (setup/collections.ts), ties by `_id`. */
export type ConsoleSortField = 'updatedAt' | 'name' | 'authorizedAt';

/**
 * What the console lists. Each search is one an index can answer: an AppID (`_id`), an original
 * ID (`userName`), a merchant's OPENID (`owners`) or the start of the name (a range on `name`).
 */
export interface ConsoleFilter {
  kind?: AuthorizerKind;
  status?: AuthorizerStatus;
  /** Accounts whose granted sets lack this one (checked on each account the index walk reaches). */
  missingSet?: number;
  appid?: string;
  userName?: string;
  owner?: string;
  namePrefix?: string;
}

export interface ConsoleOrder {
  field: ConsoleSortField;
  descending: boolean;
}

/** Where a page starts: after this account (its sort value and `_id`), exclusive. */
export interface ConsoleKey {
  value: string | number;
  id: string;
}

/** `updatedAt` doubles as the version of optimistic writes: it always moves forward. */
const nextVersion = (before: AuthorizerDoc, now: number) => Math.max(now, before.updatedAt + 1);

/**
 * The `authorizers` collection. Writes that follow WeChat's events are conditional on the version
 * read (`updatedAt`), so of two racing writers one wins and the other decides again (records.ts).
 */
export class AuthorizersRepository {
  constructor(private readonly store: Store) {}

  get(appid: string): Promise<AuthorizerDoc | null> {
    return this.store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
  }

  /** A first record (first grant, or a revocation's placeholder); false when one exists. */
  create(doc: AuthorizerDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.authorizers, { ...doc });
  }

  /** Writes `update` if the record is still at `before`'s version; false when another write came first. */
  async update(before: AuthorizerDoc, update: AuthorizerUpdate, now: number): Promise<boolean> {
    const _ = this.store.command;
    // A nested value in an update merges field by field: `set` writes it whole.
    const fields = Object.fromEntries(
      Object.entries(update.fields).map(([name, value]) => [
        name,
        typeof value === 'object' && value !== null ? _.set(value) : value,
      ]),
    );
    const data: Query = { ...fields, updatedAt: nextVersion(before, now) };
    if (update.history) data.history = _.push([update.history]);
    return (await this.store.updateWhere(COLLECTIONS.authorizers, { _id: before._id, updatedAt: before.updatedAt }, data)) === 1;
  }

  /** The one revocation write: `before` becomes revoked at `revocation.at`, under its version. */
  async revoke(before: AuthorizerDoc, revocation: Revocation): Promise<boolean> {
    const { at, event, now, onlyOverOlder } = revocation;
    const _ = this.store.command;
    const older = onlyOverOlder ? { status: _.neq('revoked'), lastEventAt: _.lt(at) } : {};
    const guard: Query = { _id: before._id, ...older, updatedAt: before.updatedAt };
    const history = _.push([{ at: now, event, added: [], removed: before.grantedSets }]);
    const data: Query = { status: 'revoked', lastEventAt: at, updatedAt: nextVersion(before, now) };
    if (before.status !== 'revoked') data.history = history;
    return (await this.store.updateWhere(COLLECTIONS.authorizers, guard, data)) === 1;
  }

  /** WeChat says the refresh token is dead: only an active account becomes needs_reauth (once). */
  async markNeedsReauth(appid: string, now: number): Promise<boolean> {
    const updated = await this.store.updateWhere(
      COLLECTIONS.authorizers,
      { _id: appid, status: 'active' },
      { status: 'needs_reauth', updatedAt: now },
    );
    if (updated !== 1) return false;
    await this.store.update(COLLECTIONS.authorizers, appid, {
      history: this.store.command.push([{ at: now, event: 'needs_reauth', added: [], removed: [] }]),
    });
    return true;
  }

  /** The merchant's own accounts, newest change first (a merchant has a handful). */
  listOwnedBy(openid: string): Promise<AuthorizerDoc[]> {
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { owners: openid },
      { orderBy: ['updatedAt', 'desc'], limit: PAGE },
    );
  }

  /** One page of every account, for the admin, with the total under the same filter. */
  async page(filter: { kind?: AuthorizerKind; status?: AuthorizerStatus; offset: number; limit: number }) {
    const query: Query = { ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.status ? { status: filter.status } : {}) };
    const [total, docs] = await Promise.all([
      this.store.count(COLLECTIONS.authorizers, query),
      this.store.find<AuthorizerDoc>(COLLECTIONS.authorizers, query, {
        orderBy: ['updatedAt', 'desc'],
        skip: filter.offset,
        limit: Math.min(filter.limit, PAGE),
      }),
    ]);
    return { total, docs };
  }

  /** How many accounts the console's filter holds (an indexed count when it names only kind and status). */
  countForConsole(filter: ConsoleFilter): Promise<number> {
    return this.store.count(COLLECTIONS.authorizers, this.consoleQuery(filter));
  }

  /**
   * Up to `limit` accounts in `order`, after `after` when given. Keyset paging: the accounts that
   * tie with `after` on the sort value come first (those past its `_id`), then the ones beyond
   * that value: two reads, run together, each a walk of one index from where it starts.
   */
  async pageForConsole(filter: ConsoleFilter, order: ConsoleOrder, limit: number, after?: ConsoleKey): Promise<AuthorizerDoc[]> {
    const _ = this.store.command;
    const find = (query: Query) =>
      this.store.find<AuthorizerDoc>(COLLECTIONS.authorizers, query, {
        orderBy: [order.field, order.descending ? 'desc' : 'asc'],
        thenById: true,
        limit: Math.min(limit, PAGE),
      });
    const base = this.consoleQuery(filter);
    if (!after) return find(base);
    const beyond = order.descending ? _.lt(after.value) : _.gt(after.value);
    const [ties, rest] = await Promise.all([
      find({ ...base, [order.field]: after.value, _id: order.descending ? _.lt(after.id) : _.gt(after.id) }),
      find({ ...base, [order.field]: this.withinPrefix(filter, order, beyond) }),
    ]);
    return [...ties, ...rest].slice(0, limit);
  }

  /** A name search keeps its other end when a page starts past a key. */
  private withinPrefix(filter: ConsoleFilter, order: ConsoleOrder, beyond: unknown): unknown {
    const _ = this.store.command;
    if (filter.namePrefix === undefined || order.field !== 'name') return beyond;
    return order.descending ? _.and(_.gte(filter.namePrefix), beyond) : _.and(beyond, _.lt(nameRangeEnd(filter.namePrefix)));
  }

  private consoleQuery(filter: ConsoleFilter): Query {
    const _ = this.store.command;
    const query: Query = {};
    if (filter.kind) query.kind = filter.kind;
    if (filter.status) query.status = filter.status;
    if (filter.appid !== undefined) query._id = filter.appid;
    if (filter.userName !== undefined) query.userName = filter.userName;
    if (filter.owner !== undefined) query.owners = filter.owner;
    if (filter.namePrefix !== undefined) {
      query.name = _.and(_.gte(filter.namePrefix), _.lt(nameRangeEnd(filter.namePrefix)));
    }
    if (filter.missingSet !== undefined) query.grantedSets = _.nin([filter.missingSet]);
    return query;
  }

  /** In appid order: after a cursor, or only the given appids. */
  inAppidOrder(from: { after?: string; only?: string[] }, limit: number): Promise<AuthorizerDoc[]> {
    const _ = this.store.command;
    const query = from.only ? { _id: _.in(from.only) } : from.after === undefined ? {} : { _id: _.gt(from.after) };
    return this.store.find<AuthorizerDoc>(COLLECTIONS.authorizers, query, { orderBy: ['_id', 'asc'], limit });
  }

  /** The records of these appids (any number), by appid. */
  async byIds(appids: string[]): Promise<Map<string, AuthorizerDoc>> {
    return byIds<AuthorizerDoc>(this.store, COLLECTIONS.authorizers, appids);
  }

  /** One page of the accounts not revoked, in appid order after `after`. */
  unrevokedAfter(after: string): Promise<AuthorizerDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { status: _.neq('revoked'), _id: _.gt(after) },
      { orderBy: ['_id', 'asc'], limit: PAGE },
    );
  }

  countUnrevoked(): Promise<number> {
    return this.store.count(COLLECTIONS.authorizers, { status: this.store.command.in(['active', 'needs_reauth']) });
  }

  countWithStatus(status: AuthorizerStatus, kind?: AuthorizerKind): Promise<number> {
    return this.store.count(COLLECTIONS.authorizers, { status, ...(kind ? { kind } : {}) });
  }

  /** The accounts that need re-authorization, latest first. */
  needingReauth(limit: number): Promise<AuthorizerDoc[]> {
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { status: 'needs_reauth' },
      { orderBy: ['updatedAt', 'desc'], limit },
    );
  }

  /** Accounts that lapsed (needs_reauth or revoked) and changed since `since`, latest first. */
  lapsedSince(since: number): Promise<AuthorizerDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { status: _.in(['needs_reauth', 'revoked']), updatedAt: _.gte(since) },
      { orderBy: ['updatedAt', 'desc'], limit: PAGE },
    );
  }

  /** One page of the active accounts of a kind that granted a permission set, in appid order after `after`. */
  activeWithSet(kind: AuthorizerKind, set: number, after: string, limit: number): Promise<AuthorizerDoc[]> {
    const _ = this.store.command;
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { status: 'active', kind, grantedSets: set, _id: _.gt(after) },
      { orderBy: ['_id', 'asc'], limit: Math.min(limit, PAGE) },
    );
  }

  /** The active accounts with these WeChat user names (原始ID). */
  activeByUserNames(userNames: string[]): Promise<AuthorizerDoc[]> {
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { userName: this.store.command.in(userNames), status: 'active' },
      { limit: PAGE },
    );
  }
}

/** Every name that starts with `prefix` sorts below this (U+FFFF is no character a name holds). */
const nameRangeEnd = (prefix: string) => `${prefix}\uffff`;

/** `_id in [...]` lookups, at most one database page each, run together. */
export async function byIds<T extends { _id: string }>(
  store: Store,
  collection: 'authorizers' | 'authorizerTokens',
  ids: string[],
): Promise<Map<string, T>> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += PAGE) chunks.push(ids.slice(i, i + PAGE));
  const pages = await Promise.all(
    chunks.map((chunk) => store.find<T>(collection, { _id: store.command.in(chunk) }, { limit: PAGE })),
  );
  return new Map(pages.flat().map((doc) => [doc._id, doc]));
}
