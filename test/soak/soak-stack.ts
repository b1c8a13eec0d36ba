/**
 * The local stack for the soak and bad-input tests: emulator/stack.ts on a fresh data folder,
 * with typed action calls, paged reads of every collection, and a count of cloud restarts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import vm from 'node:vm';
import { FUNCTION_NAME, startLocalStack, type LocalStack, type LocalStackOptions } from '../../emulator/stack';
import { COLLECTIONS } from '../../cloudfunctions/authorization/src/store';
import type { ActionName, ActionResult, Actions } from '../../typings/api';
import type { CollectionDocs } from '../e2e/helpers/flows-stack';

export type CollectionName = keyof CollectionDocs;
export const COLLECTION_NAMES: CollectionName[] = Object.values(COLLECTIONS);

export type SoakStackOptions = Pick<LocalStackOptions, 'adminOpenIds' | 'functionEnv' | 'openPlatform'>;

export interface SoakStack extends Omit<LocalStack, 'call'> {
  /** How many times the cloud runtime was restarted (`restartCloud`). */
  readonly restarts: number;
  call<A extends ActionName>(openid: string, action: A, payload?: unknown): Promise<ActionResult<A>>;
  docs<C extends CollectionName>(collection: C, where?: Record<string, unknown>): Promise<CollectionDocs[C][]>;
  count(collection: CollectionName, where?: Record<string, unknown>): Promise<number>;
  /** Every document of every collection, sorted by `_id`: compare two of them to see any write. */
  snapshot(): Promise<Record<CollectionName, unknown[]>>;
  /** Fires the function's maintenance timer now. */
  runTimer(): Promise<unknown>;
}

export async function startSoakStack(options: SoakStackOptions = {}): Promise<SoakStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      lenientLimits: true,
      ...options,
      dataDir,
      log: () => undefined,
      // `SOAK_FUNCTIONS_ROOT` runs the tests against another build (e.g. a deliberately broken copy, to see them fail).
      functionsRoot: process.env.SOAK_FUNCTIONS_ROOT,
    });
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  let restarts = 0;
  /** Every matching document: the database answers at most 100 per query, so page until an empty page. */
  const docs = async <C extends CollectionName>(collection: C, where: Record<string, unknown> = {}) => {
    const all: unknown[] = [];
    for (;;) {
      const page = stack.cloud.db.collection(collection).where(where).orderBy('_id', 'asc').skip(all.length).limit(100);
      const { data } = await page.get();
      if (data.length === 0) return all as CollectionDocs[C][];
      all.push(...data);
    }
  };

  return {
    clock: stack.clock,
    openPlatform: stack.openPlatform,
    get cloud() {
      return stack.cloud;
    },
    publicBaseUrl: stack.publicBaseUrl,
    functionEnv: stack.functionEnv,
    get restarts() {
      return restarts;
    },
    call: async (openid, action, payload) => (await stack.call(openid, action, payload)) as ActionResult<never>,
    docs,
    async count(collection, where = {}) {
      const { total } = await stack.cloud.db.collection(collection).where(where).count();
      return total;
    },
    async snapshot() {
      const entries = await Promise.all(
        COLLECTION_NAMES.map(async (name) => {
          const all = (await docs(name)) as { _id: string }[];
          return [name, [...all].sort((a, b) => String(a._id).localeCompare(String(b._id)))] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<CollectionName, unknown[]>;
    },
    async restartCloud() {
      await stack.restartCloud();
      restarts += 1;
    },
    runTimer: () => stack.cloud.triggerTimer(FUNCTION_NAME),
    async close() {
      await stack.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Typed view of an action answer, failing loudly when it is not ok. */
export function dataOf<A extends ActionName>(result: ActionResult<A>): Actions[A]['output'] {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

export interface Silencer {
  /** How many lines the function printed while silenced. */
  readonly lines: string[];
  restore(): void;
}

/**
 * The function bundle runs in the main V8 context and prints JSON log lines through that
 * context's console: thousands of them in a soak. Keep them (for debugging a failure), print none.
 */
export function silenceFunctionOutput(keep = 2000): Silencer {
  const mainConsole = vm.runInThisContext('console') as Console;
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((name) => [name, mainConsole[name]] as const);
  const lines: string[] = [];
  for (const name of methods) {
    mainConsole[name] = (...args: unknown[]) => {
      lines.push(format(...args));
      if (lines.length > keep) lines.shift();
    };
  }
  return {
    lines,
    restore() {
      for (const [name, method] of saved) mainConsole[name] = method;
    },
  };
}
