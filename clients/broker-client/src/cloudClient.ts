import { WeChatAnswer } from './answer';
import type { BrokerClient } from './client';
import { BrokerError } from './errors';
import { shipClientOf, type ShipClient } from './shipClient';
import type { BrokerCallEvent, BrokerCallResult, BrokerOp, BrokerOps, ProxyRequest } from './wire';

/** The slice of wx-server-sdk's `cloud` object the client needs. */
export interface CloudFunctionCaller {
  callFunction(options: { name: string; data: unknown }): Promise<{ result?: unknown }>;
}

export interface CloudClientOptions {
  /** This function's named secret (one of BROKER_FUNCTION_SECRETS), from its own environment. */
  secret: string;
  /** Default 'authorization'. */
  functionName?: string;
}

/** The broker from another cloud function of the same environment (`cloud.callFunction`). */
export class BrokerCloudClient implements BrokerClient {
  readonly ship: ShipClient;

  constructor(
    private readonly cloud: CloudFunctionCaller,
    private readonly options: CloudClientOptions,
  ) {
    this.ship = shipClientOf(async (input) => (await this.op('ship', input)) as never);
  }

  token(appid: string) {
    return this.op('token', { appid });
  }

  async reportRejected(appid: string, accessToken: string, errcode: number) {
    return (await this.op('reportRejected', { appid, accessToken, errcode })).invalidated;
  }

  async call(appid: string, request: ProxyRequest) {
    return WeChatAnswer.fromWire(await this.op('call', { ...request, appid }));
  }

  async componentCall(request: ProxyRequest) {
    return WeChatAnswer.fromWire(await this.op('componentCall', request));
  }

  listAuthorizers(page: { after?: string; limit?: number } = {}) {
    return this.op('listAuthorizers', page);
  }

  private async op<K extends BrokerOp>(op: K, input: BrokerOps[K]['input']): Promise<BrokerOps[K]['output']> {
    const data: BrokerCallEvent<K> = { broker: { secret: this.options.secret, op, input } };
    let reply: { result?: unknown };
    try {
      reply = await this.cloud.callFunction({ name: this.options.functionName ?? 'authorization', data });
    } catch (error) {
      throw new BrokerError({
        code: 'TRANSPORT',
        message: `callFunction failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    const result = reply.result as BrokerCallResult<K> | undefined;
    if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') {
      throw new BrokerError({ code: 'TRANSPORT', message: 'the function did not answer as a broker' });
    }
    if (!result.ok) throw new BrokerError(result.error);
    return result.data;
  }
}
