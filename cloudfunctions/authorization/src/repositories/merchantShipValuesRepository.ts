import type { MerchantShipValuesDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

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

  /** Replaces the merchant's values whole. */
  put(appid: string, values: Record<string, string>): Promise<void> {
    return this.store.put(COLLECTIONS.merchantShipValues, appid, { values, updatedAt: this.now() });
  }
}
