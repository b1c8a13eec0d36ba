import type { MiniProgramVersions } from '../../../../typings/api';
import type { MerchantVersionsDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/**
 * The merchantVersions collection: what WeChat last said of a merchant mini-program's versions,
 * kept so the account page answers from it for a short while instead of asking WeChat again.
 */
export class MerchantVersionsRepository {
  constructor(private readonly store: Store) {}

  /** The answer last kept for the app, with when WeChat was read; null when none is kept. */
  async get(appid: string): Promise<MerchantVersionsDoc | null> {
    return this.store.get<MerchantVersionsDoc>(COLLECTIONS.merchantVersions, appid);
  }

  /** Replaces the app's kept answer whole. */
  put(appid: string, view: MiniProgramVersions): Promise<void> {
    return this.store.put(COLLECTIONS.merchantVersions, appid, { view, checkedAt: view.checkedAt });
  }
}
