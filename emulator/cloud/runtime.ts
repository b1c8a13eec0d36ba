import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Clock } from '../clock';
import type { PortListener } from '../listener';
import { errorMessage, errorStack } from './error-text';
import {
  DEFAULT_BODY_LIMITS,
  toHttpResponse,
  toIntegratedRequest,
  type HttpResponseParts,
  type RequestParts,
} from './http-access';
import { CallFunctionError, normalizePrefix, startRuntimeServer, type Identity } from './http-server';
import { readOpenApiPermissions, readTimeoutSeconds } from './function-config';
import { FunctionTimeoutError, loadFunction, type FunctionInstance as LoadedFunction } from './loader';
import { createWxServerSdk, SubscribeMessageOutbox } from './sdk';
import type { WxContext } from './sdk/context';
import { CrashSwitch, type DbOperation } from './sdk/crash';
import { Database } from './sdk/database';
import { DB_ERROR, DbFault } from './sdk/errors';
import { DbService, type DbCallCounts } from './sdk/service';
import { DocumentStore } from './sdk/store';
import { readTimerTriggers, TimerScheduler, timerEvent, type TimerTrigger } from './timers';

/**
 * The local WeChat cloud runtime: runs cloud function bundles unchanged (only `wx-server-sdk` is
 * replaced) with callFunction, HTTP access and timer triggers, on an embedded on-disk database.
 */

export interface CloudRuntimeOptions {
  /** Folder with one subfolder per function (cloudfunctions/), each with its bundled index.js. */
  functionsRoot: string;
  /** Folder for the database files. */
  dataDir: string;
  /** Default 'local-dev'. */
  envId?: string;
  clock?: Clock;
  /** Per-function environment variables. */
  env?: Record<string, Record<string, string>>;
  /** Default 127.0.0.1 and 0 (any free port). */
  host?: string;
  port?: number;
  /** A port bound beforehand to serve on instead of host/port: it stays bound after close (a restart keeps it). */
  listener?: PortListener;
  /** URL path prefix -> function name, e.g. { '/wx': 'authorization' }. */
  httpAccess?: Record<string, string>;
  /** Run timer triggers from each function's config.json on schedule (default true). */
  timers?: boolean;
  /** How often the scheduler looks at the clock, in real ms (default 500). */
  timerPollMs?: number;
  /** Base64-encode every HTTP access body, as WeChat may (default: only binary/unknown types). */
  forceBase64Body?: boolean;
  /** HTTP access body limits in bytes (default 100 KB text, 6 MB other). */
  httpBodyLimits?: { text?: number; binary?: number };
  /**
   * Whether a function called by another (`cloud.callFunction`) sees its caller's OPENID. WeChat's
   * docs do not say (spec §1, uncertain); default 'propagate', the case a callee must be ready for.
   */
  callFunctionOpenId?: 'propagate' | 'drop';
  /** Fail with -502005 on collections never created, like WeChat (default true). */
  strictCollections?: boolean;
  /** Most documents one `get()` returns, even with a larger `limit()`: 100 (default, the strict reading) to 1000. */
  maxGetLimit?: number;
  /** Real milliseconds added to each database call of a function (default 0), e.g. 5 for what the cloud costs. */
  dbLatencyMs?: number;
  /** Per-function timeout in seconds, overriding config.json's `timeout` (for tests and benchmarks). */
  timeoutSeconds?: Record<string, number>;
  log?: (line: string) => void;
}

export type { Identity } from './http-server';
export { CallFunctionError } from './http-server';
export type { DbOperation } from './sdk/crash';

/** A separately cold-started copy of a function: its own module state, the runtime's database. */
export interface FunctionInstance {
  readonly name: string;
  /** As wx.cloud.callFunction from a mini-program user; rejects with a CallFunctionError. */
  callFunction(data: unknown, identity?: Identity): Promise<unknown>;
  /** Fires one of its timer triggers (the first one if unnamed) on this instance. */
  triggerTimer(triggerName?: string): Promise<unknown>;
  /** Calls `exports.main(event, context)` with any event; `wxContext` fills getWXContext(). */
  invoke(event: unknown, wxContext?: Partial<WxContext>): Promise<unknown>;
  /** Tests: this instance dies before the first database operation `when` accepts. */
  crashWhen(when: (operation: DbOperation) => boolean): void;
}

export interface CloudRuntime {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8091. */
  readonly url: string;
  readonly envId: string;
  readonly clock: Clock;
  /** The emulated database (the same object `cloud.database()` gives), for tests to inspect. */
  readonly db: Database;
  /** As wx.cloud.callFunction, on the function's warm instance; rejects with a CallFunctionError. */
  callFunction(name: string, data: unknown, identity?: Identity): Promise<unknown>;
  newInstance(name: string): FunctionInstance;
  /**
   * Tests: the function's warm instance (the one HTTP access, callFunction and timers use) dies
   * before the first database operation `when` accepts; the next invocation cold-starts anew.
   */
  crashWarmInstance(name: string, when: (operation: DbOperation) => boolean): void;
  /** Fires a timer trigger now (the function's first one if unnamed); rejects if the function throws. */
  triggerTimer(functionName: string, triggerName?: string): Promise<unknown>;
  /** The timer triggers found in the functions' config.json files. */
  timerTriggers(): Array<{ functionName: string; name: string; config: string }>;
  /** Database calls the functions made so far (the runtime's own `db` is not counted). */
  dbCalls(): DbCallCounts;
  /** Subscribe messages the functions sent through `cloud.openapi` (recorded, never delivered). */
  readonly subscribeMessages: SubscribeMessageOutbox;
  /** Declares an index on a collection, e.g. `{ unique: true }` (the server sdk has no such call). */
  ensureIndex(collection: string, fieldName: string, options?: { unique?: boolean; sparse?: boolean }): Promise<void>;
  /** Declares a compound index (fields in order) that sorted, filtered reads walk instead of sorting. */
  ensureOrderedIndex(collection: string, fields: readonly string[]): Promise<void>;
  /** Benchmarks: false serves every read by scanning (and sorting in memory), as before the ordered indexes. */
  useOrderedIndexes(on: boolean): void;
  /** Benchmarks: a database client slowed and counted like the functions' (for their code run in process). */
  functionDatabase(): Database;
  /** Stops timers and the HTTP server, then compacts and closes the database files. */
  close(): Promise<void>;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]+$/;
const CALL_FAILED = { errCode: -404011, text: 'cloud function execution error' };
const NOT_FOUND = { errCode: -501000, text: '[ResourceNotFound.Function] FunctionName parameter could not be found' };
const TIMED_OUT = { errCode: -504003 };

const newRequestId = () => randomUUID().replace(/-/g, '');

/** What crosses the network in WeChat crosses it here too: JSON only. */
function overTheWire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function wxContextOf(envId: string, source: string, identity: Identity = {}): WxContext {
  return {
    OPENID: identity.openid ?? '',
    APPID: identity.appid ?? '',
    UNIONID: identity.unionid ?? '',
    ENV: envId,
    SOURCE: source,
  };
}

/** A loaded function with the switch that lets tests make it die mid-invocation. */
interface HostedFunction extends LoadedFunction {
  readonly crash: CrashSwitch;
}

/** The context of a function called by another: sources comma-joined, e.g. `wx_client,scf` (spec §1). */
export function calleeContext(caller: WxContext, openId: 'propagate' | 'drop'): WxContext {
  const keep = openId === 'propagate';
  return {
    OPENID: keep ? caller.OPENID : '',
    APPID: keep ? caller.APPID : '',
    UNIONID: keep ? caller.UNIONID : '',
    ENV: caller.ENV,
    SOURCE: caller.SOURCE ? `${caller.SOURCE},scf` : 'scf',
  };
}

/**
 * The instance's crash switch, through which every database operation of the instance passes:
 * each one holds the clock while it runs, so a virtual wait never jumps over it (clock.ts). An
 * operation of a dead instance never runs, and holds nothing.
 */
class ClockedCrashSwitch extends CrashSwitch {
  constructor(private readonly clock: Clock) {
    super();
  }

  override guard<T>(operation: DbOperation, run: () => Promise<T>): Promise<T> {
    // Holds only count for virtual waits: other clocks skip the extra promise on every call.
    if (!this.clock.virtualWaits) return super.guard(operation, run);
    return super.guard(operation, () => {
      const release = this.clock.hold();
      return run().finally(release);
    });
  }
}

/** The functions under functionsRoot, loaded on demand. */
class FunctionHost {
  private readonly warmInstances = new Map<string, HostedFunction>();
  /** Set by the runtime once it can run calls: `cloud.callFunction` from inside a function. */
  onCallFunction?: (name: string, data: unknown, caller: WxContext) => Promise<unknown>;

  constructor(
    private readonly options: CloudRuntimeOptions & {
      envId: string;
      clock: Clock;
      store: DocumentStore;
      service: DbService;
      outbox: SubscribeMessageOutbox;
      log(line: string): void;
    },
  ) {}

  dirOf(name: string): string {
    if (!FUNCTION_NAME.test(name)) throw new Error(`invalid function name "${name}"`);
    return path.join(this.options.functionsRoot, name);
  }

  exists(name: string): boolean {
    return FUNCTION_NAME.test(name) && fs.existsSync(path.join(this.dirOf(name), 'index.js'));
  }

  hasFolder(name: string): boolean {
    return FUNCTION_NAME.test(name) && fs.existsSync(this.dirOf(name));
  }

  names(): string[] {
    if (!fs.existsSync(this.options.functionsRoot)) return [];
    return fs
      .readdirSync(this.options.functionsRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && FUNCTION_NAME.test(entry.name))
      .map((entry) => entry.name);
  }

  private timeoutMsOf(name: string): number {
    return (this.options.timeoutSeconds?.[name] ?? readTimeoutSeconds(this.dirOf(name))) * 1000;
  }

  /**
   * A cold start: a fresh evaluation of the bundle with its own sdk object. The instance ends as the
   * cloud ends it: a run that times out (its later database calls fail), or a crash that tests plan
   * on its switch (the run in progress fails, nothing of it touches the database again). Either way
   * `onEnded` lets the owner cold-start another.
   */
  load(name: string, onEnded: () => void = () => undefined): HostedFunction {
    const { envId, clock, store, service, log } = this.options;
    let ended = false;
    const assertAlive = () => {
      if (ended) throw new DbFault(DB_ERROR.requestFailed, 'the function instance was ended by its timeout');
    };
    const crash = new ClockedCrashSwitch(clock);
    const sdk = createWxServerSdk({
      store,
      service,
      assertAlive,
      crash,
      now: () => clock.now(),
      envId,
      log: (line) => log(`[${name}] ${line}`),
      callFunction: (callee, data, caller) => {
        if (!this.onCallFunction) return Promise.reject(new Error('the runtime is not running'));
        return this.onCallFunction(callee, data, caller);
      },
      openapi: { functionName: name, permitted: readOpenApiPermissions(this.dirOf(name)), outbox: this.options.outbox },
    });
    const env = { TCB_ENV: envId, SCF_NAMESPACE: envId, SCF_FUNCTIONNAME: name, ...(this.options.env?.[name] ?? {}) };
    const onTimeout = () => {
      ended = true;
      log(`function ${name} timed out: instance ended`);
      onEnded();
    };
    const died = new Promise<never>((_, reject) => crash.onCrash(reject));
    died.catch(() => undefined);
    crash.onCrash(onEnded);
    const loaded = loadFunction({
      name,
      dir: this.dirOf(name),
      sdk,
      clock,
      env,
      envId,
      timeoutMs: this.timeoutMsOf(name),
      onTimeout,
      died,
    });
    return { name, crash, invoke: (event, wxContext, requestId) => loaded.invoke(event, wxContext, requestId) };
  }

  warm(name: string): HostedFunction {
    let instance = this.warmInstances.get(name);
    if (!instance) {
      const loaded = this.load(name, () => {
        if (this.warmInstances.get(name) === loaded) this.warmInstances.delete(name);
      });
      this.warmInstances.set(name, (instance = loaded));
    }
    return instance;
  }
}

// eslint-disable-next-line max-lines-per-function -- the runtime's public surface, one closure per API
export async function startCloudRuntime(options: CloudRuntimeOptions): Promise<CloudRuntime> {
  const envId = options.envId ?? 'local-dev';
  const clock = options.clock ?? new Clock();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const store = new DocumentStore({ dataDir: options.dataDir, strictCollections: options.strictCollections });
  const service = new DbService({ maxGetLimit: options.maxGetLimit, latencyMs: options.dbLatencyMs });
  const outbox = new SubscribeMessageOutbox();
  const host = new FunctionHost({ ...options, envId, clock, store, service, outbox, log });
  // What tests inspect through: same page cap, but neither slowed down nor counted.
  const db = new Database({ store, now: () => clock.now(), service: new DbService({ maxGetLimit: options.maxGetLimit }) });
  const httpAccess = Object.fromEntries(
    Object.entries(options.httpAccess ?? {}).map(([prefix, fn]) => [normalizePrefix(prefix), fn]),
  );

  async function callOn(instance: () => LoadedFunction, name: string, data: unknown, wxContext: WxContext): Promise<unknown> {
    if (!host.exists(name)) {
      if (host.hasFolder(name)) log(`function ${name} has no index.js yet: build its bundle first`);
      throw new CallFunctionError(
        NOT_FOUND.errCode,
        `cloud.callFunction:fail Error: errCode: ${NOT_FOUND.errCode} | errMsg: ${NOT_FOUND.text}`,
      );
    }
    try {
      const result = await instance().invoke(overTheWire(data ?? {}), wxContext, newRequestId());
      return overTheWire(result);
    } catch (error) {
      if (error instanceof FunctionTimeoutError) {
        const { errCode } = TIMED_OUT;
        throw new CallFunctionError(errCode, `cloud.callFunction:fail Error: errCode: ${errCode} | errMsg: ${error.message}`);
      }
      log(`function ${name} failed: ${errorStack(error)}`);
      const { errCode, text } = CALL_FAILED;
      throw new CallFunctionError(
        errCode,
        `cloud.callFunction:fail Error: errCode: ${errCode} ${text} | errMsg: ${errorMessage(error)}`,
      );
    }
  }

  const asUser = (identity?: Identity) => wxContextOf(envId, 'wx_client', identity);
  host.onCallFunction = (name, data, caller) =>
    callOn(() => host.warm(name), name, data, calleeContext(caller, options.callFunctionOpenId ?? 'propagate'));

  function fireTimer(instance: LoadedFunction, trigger: TimerTrigger, timeMs: number): Promise<unknown> {
    return instance.invoke(timerEvent(trigger.name, timeMs), wxContextOf(envId, 'wx_trigger'), newRequestId());
  }

  const triggers = host.names().flatMap((name) => readTimerTriggers(name, host.dirOf(name)));
  const scheduler = new TimerScheduler(triggers, {
    clock,
    log,
    pollMs: options.timerPollMs,
    invoke: async (trigger, timeMs) => fireTimer(host.warm(trigger.functionName), trigger, timeMs),
  });

  async function httpAccessCall(functionName: string, request: RequestParts): Promise<HttpResponseParts> {
    const requestId = newRequestId();
    try {
      const event = toIntegratedRequest(request, { requestId, envId, forceBase64Body: options.forceBase64Body });
      return toHttpResponse(await host.warm(functionName).invoke(event, wxContextOf(envId, 'wx_http'), requestId));
    } catch (error) {
      log(`function ${functionName} failed on HTTP access: ${errorStack(error)}`);
      const code = error instanceof FunctionTimeoutError ? 'FUNCTIONS_TIME_LIMIT_EXCEEDED' : 'FUNCTIONS_EXECUTE_FAIL';
      const body = JSON.stringify({ code, message: errorMessage(error), requestId });
      return { statusCode: 500, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
    }
  }

  const server = await startRuntimeServer(
    {
      httpAccess,
      bodyLimits: { ...DEFAULT_BODY_LIMITS, ...options.httpBodyLimits },
      callFunction: (name, data, identity) => callOn(() => host.warm(name), name, data, asUser(identity)),
      httpAccessCall,
      triggerTimer: (fn, trigger) => scheduler.triggerNow(fn, trigger),
      hasTimer: (fn, trigger) => triggers.some((t) => t.functionName === fn && t.name === trigger),
      health: () => ({
        ok: true,
        envId,
        now: clock.now(),
        functions: host.names(),
        httpAccess,
        timers: triggers.map((t) => `${t.functionName}/${t.name}`),
      }),
    },
    options.listener ?? { host: options.host ?? '127.0.0.1', port: options.port ?? 0 },
  );
  if (options.timers !== false) scheduler.start();

  return {
    url: server.url,
    envId,
    clock,
    db,
    callFunction: (name, data, identity) => callOn(() => host.warm(name), name, data, asUser(identity)),
    newInstance(name) {
      // After a timeout the cloud starts a new container for the next call; so does this handle.
      const fresh = (): HostedFunction => host.load(name, () => (instance = fresh()));
      let instance = fresh();
      return {
        name,
        callFunction: (data, identity) => callOn(() => instance, name, data, asUser(identity)),
        triggerTimer(triggerName) {
          const trigger = triggers.find((t) => t.functionName === name && (triggerName === undefined || t.name === triggerName));
          if (!trigger) return Promise.reject(new Error(`no timer trigger ${triggerName ?? '(any)'} on function ${name}`));
          return fireTimer(instance, trigger, clock.now());
        },
        invoke: (event, wxContext = {}) => instance.invoke(event, { ...wxContextOf(envId, ''), ...wxContext }, newRequestId()),
        crashWhen: (when) => instance.crash.planCrash(when),
      };
    },
    crashWarmInstance: (name, when) => host.warm(name).crash.planCrash(when),
    triggerTimer: (functionName, triggerName) => scheduler.triggerNow(functionName, triggerName),
    timerTriggers: () => triggers.map(({ functionName, name, config }) => ({ functionName, name, config })),
    dbCalls: () => service.calls(),
    subscribeMessages: outbox,
    ensureIndex: (collection, fieldName, indexOptions) => store.ensureIndex(collection, fieldName, indexOptions),
    ensureOrderedIndex: (collection, fields) => store.ensureOrderedIndex(collection, fields),
    useOrderedIndexes: (on) => store.useOrderedIndexes(on),
    functionDatabase: () => new Database({ store, now: () => clock.now(), service }),
    async close() {
      await scheduler.stop();
      await server.close();
      await store.close();
    },
  };
}
