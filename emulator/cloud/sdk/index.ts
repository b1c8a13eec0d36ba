import { randomUUID } from 'node:crypto';
import { currentWxContext, type WxContext } from './context';
import type { CrashSwitch } from './crash';
import { Database } from './database';
import type { DbService } from './service';
import type { DocumentStore } from './store';
import { createOpenApi, SubscribeMessageOutbox } from './openapi';

/**
 * The part of `wx-server-sdk` a cloud function uses, backed by the runtime's embedded store.
 * The runner hands one of these to each function instance as `require('wx-server-sdk')`.
 */

export interface WxServerSdkDeps {
  store: DocumentStore;
  /** The runtime clock, for `db.serverDate()`. */
  now(): number;
  envId: string;
  /** The database service every instance shares (page cap, latency, call counts). */
  service: DbService;
  /** Throws once this function instance was ended by its timeout. */
  assertAlive?(): void;
  log?(line: string): void;
  /** The instance's crash switch (tests make an instance die at a chosen database operation). */
  crash?: CrashSwitch;
  /** Runs another function of the environment as called by the one whose context is `caller`. */
  callFunction?(name: string, data: unknown, caller: WxContext): Promise<unknown>;
  /** `cloud.openapi`: which function, what its config.json permits, and where sends are recorded. */
  openapi?: { functionName: string; permitted: readonly string[]; outbox: SubscribeMessageOutbox };
}

/** What `cloud.callFunction` resolves to in wx-server-sdk. */
export interface CallFunctionResult {
  result: unknown;
  errMsg: string;
  requestID: string;
}

export interface InitConfig {
  env?: string | symbol | Record<string, string | symbol>;
  throwOnNotFound?: boolean;
  [key: string]: unknown;
}

export interface WxServerSdk {
  readonly version: string;
  readonly DYNAMIC_CURRENT_ENV: symbol;
  init(config?: InitConfig): void;
  database(config?: { env?: string | symbol; throwOnNotFound?: boolean }): Database;
  getWXContext(): WxContext;
  /** Calls another cloud function of the same environment (SOURCE `scf` there, spec §1). */
  callFunction(options: { name: string; data?: unknown }): Promise<CallFunctionResult>;
  logger(): Record<'log' | 'info' | 'warn' | 'error', (...args: unknown[]) => void>;
  /** The APIs the function calls with the cloud's own credentials (subscribeMessage.send only). */
  readonly openapi: ReturnType<typeof createOpenApi>;
}

/** wx-server-sdk's marker for "the environment this function runs in". */
export const DYNAMIC_CURRENT_ENV = Symbol.for('DYNAMIC_CURRENT_ENV');

function envName(env: InitConfig['env']): string | symbol | undefined {
  if (typeof env === 'object' && env !== null) return env.database;
  return env;
}

export function createWxServerSdk(deps: WxServerSdkDeps): WxServerSdk {
  const log = deps.log ?? (() => undefined);
  let initConfig: InitConfig = {};

  function warnOnForeignEnv(env: string | symbol | undefined): void {
    if (env === undefined || env === DYNAMIC_CURRENT_ENV || env === deps.envId) return;
    log(`wx-server-sdk: env ${String(env)} requested; the local runtime only has ${deps.envId}`);
  }

  const openapi = createOpenApi({
    functionName: deps.openapi?.functionName ?? '',
    permitted: deps.openapi?.permitted ?? [],
    outbox: deps.openapi?.outbox ?? new SubscribeMessageOutbox(),
    now: deps.now,
    context: () => currentWxContext(deps.envId),
  });

  return {
    version: 'local-emulator',
    openapi,
    DYNAMIC_CURRENT_ENV,
    init(config: InitConfig = {}) {
      initConfig = { ...config };
      warnOnForeignEnv(envName(config.env));
    },
    database(config = {}) {
      warnOnForeignEnv(config.env);
      const throwOnNotFound = config.throwOnNotFound ?? initConfig.throwOnNotFound ?? true;
      return new Database({
        store: deps.store,
        now: deps.now,
        throwOnNotFound,
        service: deps.service,
        assertAlive: deps.assertAlive,
        crash: deps.crash,
      });
    },
    getWXContext() {
      return currentWxContext(deps.envId);
    },
    async callFunction(options) {
      if (!deps.callFunction) throw new Error('cloud.callFunction:fail the local runtime offers no function calls here');
      if (!options || typeof options.name !== 'string')
        throw new Error('cloud.callFunction:fail parameter.name should be String');
      const result = await deps.callFunction(options.name, options.data ?? {}, currentWxContext(deps.envId));
      return { result, errMsg: 'cloud.callFunction:ok', requestID: randomUUID() };
    },
    logger() {
      const write =
        (level: string) =>
        (...args: unknown[]) =>
          log(`[${level}] ${args.map(String).join(' ')}`);
      return { log: write('log'), info: write('info'), warn: write('warn'), error: write('error') };
    },
  };
}

export { Database } from './database';
export { DocumentStore } from './store';
export { DbService } from './service';
export { invocationContext, type WxContext } from './context';
export { SubscribeMessageOutbox, type SentSubscribeMessage } from './openapi';
