import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { types } from 'node:util';
import vm from 'node:vm';
import { clockedDate, clockedPerformance, type Clock } from '../clock';
import { instanceTimers, type InstanceTimers } from './instance-timers';
import { invocationContext, type WxContext } from './sdk/context';
import type { WxServerSdk } from './sdk';

/**
 * One cold-started copy of a cloud function: its bundle (`index.js`) evaluated once, with its own
 * module state, `process.env` holding its own variables, and its time on the runtime's clock:
 * `Date`, `performance.now()` and the timers (instance-timers.ts) all follow it. Its HTTP requests
 * hold the clock while in flight, so a virtual wait never jumps over an answer on its way (clock.ts).
 */

export interface LoadOptions {
  name: string;
  dir: string;
  sdk: WxServerSdk;
  clock: Clock;
  env: Record<string, string>;
  envId: string;
  /** The configured timeout: a run still going after it is abandoned and the caller gets a timeout error. */
  timeoutMs: number;
  /** Called once when a run times out (the instance is then as good as killed). */
  onTimeout?(): void;
  /** Rejects when the instance dies: the run in progress ends with it, and so does its timeout timer. */
  died?: Promise<never>;
}

/** A run that did not finish within the function's timeout (SCF words it this way). */
export class FunctionTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Invoking task timed out after ${timeoutMs / 1000} seconds`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * The run's outcome, or a FunctionTimeoutError after `timeoutMs` of real time, or the instance's
 * death, whichever comes first (the run is left behind). The timer always stops with the race: a
 * crashed run never settles, and its timer would otherwise hold the process for the full timeout.
 */
async function withinTimeout<T>(run: () => Promise<T>, options: LoadOptions): Promise<T> {
  const { timeoutMs, onTimeout, died } = options;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new FunctionTimeoutError(timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race(died ? [run(), timedOut, died] : [run(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The second argument of `exports.main`, with the fields SCF passes. */
export interface InvocationContextArg {
  request_id: string;
  function_name: string;
  function_version: string;
  namespace: string;
  memory_limit_in_mb: number;
  time_limit_in_ms: number;
}

export interface FunctionInstance {
  readonly name: string;
  /** Runs `exports.main(event, context)` with `wxContext` as what `cloud.getWXContext()` returns. */
  invoke(event: unknown, wxContext: WxContext, requestId: string): Promise<unknown>;
}

type MainFunction = (event: unknown, context: InvocationContextArg) => unknown;
type ModuleWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  date: DateConstructor,
  process: NodeJS.Process,
  setTimeout: InstanceTimers['setTimeout'],
  setInterval: InstanceTimers['setInterval'],
  clearTimeout: InstanceTimers['clearTimeout'],
  clearInterval: InstanceTimers['clearInterval'],
  performance: typeof globalThis.performance,
) => void;

/**
 * The clocked `Date`, plus: `Date()` called as a function gives the clocked time string, and
 * `instanceof Date` holds for any date (from the database, another realm), as it does natively.
 */
export function functionDate(clock: Clock): DateConstructor {
  const Clocked = clockedDate(clock);
  class FunctionDate extends Clocked {
    static [Symbol.hasInstance](value: unknown): boolean {
      return types.isDate(value);
    }
  }
  return new Proxy(FunctionDate, {
    apply: () => new Date(clock.now()).toString(),
  }) as unknown as DateConstructor;
}

/** A `process` that is the real one except for its own `env`. */
function functionProcess(env: Record<string, string>): NodeJS.Process {
  const own = Object.create(process) as NodeJS.Process;
  Object.defineProperty(own, 'env', { value: { ...env }, writable: true, enumerable: true, configurable: true });
  return own;
}

function compile(filename: string): ModuleWrapper {
  const source = fs.readFileSync(filename, 'utf8').replace(/^#!.*/, '');
  // Same first line as the file, so stack traces point at the right lines.
  const globals = 'Date, process, setTimeout, setInterval, clearTimeout, clearInterval, performance';
  const wrapped = `(function (exports, require, module, __filename, __dirname, ${globals}) {${source}\n})`;
  return vm.runInThisContext(wrapped, { filename }) as ModuleWrapper;
}

/** `http` or `https` whose requests hold the clock from when they are made until they close. */
function heldHttp<T extends typeof http | typeof https>(base: T, clock: Clock): T {
  const held =
    (start: (...args: never[]) => http.ClientRequest) =>
    (...args: never[]): http.ClientRequest => {
      const request = start(...args);
      if (clock.virtualWaits) request.once('close', clock.hold());
      return request;
    };
  return { ...base, request: held(base.request), get: held(base.get) };
}

function functionRequire(filename: string, sdk: WxServerSdk, clock: Clock): NodeJS.Require {
  const nodeRequire = createRequire(filename);
  const own = new Map<string, unknown>([
    ['wx-server-sdk', sdk],
    ['http', heldHttp(http, clock)],
    ['https', heldHttp(https, clock)],
  ]);
  const required = ((id: string) => own.get(id.replace(/^node:/, '')) ?? (nodeRequire(id) as unknown)) as NodeJS.Require;
  return Object.assign(required, { resolve: nodeRequire.resolve, cache: nodeRequire.cache, main: undefined });
}

export function loadFunction(options: LoadOptions): FunctionInstance {
  const filename = path.join(options.dir, 'index.js');
  if (!fs.existsSync(filename)) throw new Error(`function ${options.name} has no index.js in ${options.dir}`);
  const module = { exports: {} as Record<string, unknown>, filename, id: filename, loaded: false };
  const timers = instanceTimers(options.clock);
  compile(filename)(
    module.exports,
    functionRequire(filename, options.sdk, options.clock),
    module,
    filename,
    options.dir,
    functionDate(options.clock),
    functionProcess(options.env),
    timers.setTimeout,
    timers.setInterval,
    timers.clearTimeout,
    timers.clearInterval,
    clockedPerformance(options.clock),
  );
  module.loaded = true;
  const main = (module.exports as { main?: unknown }).main;
  if (typeof main !== 'function') throw new Error(`function ${options.name} does not export main`);
  options.died?.catch(() => timers.end());
  const onTimeout = () => {
    timers.end();
    options.onTimeout?.();
  };

  return {
    name: options.name,
    async invoke(event, wxContext, requestId) {
      const context: InvocationContextArg = {
        request_id: requestId,
        function_name: options.name,
        function_version: '$LATEST',
        namespace: options.envId,
        memory_limit_in_mb: 256,
        time_limit_in_ms: options.timeoutMs,
      };
      const run = async () => invocationContext.run({ ...wxContext }, () => (main as MainFunction)(event, context));
      return withinTimeout(run, { ...options, onTimeout });
    },
  };
}
