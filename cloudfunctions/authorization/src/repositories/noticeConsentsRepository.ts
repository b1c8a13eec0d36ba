import { COLLECTIONS, type Store } from '../store';

export interface ConsentDoc {
  _id: string;
  credits: number;
  updatedAt: number;
}

/** The `noticeConsents` collection: each merchant's lapse-notice credits. */
export class NoticeConsentsRepository {
  constructor(private readonly store: Store) {}

  async credits(openid: string): Promise<number> {
    const doc = await this.store.get<ConsentDoc>(COLLECTIONS.noticeConsents, openid);
    return doc?.credits ?? 0;
  }

  /** One more credit (the first creates the record). */
  async addOne(openid: string, at: number): Promise<void> {
    const created = await this.store.create(COLLECTIONS.noticeConsents, { _id: openid, credits: 1, updatedAt: at });
    if (!created)
      await this.store.update(COLLECTIONS.noticeConsents, openid, { credits: this.store.command.inc(1), updatedAt: at });
  }

  /** Spends one credit if there is one left; false when there was none. */
  async spendOne(openid: string, at: number): Promise<boolean> {
    const _ = this.store.command;
    const spent = await this.store.updateWhere(
      COLLECTIONS.noticeConsents,
      { _id: openid, credits: _.gt(0) },
      { credits: _.inc(-1), updatedAt: at },
    );
    return spent === 1;
  }

  async zero(openid: string, at: number): Promise<void> {
    await this.store.update(COLLECTIONS.noticeConsents, openid, { credits: 0, updatedAt: at });
  }
}
