import type { BrokerErrorBody } from '../../../../clients/broker-client/src/wire';
import type { BrokerDeps } from './deps';
import { AppError } from '../errors';
import { isOpenApiError } from '../openapi/errors';
import { Nonces } from './nonces';
import { WeChatProxy } from './proxy';
import { BrokerRefusal, RevokedCaller } from './refusal';
import { REVOKED_ROW, Usage } from './usage';

export interface Broker {
  proxy: WeChatProxy;
  usage: Usage;
  nonces: Nonces;
}

const brokers = new WeakMap<BrokerDeps, Broker>();

/** The broker of this function instance, wired on first use (nothing to do at cold start). */
export function brokerOf(app: BrokerDeps): Broker {
  let broker = brokers.get(app);
  if (!broker) {
    const usage = new Usage(app.repositories, (error) =>
      app.log.warn('broker usage not counted', { name: error instanceof Error ? error.name : typeof error }),
    );
    broker = { usage, proxy: new WeChatProxy(app, usage), nonces: new Nonces(app.repositories.brokerNonces, app.now) };
    brokers.set(app, broker);
  }
  return broker;
}

/** A revoked key or secret that still calls is counted for it (one row per key; never fails the answer). */
export async function countRevoked(app: BrokerDeps, error: unknown): Promise<void> {
  if (!(error instanceof RevokedCaller)) return;
  await brokerOf(app).usage.recordCaller(error.caller, REVOKED_ROW, { refusal: 'KEY_REVOKED' }, app.now());
}

/** Every failure as a refusal body; details go to the log (never a token, secret or body). */
export function toBrokerError(app: BrokerDeps, error: unknown): BrokerErrorBody {
  if (error instanceof BrokerRefusal) return error.body;
  if (error instanceof AppError && error.code === 'NOT_READY')
    return { code: 'NOT_READY', message: 'not ready yet; retry shortly' };
  // The release jobs' own refusals (a bad plan, no such job): messages written by us, for people.
  if (error instanceof AppError && (error.code === 'INVALID_INPUT' || error.code === 'NOT_FOUND'))
    return { code: 'INVALID_INPUT', message: error.message };
  if (isOpenApiError(error)) {
    app.log.warn('broker upstream error', { api: error.api, errcode: error.errcode, category: error.category });
    return { code: 'UPSTREAM', message: `WeChat refused: ${error.meaning}`, errcode: error.errcode };
  }
  app.log.warn('broker internal error', { name: error instanceof Error ? error.name : typeof error });
  return { code: 'INTERNAL', message: 'internal error' };
}
