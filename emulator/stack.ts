import path from 'node:path';
import { COLLECTION_INDEXES, setupDatabase } from '../cloudfunctions/authorization/src/setup/collections';
import { buildFunction } from '../scripts/build-function';
import { Clock } from './clock';
import { PortListener } from './listener';
import { startCloudRuntime, type CloudRuntime, type CloudRuntimeOptions, type Identity } from './cloud/runtime';
import { startOpenPlatform, type OpenPlatformEmulator, type OpenPlatformOptions } from './open-platform';

/**
 * The whole product on one machine: the Open Platform emulator, the local cloud runtime running
 * the real function bundle, wired as WeChat wires them in production (pushes to the function's
 * HTTP access URL, the API and authorization pages at the emulator), sharing one clock.
 */

export const FUNCTION_NAME = 'authorization';
export const HTTP_ACCESS_PATH = '/wx';
const FUNCTIONS_ROOT = path.resolve(__dirname, '../cloudfunctions');

export interface LocalStackOptions {
  dataDir: string;
  /** Fixed ports for `npm start`; tests leave them out (ports the OS picks, bound once). */
  openPlatformPort?: number;
  cloudPort?: number;
  clock?: Clock;
  /** Rebuild the function bundle first (default false: jest's global setup builds it once). */
  build?: boolean;
  /** Run the function's timer trigger on its schedule (default false: tests trigger it). */
  timers?: boolean;
  /** Push a ticket at start so the platform can work at once (default true). */
  pushTicketAtStart?: boolean;
  adminOpenIds?: string[];
  /**
   * Raise the per-merchant limits (sessions per minute) for suites that authorize many times in a
   * minute of the shared clock; the stack otherwise runs with the function's production defaults.
   */
  lenientLimits?: boolean;
  /** Extra or overriding environment variables of the function. */
  functionEnv?: Record<string, string>;
  openPlatform?: Omit<OpenPlatformOptions, 'clock' | 'port'>;
  log?: (line: string) => void;
  /** Where the function bundles are (default: cloudfunctions/); tests may point at another build. */
  functionsRoot?: string;
  /** Environment variables of other functions under functionsRoot (e.g. a caller of this one). */
  otherFunctionEnv?: Record<string, Record<string, string>>;
  /** The cloud's limits and costs (defaults: WeChat's strict ones, no added latency). */
  cloudLimits?: Pick<CloudRuntimeOptions, 'maxGetLimit' | 'dbLatencyMs' | 'timeoutSeconds' | 'strictCollections'>;
}

export interface LocalStack {
  clock: Clock;
  openPlatform: OpenPlatformEmulator;
  /** The cloud runtime currently running: a new object after `restartCloud()`. */
  readonly cloud: CloudRuntime;
  /** The function's HTTP access base, i.e. PUBLIC_BASE_URL (push URL, entry and callback pages). */
  publicBaseUrl: string;
  functionEnv: Record<string, string>;
  /** callFunction as a mini-program user with this OPENID. */
  call(openid: string, action: string, payload?: unknown): Promise<unknown>;
  /**
   * Closes the cloud runtime (its database is compacted and closed) and starts a new one on the
   * same port (kept bound: requests arriving meanwhile wait for the new one), data, environment
   * and clock: a restart of the function's host.
   */
  restartCloud(): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const clock = options.clock ?? new Clock();
  if (options.build) await buildFunction();
  // The function's port is bound here, once, and kept until close (restarts included): its
  // PUBLIC_BASE_URL must be known before it starts, and a port picked, freed and bound again
  // later could be taken by any other program in between.
  const cloudPort = await PortListener.bind('127.0.0.1', options.cloudPort ?? 0);
  const cloudOrigin = cloudPort.url;
  const publicBaseUrl = `${cloudOrigin}${HTTP_ACCESS_PATH}`;

  let openPlatform: OpenPlatformEmulator;
  try {
    openPlatform = await startOpenPlatform({
      ticketPushIntervalSeconds: 0,
      ...options.openPlatform,
      clock,
      ...(options.openPlatformPort !== undefined ? { port: options.openPlatformPort } : {}),
      log: options.log,
    });
  } catch (error) {
    await cloudPort.close();
    throw error;
  }
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
    ...(options.lenientLimits ? { SESSIONS_PER_MINUTE: '10000' } : {}),
    ...options.functionEnv,
  };

  const startCloud = () =>
    startCloudRuntime({
      functionsRoot: options.functionsRoot ?? FUNCTIONS_ROOT,
      dataDir: options.dataDir,
      clock,
      listener: cloudPort,
      env: { ...options.otherFunctionEnv, [FUNCTION_NAME]: functionEnv },
      httpAccess: { [HTTP_ACCESS_PATH]: FUNCTION_NAME },
      timers: options.timers ?? false,
      log: options.log,
      ...options.cloudLimits,
    }).then(async (runtime) => {
      await prepareDatabase(runtime);
      return runtime;
    });
  let cloud: CloudRuntime;
  try {
    cloud = await startCloud();
  } catch (error) {
    await openPlatform.close();
    await cloudPort.close();
    throw error;
  }

  // As configured on the Open Platform: 授权事件接收URL, 授权发起页域名 and 消息与事件接收URL.
  openPlatform.setAuthEventUrl(`${publicBaseUrl}/push`);
  openPlatform.setInitiationDomain(new URL(cloudOrigin).host);
  openPlatform.setMessageUrl(`${publicBaseUrl}/message/$APPID$`);
  if (options.pushTicketAtStart ?? true) await openPlatform.pushTicket();

  return {
    clock,
    openPlatform,
    get cloud() {
      return cloud;
    },
    publicBaseUrl,
    functionEnv,
    call: (openid, action, payload) => cloud.callFunction(FUNCTION_NAME, { action, payload }, { openid } satisfies Identity),
    async restartCloud() {
      await cloud.close();
      cloud = await startCloud();
    },
    async close() {
      await openPlatform.close();
      await cloud.close();
      await cloudPort.close();
    },
  };
}

/**
 * The deploy step "create the collections" (what the function's setupDatabase action does), plus
 * the indexes its queries use, which the console holds in the cloud and the runtime here.
 */
export async function prepareDatabase(cloud: CloudRuntime): Promise<void> {
  await setupDatabase(cloud.db);
  // Each index as declared: reads that fit one walk it, sorted or not. No nedb single-field
  // indexes: those keep every document of a value in one list that each write filters, so one
  // write to a collection of 10,000 items sharing a `claimState` or a `jobId` cost ~5 ms.
  for (const [collection, specs] of Object.entries(COLLECTION_INDEXES)) {
    for (const spec of specs) await cloud.ensureOrderedIndex(collection, spec);
  }
}
