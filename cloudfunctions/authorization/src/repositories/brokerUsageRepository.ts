import type { CallerUsageDoc, UsageDoc } from '../model';
import { COLLECTIONS, type CollectionName, type Store } from '../store';

/**
 * Counter rows: adding is one conditional update with `inc` (a create the first time), a write
 * and no read.
 */
class CounterRows<T> {
  constructor(
    protected readonly store: Store,
    private readonly collection: CollectionName,
  ) {}

  /** Adds `increments` to row `id` and writes `latest`; `key` names the row when it is created. */
  async add(
    id: string,
    key: Record<string, string>,
    increments: Record<string, number>,
    latest: Record<string, unknown>,
  ): Promise<void> {
    const { store, collection } = this;
    const inc = Object.fromEntries(Object.entries(increments).map(([field, by]) => [field, store.command.inc(by)]));
    const bump = () => store.update(collection, id, { ...inc, ...latest });
    if ((await bump()) === 1) return;
    // Another instance may create it between our update and our add: then bump theirs.
    if (!(await store.create(collection, { _id: id, ...key, ...increments, ...latest }))) await bump();
  }

  /** The rows matching `filter`, latest first. */
  protected latest(filter: Record<string, string>, limit: number): Promise<T[]> {
    return this.store.find<T>(this.collection, filter, { orderBy: ['lastAt', 'desc'], limit });
  }
}

/** The `brokerUsage` collection: calls per authorizer and WeChat API. */
export class BrokerUsageRepository extends CounterRows<UsageDoc> {
  constructor(store: Store) {
    super(store, COLLECTIONS.brokerUsage);
  }

  ofAppid(appid: string, limit: number): Promise<UsageDoc[]> {
    return this.latest({ appid }, limit);
  }
}

/** The `brokerCallerUsage` collection: requests per broker caller and API or operation. */
export class BrokerCallerUsageRepository extends CounterRows<CallerUsageDoc> {
  constructor(store: Store) {
    super(store, COLLECTIONS.brokerCallerUsage);
  }

  ofCaller(caller: string, limit: number): Promise<CallerUsageDoc[]> {
    return this.latest({ caller }, limit);
  }
}
