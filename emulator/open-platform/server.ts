/**
 * Puts the emulator together, layer by layer: the state, the push sender and the flows on top of
 * it, the product areas (WeChat's APIs, one folder each under areas/), the merchant pages and the
 * admin API on one fastify server, and the periodic ticket push.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Clock } from '../clock';
import { serveOn } from '../listener';
import { registerAdminRoutes } from './admin/routes';
import { authorizationArea } from './areas/authorization';
import { authorizerArea } from './areas/authorizer';
import { codeManagementArea } from './areas/code-management';
import { customSendArea } from './areas/custom-send';
import { releaseArea } from './areas/release';
import { templatesArea } from './areas/templates';
import { emulatorFacade, type OpenPlatformEmulator, type OpenPlatformOptions } from './emulator';
import { Flows } from './flows';
import { registerPageRoutes } from './pages/routes';
import { PushSender } from './push/sender';
import type { AreaContext, ProductArea } from './shared/area';
import { AuthorizerApiFaults } from './shared/http';
import { CodeManagement } from './state/code-management';
import { FaultRegistry } from './state/faults';
import { DEFAULT_ACCOUNTS, DEFAULT_COMPONENT } from './state/fixtures';
import { PlatformState } from './state/platform-state';
import { DailyQuota } from './state/quota';
import { TemplateLibrary } from './state/template-library';
import type { ApiCallRecord, AuthorizerApiCallRecord, ComponentConfig, CustomMessageRecord, PushRecord } from './state/types';

/** WeChat's APIs by product; a new area is one folder under areas/ and one entry here. */
const AREAS: readonly ProductArea[] = [
  authorizationArea,
  customSendArea,
  authorizerArea,
  templatesArea,
  releaseArea,
  codeManagementArea,
];

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
  auditTickMs: 200,
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
  const templates = new TemplateLibrary();
  const code = new CodeManagement(clock, templates, options.codeManagement);

  const records = { pushes, calls, customMessages, authorizerCalls, authorizerApiFaults };
  const emulator = emulatorFacade({ clock, component, accounts, faults, state, flows, code, ...records });

  const app = Fastify({ logger: false, trustProxy: options.trustProxy ?? false });
  acceptRawBodies(app);
  const context: AreaContext = {
    state,
    flows,
    ...records,
    faults,
    quota: new DailyQuota(clock, options.dailyQuota),
    templates,
    code,
    ipAllowList: options.ipAllowList,
    log,
  };
  for (const area of AREAS) area.register(app, context);
  registerPageRoutes(app, { state, flows, log });
  registerAdminRoutes(app, emulator);

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

  // Audits are decided on the emulated clock, which has no alarms: look at it often (real time).
  const auditTimer = settings.auditTickMs > 0 ? setInterval(() => code.settle(), settings.auditTickMs) : undefined;
  auditTimer?.unref();

  emulator.close = async () => {
    if (timer) clearInterval(timer);
    if (auditTimer) clearInterval(auditTimer);
    await code.idle();
    await sender.close();
    await stopServing();
  };
  return emulator;
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
