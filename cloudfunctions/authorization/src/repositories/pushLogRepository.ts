import { Claims } from '../claims';
import type { PushLogDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';

/** The `pushLog` collection: each push claimed once by its processor (claims.ts), kept a week. */
export class PushLogRepository {
  constructor(private readonly store: Store) {}

  get(id: string): Promise<PushLogDoc | null> {
    return this.store.get<PushLogDoc>(COLLECTIONS.pushLog, id);
  }

  claims(holder: string, now: () => number): Claims {
    return new Claims({ store: this.store, collection: COLLECTIONS.pushLog, holder, now });
  }

  /** Pushes received before `at`, processed or not; how many were removed. */
  removeReceivedBefore(at: number): Promise<number> {
    return this.store.removeWhere(COLLECTIONS.pushLog, { receivedAt: this.store.command.lt(at) });
  }

  /** The latest pushes whose processing failed. */
  recentFailures(limit: number): Promise<PushLogDoc[]> {
    return this.store.find<PushLogDoc>(COLLECTIONS.pushLog, { outcome: 'failed' }, { orderBy: ['receivedAt', 'desc'], limit });
  }
}
