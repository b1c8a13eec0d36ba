/**
 * Puts the emulator together: state, push sender, flows, the three route families (component
 * APIs, merchant pages, admin API) on one fastify server, and the periodic ticket push.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Clock } from '../clock';
import { serveOn } from '../listener';
import { registerAdminRoutes } from './admin/routes';
import { createHandlers } from './api/handlers';
import { AuthorizerApiFaults, registerAuthorizerApiRoutes, type AuthorizerApiCallRecord } from './api/authorizerApis';
import { registerComponentApiRoutes, TemplateLibrary } from './api/componentApis';
import { registerApiRoutes } from './api/routes';
import { DEFAULT_ACCOUNTS, DEFAULT_COMPONENT } from './fixtures';
import { FaultRegistry } from './faults';
import { Flows } from './flows';
import { registerPageRoutes } from './pages/routes';
import { PushSender } from './push/sender';
import { DailyQuota } from './quota';
import { PlatformState } from './state/platform-state';
import { registerCustomSendRoute } from './api/custom-send';
import { registerReleaseRoutes } from './release/admin-routes';
import { rehearse } from './release/rehearsal';
import { setRelease } from './release/switch';
import type {
  ApiCallRecord,
  ComponentConfig,
  CustomMessageRecord,
  OpenPlatformEmulator,
  OpenPlatformOptions,
  PushRecord,
} from './types';
import { bulkAuthorize } from './synthetic';

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  ticketPushIntervalSeconds: 600,
  pushTimeoutMs: 5000,
  pushAttempts: 3,
  pushRetryDelayMs: 200,
  preAuthCodeTtlSeconds: 600,
  authCodeTtlSeconds: 3600,
  tokenGraceSeconds: 300,
};

function buildComponent(overrides: Partial<ComponentConfig> = {}): ComponentConfig {
  const component = { ...DEFAULT_COMPONENT, ...overrides };
  if (!/^[A-Za-z0-9]{43}$/.test(component.encodingAesKey))
    throw new RangeError('encodingAesKey must be 43 characters from [A-Za-z0-9]');
  return component;
}

/** Every body arrives as a string; each route family parses its own format and reports its own errors. */
function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

export async function startOpenPlatform(options: OpenPlatformOptions = {}): Promise<OpenPlatformEmulator> {
  const settings = { ...DEFAULTS, ...stripUndefined(options) };
  const clock = options.clock ?? new Clock();
  const component = buildComponent(options.component);
  const accounts = options.accounts ?? DEFAULT_ACCOUNTS.map((account) => ({ ...account }));
  const log = options.log ?? (() => undefined);
  const pushes: PushRecord[] = [];
  const calls: ApiCallRecord[] = [];
  const customMessages: CustomMessageRecord[] = [];
  const authorizerCalls: AuthorizerApiCallRecord[] = [];
  const authorizerApiFaults = new AuthorizerApiFaults();

  const state = new PlatformState(clock, component, accounts, {
    preAuthCodeTtlSeconds: settings.preAuthCodeTtlSeconds,
    authCodeTtlSeconds: settings.authCodeTtlSeconds,
    tokenGraceSeconds: settings.tokenGraceSeconds,
    rotateRefreshToken: options.rotateRefreshToken ?? false,
  });
  const faults = new FaultRegistry(options.faultSeed ?? 1);
  const sender = new PushSender({
    component: () => component,
    clock,
    faults,
    records: pushes,
    log,
    settings: {
      timeoutMs: settings.pushTimeoutMs,
      attempts: Math.max(1, settings.pushAttempts),
      retryDelayMs: settings.pushRetryDelayMs,
    },
  });
  const flows = new Flows(state, sender);

  const records = { pushes, calls, customMessages, authorizerCalls, authorizerApiFaults };
  const emulator = emulatorFacade({ clock, component, accounts, faults, state, flows, ...records });

  const app = Fastify({ logger: false, trustProxy: options.trustProxy ?? false });
  acceptRawBodies(app);
  registerApiRoutes(app, {
    state,
    handlers: createHandlers(state, flows),
    faults,
    quota: new DailyQuota(clock, options.dailyQuota),
    calls,
    ipAllowList: options.ipAllowList,
    log,
  });
  registerCustomSendRoute(app, { state, records: customMessages, faults: authorizerApiFaults, log });
  const apiDeps = { state, calls: authorizerCalls, faults: authorizerApiFaults, log };
  registerAuthorizerApiRoutes(app, apiDeps);
  registerComponentApiRoutes(app, apiDeps, new TemplateLibrary());
  registerPageRoutes(app, { state, flows, log });
  registerAdminRoutes(app, emulator);
  registerReleaseRoutes(app, emulator);

  let stopServing: () => Promise<void>;
  if (options.listener) {
    stopServing = await serveOn(app, options.listener);
    emulator.url = options.listener.url;
  } else {
    await app.listen({ host: settings.host, port: settings.port });
    emulator.url = listeningUrl(app, settings.host);
    stopServing = () => app.close();
  }

  if (component.authEventUrl) flows.pushTicket();
  const timer =
    settings.ticketPushIntervalSeconds > 0
      ? setInterval(() => flows.pushTicket(), settings.ticketPushIntervalSeconds * 1000)
      : undefined;

  emulator.close = async () => {
    if (timer) clearInterval(timer);
    await sender.close();
    await stopServing();
  };
  return emulator;
}

/** What tests and the CLI hold: state, records and admin actions; `url` and `close` are set once listening. */
function emulatorFacade(parts: {
  clock: Clock;
  component: ComponentConfig;
  accounts: OpenPlatformEmulator['accounts'];
  faults: FaultRegistry;
  pushes: PushRecord[];
  calls: ApiCallRecord[];
  state: PlatformState;
  flows: Flows;
  customMessages: CustomMessageRecord[];
  authorizerCalls: AuthorizerApiCallRecord[];
  authorizerApiFaults: AuthorizerApiFaults;
}): OpenPlatformEmulator {
  const {
    clock,
    component,
    accounts,
    faults,
    pushes,
    calls,
    state,
    flows,
    customMessages,
    authorizerCalls,
    authorizerApiFaults,
  } = parts;
  return {
    url: '',
    clock,
    component,
    accounts,
    faults,
    pushes,
    calls,
    authorizerCalls,
    authorizerApiFaults,
    setAuthEventUrl: (url) => void (component.authEventUrl = url),
    setInitiationDomain: (host) => void (component.initiationDomain = host),
    setMessageUrl: (url) => void (component.messageUrl = url),
    setRelease: (input) => setRelease(component, input),
    rehearse: (rehearsalOptions) => rehearse({ state, flows, calls, customMessages }, rehearsalOptions),
    customMessages,
    pushTicket: () => flows.pushTicket().done,
    latestTicket: () => state.tickets.latestTicket(),
    async confirmAuthorization(input) {
      const { pushDone, ...result } = flows.confirm(input);
      await pushDone;
      return result;
    },
    revoke: (authorizerAppid) => Promise.resolve().then(() => flows.revoke(authorizerAppid).done),
    resetCalls: () => {
      calls.length = 0;
      authorizerCalls.length = 0;
    },
    bulkAuthorize: (count, seed) => bulkAuthorize(state, count, seed),
    authorizations: () =>
      state.authorizations
        .list()
        .map((entry) => ({ authorizerAppid: entry.appid, funcIds: [...entry.funcIds], authTime: entry.authTime })),
    checkAuthorizerAccessToken(token) {
      const check = state.authorizerTokens.check(token);
      return check.errcode === 0 ? { ok: true, authorizerAppid: check.key } : { ok: false, errcode: check.errcode };
    },
    close: async () => undefined,
  };
}

function listeningUrl(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the emulator is not listening on a TCP port');
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${address.port}`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
