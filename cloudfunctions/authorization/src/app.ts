import { randomBytes } from 'node:crypto';
import { askWeChat, isAuthorizedNow } from './authorizations/answers';
import { AuthorizationMachine } from './authorizations/machine';
import type { Question } from './authorizations/stages';
import { AuthorizerTokens } from './authorizers/tokens';
import { loadConfig, type Config } from './config';
import type { CryptoKeys } from './crypto';
import { RateLimits } from './limits';
import { createLogger, type Logger } from './logger';
import { createOpenApiClient, type OpenApiClient } from './openapi';
import { ComponentTokens } from './platform/componentToken';
import { PushHandler } from './push/pushHandler';
import { AuthCodesRepository } from './repositories/authCodesRepository';
import { createRepositories, type Repositories } from './repositories';
import type { AuthorizersRepository } from './repositories/authorizersRepository';
import { Sessions } from './sessions/sessions';
import { LapseNotices, type SubscribeMessageApi } from './notices/lapseNotices';
import { Shipping } from './shipping/shipping';
import { WeChatShipApi } from './shipping/wechatShipApi';
import { Store, type CloudDb } from './store';
import { Upstream } from './upstream';

/** Everything one function instance needs, wired once at cold start. */
export interface App {
  config: Config;
  keys: CryptoKeys;
  store: Store;
  repositories: Repositories;
  client: OpenApiClient;
  componentTokens: ComponentTokens;
  upstream: Upstream;
  sessions: Sessions;
  authorizerTokens: AuthorizerTokens;
  /** The same as `repositories.authorizers`: the accounts, read and written by meaning. */
  authorizers: AuthorizersRepository;
  codes: AuthCodesRepository;
  machine: AuthorizationMachine;
  limits: RateLimits;
  pushes: PushHandler;
  lapseNotices: LapseNotices;
  /** Shipping the provider's template to every merchant (issue 19). */
  shipping: Shipping;
  log: Logger;
  now: () => number;
  instanceId: string;
}

export function createApp(input: {
  env: Record<string, string | undefined>;
  db: CloudDb;
  /** wx-server-sdk's `cloud.openapi` (subscribe messages); absent where no cloud runs (core tests). */
  openapi?: SubscribeMessageApi;
  log?: Logger;
  now?: () => number;
}): App {
  const config = loadConfig(input.env);
  // The cloud's clock; tests of the core on the local database pass their movable one.
  const now = input.now ?? (() => Date.now());
  const log = input.log ?? createLogger();
  // Names this instance in leases, so a lease is only ever released by its holder.
  const instanceId = randomBytes(8).toString('hex');
  const store = new Store(input.db);
  const repositories = createRepositories(store, instanceId, now);
  const keys = cryptoKeysOf(config);
  const client = openApiClientOf(config);
  const componentTokens = new ComponentTokens({ platform: repositories.platform, client, config, instanceId, now });
  const upstream = new Upstream({ client, componentTokens, platform: repositories.platform, config, now });
  const limits = new RateLimits(repositories.rateLimits, now);
  const sessions = new Sessions({
    repositories,
    upstream,
    limits,
    now,
    perMinute: config.sessionsPerMinute,
    perDay: config.sessionsPerDay,
  });
  const authorizerTokens = new AuthorizerTokens({
    tokens: repositories.authorizerTokens,
    authorizers: repositories.authorizers,
    upstream,
    instanceId,
    now,
    refreshAheadMs: config.authorizerRefreshAheadMs,
    hotWindowMs: config.tokenHotWindowMs,
    reauthProbeMs: config.reauthProbeMs,
  });
  const codes = new AuthCodesRepository(store, instanceId, now);
  const authorizers = repositories.authorizers;
  const ask = (question: Question) => askWeChat(upstream, question);
  const machine = new AuthorizationMachine({ authorizers, codes, ask, sessions, authorizerTokens, log, now });
  const pushes = new PushHandler({
    config,
    keys,
    repositories,
    machine,
    authorizerTokens,
    isAuthorizedNow: (appid) => isAuthorizedNow(upstream, appid),
    log,
    holder: instanceId,
    now,
  });
  const lapseNotices = new LapseNotices({ repositories, config: config.lapseNotice, openapi: input.openapi ?? null, log, now });
  // A job's calls are not uses: thousands of merchants touched once stay out of the hot set.
  const shipTokens = {
    token: (appid: string) => authorizerTokens.batchToken(appid),
    invalidateIfCurrent: authorizerTokens.invalidateIfCurrent.bind(authorizerTokens),
  };
  const api = new WeChatShipApi({ authorizerTokens: shipTokens, apiBaseUrl: config.apiBaseUrl, timeoutMs: config.apiTimeoutMs });
  const shipping = new Shipping({ repositories, api, log, now });
  return {
    config,
    keys,
    store,
    repositories,
    client,
    componentTokens,
    upstream,
    sessions,
    authorizerTokens,
    authorizers,
    codes,
    machine,
    limits,
    pushes,
    lapseNotices,
    shipping,
    log,
    now,
    instanceId,
  };
}

/** The push and message crypto's keys, from the configuration. */
function cryptoKeysOf(config: Config): CryptoKeys {
  return {
    appId: config.componentAppId,
    token: config.messageToken,
    encodingAesKey: config.encodingAesKey,
    ...(config.previousEncodingAesKey ? { previousEncodingAesKey: config.previousEncodingAesKey } : {}),
  };
}

function openApiClientOf(config: Config): OpenApiClient {
  return createOpenApiClient({
    baseUrl: config.apiBaseUrl,
    componentAppId: config.componentAppId,
    componentAppSecret: config.componentAppSecret,
    timeoutMs: config.apiTimeoutMs,
  });
}
