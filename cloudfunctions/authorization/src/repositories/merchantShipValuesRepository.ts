import type { MerchantShipValuesDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The database's page: one read returns at most this many. */
const PAGE = 100;

/** The merchantShipValues collection: the values a provider keeps per merchant for ext_json templates. */
export class MerchantShipValuesRepository {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** The merchant's values; empty when none are kept (a template that needs any skips the merchant). */
  async get(appid: string): Promise<Record<string, string>> {
    const doc = await this.store.get<MerchantShipValuesDoc>(COLLECTIONS.merchantShipValues, appid);
    return doc?.values ?? {};
  }

  /** The values of up to 100 merchants in one read (a merchant without any is absent). */
  async getMany(appids: string[]): Promise<Map<string, Record<string, string>>> {
    if (appids.length > PAGE) throw new RangeError(`getMany reads at most ${PAGE} merchants`);
    if (appids.length === 0) return new Map();
    const query = { _id: this.store.command.in(appids) };
    const docs = await this.store.find<MerchantShipValuesDoc>(COLLECTIONS.merchantShipValues, query, { limit: PAGE });
    return new Map(docs.map((doc) => [doc._id, doc.values]));
  }

  /** Replaces the merchant's values whole. */
  put(appid: string, values: Record<string, string>): Promise<void> {
    return this.store.put(COLLECTIONS.merchantShipValues, appid, { values, updatedAt: this.now() });
  }
}
