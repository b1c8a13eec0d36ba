import type { Store } from '../store';
import { AuthorizersRepository } from './authorizersRepository';
import { AuthorizerTokensRepository } from './authorizerTokensRepository';
import { BrokerCallerUsageRepository, BrokerUsageRepository } from './brokerUsageRepository';
import { BrokerNoncesRepository } from './brokerNoncesRepository';
import { LapseNoticesRepository } from './lapseNoticesRepository';
import { MessageStatsRepository } from './messageStatsRepository';
import { NoticeConsentsRepository } from './noticeConsentsRepository';
import { PlatformRepository } from './platformRepository';
import { PushLogRepository } from './pushLogRepository';
import { RateLimitsRepository } from './rateLimitsRepository';
import { ReleaseJobsRepository } from './releaseJobsRepository';
import { ReleaseTestAccountsRepository } from './releaseTestAccountsRepository';
import { MerchantShipValuesRepository } from './merchantShipValuesRepository';
import { MerchantVersionsRepository } from './merchantVersionsRepository';
import { SessionsRepository } from './sessionsRepository';
import { ShipItemsRepository } from './shipItemsRepository';
import { ShipJobsRepository } from './shipJobsRepository';
import { ConsoleAuditRepository } from './consoleAuditRepository';
import { ConsoleSessionsRepository } from './consoleSessionsRepository';
import { ConsoleTicketsRepository } from './consoleTicketsRepository';

/**
 * One repository per collection: the only code that speaks the database's query language (with
 * the store and the claim primitive). Everyone else reads and writes by meaning through these.
 */
export interface Repositories {
  platform: PlatformRepository;
  sessions: SessionsRepository;
  authorizers: AuthorizersRepository;
  authorizerTokens: AuthorizerTokensRepository;
  pushLog: PushLogRepository;
  rateLimits: RateLimitsRepository;
  messageStats: MessageStatsRepository;
  releaseTestAccounts: ReleaseTestAccountsRepository;
  releaseJobs: ReleaseJobsRepository;
  noticeConsents: NoticeConsentsRepository;
  lapseNotices: LapseNoticesRepository;
  brokerNonces: BrokerNoncesRepository;
  brokerUsage: BrokerUsageRepository;
  brokerCallerUsage: BrokerCallerUsageRepository;
  shipJobs: ShipJobsRepository;
  shipItems: ShipItemsRepository;
  merchantShipValues: MerchantShipValuesRepository;
  merchantVersions: MerchantVersionsRepository;
  consoleTickets: ConsoleTicketsRepository;
  consoleSessions: ConsoleSessionsRepository;
  consoleAudit: ConsoleAuditRepository;
}

/** `holder` names this instance in the ship items' claims; `now` is the wiring's clock. */
export function createRepositories(store: Store, holder = 'instance', now: () => number = Date.now): Repositories {
  return {
    platform: new PlatformRepository(store),
    sessions: new SessionsRepository(store),
    authorizers: new AuthorizersRepository(store),
    authorizerTokens: new AuthorizerTokensRepository(store),
    pushLog: new PushLogRepository(store),
    rateLimits: new RateLimitsRepository(store),
    messageStats: new MessageStatsRepository(store),
    releaseTestAccounts: new ReleaseTestAccountsRepository(store),
    releaseJobs: new ReleaseJobsRepository(store),
    noticeConsents: new NoticeConsentsRepository(store),
    lapseNotices: new LapseNoticesRepository(store),
    brokerNonces: new BrokerNoncesRepository(store),
    brokerUsage: new BrokerUsageRepository(store),
    brokerCallerUsage: new BrokerCallerUsageRepository(store),
    shipJobs: new ShipJobsRepository(store, now),
    shipItems: new ShipItemsRepository(store, holder, now),
    merchantShipValues: new MerchantShipValuesRepository(store, now),
    merchantVersions: new MerchantVersionsRepository(store),
    consoleTickets: new ConsoleTicketsRepository(store),
    consoleSessions: new ConsoleSessionsRepository(store),
    consoleAudit: new ConsoleAuditRepository(store),
  };
}
