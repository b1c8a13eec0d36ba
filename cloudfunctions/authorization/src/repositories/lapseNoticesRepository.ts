import type { LapseNoticeDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `lapseNotices` collection: one record per lapse and owner, whose insert is the claim. */
export class LapseNoticesRepository {
  constructor(private readonly store: Store) {}

  /** False when this lapse was already claimed for this owner. */
  claim(record: LapseNoticeDoc): Promise<boolean> {
    return this.store.create(COLLECTIONS.lapseNotices, { ...record });
  }

  async settle(
    id: string,
    outcome: Pick<LapseNoticeDoc, 'outcome'> & Partial<Pick<LapseNoticeDoc, 'errCode' | 'at'>>,
  ): Promise<void> {
    await this.store.update(COLLECTIONS.lapseNotices, id, { ...outcome });
  }

  removeBefore(at: number): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.lapseNotices, { at: this.store.command.lt(at) });
  }
}
