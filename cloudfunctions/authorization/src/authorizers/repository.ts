import type { AuthorizerKind, AuthorizerStatus } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { COLLECTIONS, type Query, type Store } from '../store';

/** The authorizers collection, read by meaning. Writes that follow WeChat's events live in records.ts. */
export class Authorizers {
  constructor(private readonly store: Store) {}

  get(appid: string): Promise<AuthorizerDoc | null> {
    return this.store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
  }

  /** The merchant's own accounts, newest change first (a merchant has a handful). */
  listOwnedBy(openid: string): Promise<AuthorizerDoc[]> {
    return this.store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { owners: openid },
      { orderBy: ['updatedAt', 'desc'], limit: 100 },
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
        limit: Math.min(filter.limit, 100),
      }),
    ]);
    return { total, docs };
  }
}
