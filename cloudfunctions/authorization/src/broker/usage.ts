import type { BrokerErrorCode } from '../../../../clients/broker-client/src/wire';
import { COLLECTIONS, type CollectionName, type Store } from '../store';
import type { BrokerCaller } from './scope';

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

/** One row per caller and API (or operation, for token, list and report). */
export interface CallerUsageDoc {
  _id: string;
  /** `http:<key id>` or `function:<secret id>`. */
  caller: string;
  api: string;
  calls: number;
  /** Answered by WeChat with an errcode other than 0, or failed on the way. */
  errors: number;
  /** Refused by the broker (scope, input, the merchant's authorization …). */
  refused: number;
  /** WeChat's errcode, or the broker's refusal code, of the latest request. */
  lastOutcome: number | BrokerErrorCode;
  lastAt: number;
}

export type CallerOutcome = { errcode: number } | { refusal: BrokerErrorCode };

export const callerName = (caller: Pick<BrokerCaller, 'way' | 'id'>) => `${caller.way}:${caller.id}`;

/**
 * Counts broker calls per appid and API, and requests per caller and API: each counter is one
 * conditional update with `inc` (a create the first time), a write and no read. Counting never
 * fails a call.
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

  async recordCaller(caller: BrokerCaller, api: string, outcome: CallerOutcome, at: number): Promise<void> {
    const name = callerName(caller);
    const refused = 'refusal' in outcome ? 1 : 0;
    const errors = 'errcode' in outcome && outcome.errcode !== 0 ? 1 : 0;
    const lastOutcome = 'refusal' in outcome ? outcome.refusal : outcome.errcode;
    try {
      await this.count(
        COLLECTIONS.brokerCallerUsage,
        `${name}:${api}`,
        { caller: name, api },
        { calls: 1, errors, refused },
        {
          lastOutcome,
          lastAt: at,
        },
      );
    } catch (error) {
      this.onError(error);
    }
  }

  async ofAppid(appid: string, limit = 100): Promise<UsageDoc[]> {
    return this.store.find<UsageDoc>(COLLECTIONS.brokerUsage, { appid }, { orderBy: ['lastAt', 'desc'], limit });
  }

  /** A caller's busiest-lately APIs, newest first. */
  async ofCaller(caller: Pick<BrokerCaller, 'way' | 'id'>, limit = 100): Promise<CallerUsageDoc[]> {
    return this.store.find<CallerUsageDoc>(
      COLLECTIONS.brokerCallerUsage,
      { caller: callerName(caller) },
      { orderBy: ['lastAt', 'desc'], limit },
    );
  }

  private async write(appid: string, api: string, errcode: number, at: number): Promise<void> {
    const errors = errcode === 0 ? 0 : 1;
    await this.count(
      COLLECTIONS.brokerUsage,
      `${appid}:${api}`,
      { appid, api },
      { calls: 1, errors },
      { lastErrcode: errcode, lastAt: at },
    );
  }

  /** Adds to a counter row: one conditional update, or a create the first time. */
  private async count(
    collection: CollectionName,
    id: string,
    key: Record<string, string>,
    increments: Record<string, number>,
    latest: Record<string, unknown>,
  ): Promise<void> {
    const { store } = this;
    const inc = Object.fromEntries(Object.entries(increments).map(([field, by]) => [field, store.command.inc(by)]));
    const bump = () => store.update(collection, id, { ...inc, ...latest });
    if ((await bump()) === 1) return;
    // Another instance may create it between our update and our add: then bump theirs.
    if (!(await store.create(collection, { _id: id, ...key, ...increments, ...latest }))) await bump();
  }
}
