import type { UsageDoc, CallerUsageDoc, ScopeMiss } from '../model';
import type { BrokerErrorCode } from '../../../../clients/broker-client/src/wire';
import type { Repositories } from '../repositories';
import type { BrokerCaller } from './scope';

/** `missing`: for SCOPE_DENIED, the part of the caller's scope that did not cover the request and what was asked. */
export type CallerOutcome = { errcode: number } | { refusal: BrokerErrorCode; missing?: ScopeMiss };

/** The row a revoked key's or secret's requests are counted under (before any operation is read). */
export const REVOKED_ROW = 'auth';

export const callerName = (caller: Pick<BrokerCaller, 'way' | 'id'>) => `${caller.way}:${caller.id}`;

/**
 * Counts broker calls per appid and API, and requests per caller and API: each counter is a write
 * and no read (brokerUsageRepository.ts). Counting never fails a call.
 */
export class Usage {
  constructor(
    private readonly rows: Pick<Repositories, 'brokerUsage' | 'brokerCallerUsage'>,
    private readonly onError: (error: unknown) => void,
  ) {}

  async record(appid: string, api: string, errcode: number, at: number): Promise<void> {
    try {
      await this.write(appid, api, errcode, at);
    } catch (error) {
      this.onError(error);
    }
  }

  async recordCaller(caller: Pick<BrokerCaller, 'way' | 'id'>, api: string, outcome: CallerOutcome, at: number): Promise<void> {
    const name = callerName(caller);
    const refused = 'refusal' in outcome ? 1 : 0;
    const errors = 'errcode' in outcome && outcome.errcode !== 0 ? 1 : 0;
    const lastOutcome = 'refusal' in outcome ? outcome.refusal : outcome.errcode;
    try {
      await this.rows.brokerCallerUsage.add(
        `${name}:${api}`,
        { caller: name, api },
        { calls: 1, errors, refused },
        { lastOutcome, lastMissing: ('missing' in outcome && outcome.missing) || null, lastAt: at },
      );
    } catch (error) {
      this.onError(error);
    }
  }

  async ofAppid(appid: string, limit = 100): Promise<UsageDoc[]> {
    return this.rows.brokerUsage.ofAppid(appid, limit);
  }

  /** A caller's busiest-lately APIs, newest first. */
  async ofCaller(caller: Pick<BrokerCaller, 'way' | 'id'>, limit = 100): Promise<CallerUsageDoc[]> {
    return this.rows.brokerCallerUsage.ofCaller(callerName(caller), limit);
  }

  private async write(appid: string, api: string, errcode: number, at: number): Promise<void> {
    const errors = errcode === 0 ? 0 : 1;
    await this.rows.brokerUsage.add(
      `${appid}:${api}`,
      { appid, api },
      { calls: 1, errors },
      { lastErrcode: errcode, lastAt: at },
    );
  }
}
