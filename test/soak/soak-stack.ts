/**
 * The local stack for the soak and bad-input tests, wired like emulator/stack.ts but with the
 * pieces held separately, so the cloud runtime alone can be stopped and started again on the
 * same port and data folder (a restart of the function's host in the middle of traffic).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import vm from 'node:vm';
import { Clock } from '../../emulator/clock';
import { startCloudRuntime, type CloudRuntime } from '../../emulator/cloud/runtime';
import { startOpenPlatform, type OpenPlatformEmulator, type OpenPlatformOptions } from '../../emulator/open-platform';
import { FUNCTION_NAME, HTTP_ACCESS_PATH } from '../../emulator/stack';
import type { ActionName, ActionResult, Actions } from '../../typings/api';
import type { AuthCodeDoc, AuthorizerDoc, AuthorizerTokenDoc, PlatformDoc, PushLogDoc, SessionDoc } from '../../cloudfunctions/authorization/src/model';

/** `SOAK_FUNCTIONS_ROOT` runs the tests against another build (e.g. a deliberately broken copy, to see them fail). */
const FUNCTIONS_ROOT = process.env.SOAK_FUNCTIONS_ROOT ?? path.resolve(__dirname, '../../cloudfunctions');

export interface CollectionDocs {
  platform: PlatformDoc;
  authSessions: SessionDoc;
  authorizers: AuthorizerDoc;
  authorizerTokens: AuthorizerTokenDoc;
  authCodes: AuthCodeDoc;
  pushLog: PushLogDoc;
}
export type CollectionName = keyof CollectionDocs;
export const COLLECTION_NAMES: CollectionName[] = ['platform', 'authSessions', 'authorizers', 'authorizerTokens', 'authCodes', 'pushLog'];

export interface SoakStackOptions {
  adminOpenIds?: string[];
  functionEnv?: Record<string, string>;
  openPlatform?: Omit<OpenPlatformOptions, 'clock' | 'port'>;
}

export interface SoakStack {
  clock: Clock;
  openPlatform: OpenPlatformEmulator;
  /** The cloud runtime currently running (a new object after `restartCloud`). */
  readonly cloud: CloudRuntime;
  publicBaseUrl: string;
  functionEnv: Record<string, string>;
  /** How many times the runtime was restarted. */
  readonly restarts: number;
  call<A extends ActionName>(openid: string, action: A, payload?: unknown): Promise<ActionResult<A>>;
  docs<C extends CollectionName>(collection: C, where?: Record<string, unknown>): Promise<CollectionDocs[C][]>;
  count(collection: CollectionName, where?: Record<string, unknown>): Promise<number>;
  /** Every document of every collection, sorted by `_id`: compare two of them to see any write. */
  snapshot(): Promise<Record<CollectionName, unknown[]>>;
  /** Closes the cloud runtime (its database is compacted and closed) and starts a new one on the same port and data. */
  restartCloud(): Promise<void>;
  /** Fires the function's maintenance timer now. */
  runTimer(): Promise<unknown>;
  close(): Promise<void>;
}

export async function startSoakStack(options: SoakStackOptions = {}): Promise<SoakStack> {
  const clock = new Clock();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  const port = await freePort();
  const cloudOrigin = `http://127.0.0.1:${port}`;
  const publicBaseUrl = `${cloudOrigin}${HTTP_ACCESS_PATH}`;
  const quiet = () => undefined;

  const openPlatform = await startOpenPlatform({ ticketPushIntervalSeconds: 0, ...options.openPlatform, clock, log: quiet });
  const { component } = openPlatform;
  const functionEnv: Record<string, string> = {
    COMPONENT_APPID: component.appId,
    COMPONENT_APPSECRET: component.appSecret,
    COMPONENT_TOKEN: component.token,
    ENCODING_AES_KEY: component.encodingAesKey,
    PUBLIC_BASE_URL: publicBaseUrl,
    WX_API_BASE_URL: openPlatform.url,
    WX_MP_BASE_URL: openPlatform.url,
    WX_OPEN_BASE_URL: openPlatform.url,
    ADMIN_OPENIDS: (options.adminOpenIds ?? []).join(','),
    ...options.functionEnv,
  };
  const startRuntime = () =>
    startCloudRuntime({
      functionsRoot: FUNCTIONS_ROOT,
      dataDir,
      clock,
      port,
      env: { [FUNCTION_NAME]: functionEnv },
      httpAccess: { [HTTP_ACCESS_PATH]: FUNCTION_NAME },
      timers: false,
      log: quiet,
    });

  let cloud: CloudRuntime;
  try {
    cloud = await startRuntime();
  } catch (error) {
    await openPlatform.close();
    throw error;
  }
  openPlatform.setAuthEventUrl(`${publicBaseUrl}/push`);
  openPlatform.setInitiationDomain(new URL(cloudOrigin).host);
  await openPlatform.pushTicket();

  let restarts = 0;
  /** Every matching document: the database answers at most 1000 per query, so page through. */
  const docs = async <C extends CollectionName>(collection: C, where: Record<string, unknown> = {}) => {
    const all: unknown[] = [];
    for (;;) {
      const page = cloud.db.collection(collection).where(where).orderBy('_id', 'asc').skip(all.length).limit(1000);
      const { data } = await page.get();
      all.push(...data);
      if (data.length < 1000) return all as CollectionDocs[C][];
    }
  };

  return {
    clock,
    openPlatform,
    get cloud() {
      return cloud;
    },
    publicBaseUrl,
    functionEnv,
    get restarts() {
      return restarts;
    },
    call: async (openid, action, payload) =>
      (await cloud.callFunction(FUNCTION_NAME, { action, payload }, { openid })) as ActionResult<never>,
    docs,
    async count(collection, where = {}) {
      const { total } = await cloud.db.collection(collection).where(where).count();
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
      await cloud.close();
      cloud = await startRuntime();
      restarts += 1;
    },
    runTimer: () => cloud.triggerTimer(FUNCTION_NAME),
    async close() {
      await openPlatform.close();
      await cloud.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Typed view of an action answer, failing loudly when it is not ok. */
export function dataOf<A extends ActionName>(result: ActionResult<A>): Actions[A]['output'] {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}

/** Asks the OS for a free port, so the function's public URL is known before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
