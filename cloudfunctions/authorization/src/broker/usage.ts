import { COLLECTIONS, type Store } from '../store';

/** One row per authorizer (or the platform, for component calls) and API. */
export interface UsageDoc {
  _id: string;
  appid: string;
  api: string;
  calls: number;
  errors: number;
  lastErrcode: number;
  lastAt: number;
}

/**
 * Counts broker calls per appid and API. One conditional update with `inc` per call (a create the
 * first time), so counting costs a single write and no read. Counting never fails a call.
 */
export class Usage {
  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  async record(appid: string, api: string, errcode: number, at: number): Promise<void> {
    try {
      await this.write(appid, api, errcode, at);
    } catch (error) {
      this.onError(error);
    }
  }

  async ofAppid(appid: string, limit = 100): Promise<UsageDoc[]> {
    return this.store.find<UsageDoc>(COLLECTIONS.brokerUsage, { appid }, { orderBy: ['lastAt', 'desc'], limit });
  }

  private async write(appid: string, api: string, errcode: number, at: number): Promise<void> {
    const { store } = this;
    const id = `${appid}:${api}`;
    const failed = errcode === 0 ? 0 : 1;
    const bump = () =>
      store.update(COLLECTIONS.brokerUsage, id, {
        calls: store.command.inc(1),
        errors: store.command.inc(failed),
        lastErrcode: errcode,
        lastAt: at,
      });
    if ((await bump()) === 1) return;
    const first: UsageDoc = { _id: id, appid, api, calls: 1, errors: failed, lastErrcode: errcode, lastAt: at };
    // Another instance may create it between our update and our add: then bump theirs.
    if (!(await store.create(COLLECTIONS.brokerUsage, { ...first }))) await bump();
  }
}
