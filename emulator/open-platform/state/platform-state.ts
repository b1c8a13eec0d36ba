/**
 * Everything WeChat remembers about one third-party platform: tickets, tokens, codes,
 * authorizations. No HTTP here; the API routes, pages and admin API all work on this.
 */
import type { Clock } from '../../clock';
import { newAuthCode, newPreAuthCode } from './codes';
import type { ComponentConfig, TestAccount } from './types';
import { AccessTokens } from './access-tokens';
import { Authorizations } from './authorizations';
import { OneTimeCodes } from './one-time-codes';
import { Tickets } from './tickets';

export const TOKEN_LIFETIME_SECONDS = 7200;

export interface StateSettings {
  preAuthCodeTtlSeconds: number;
  authCodeTtlSeconds: number;
  tokenGraceSeconds: number;
  rotateRefreshToken: boolean;
}

/** What an authorization code stands for. */
export interface AuthCodeGrant {
  authorizerAppid: string;
  preAuthCode: string;
}

export class PlatformState {
  readonly tickets: Tickets;
  /** Keyed by the component appid. */
  readonly componentTokens: AccessTokens;
  /** Keyed by the authorizer appid. */
  readonly authorizerTokens: AccessTokens;
  readonly preAuthCodes: OneTimeCodes<Record<string, never>>;
  readonly authCodes: OneTimeCodes<AuthCodeGrant>;
  readonly authorizations: Authorizations;
  private readonly accountIndex = new Map<string, TestAccount>();

  constructor(
    readonly clock: Clock,
    /** Live object: setAuthEventUrl / setInitiationDomain change it in place. */
    readonly component: ComponentConfig,
    readonly accounts: TestAccount[],
    readonly settings: StateSettings,
  ) {
    this.tickets = new Tickets(clock);
    this.componentTokens = new AccessTokens(clock, TOKEN_LIFETIME_SECONDS, settings.tokenGraceSeconds);
    this.authorizerTokens = new AccessTokens(clock, TOKEN_LIFETIME_SECONDS, settings.tokenGraceSeconds);
    this.preAuthCodes = new OneTimeCodes(clock, newPreAuthCode, settings.preAuthCodeTtlSeconds);
    this.authCodes = new OneTimeCodes(clock, newAuthCode, settings.authCodeTtlSeconds);
    this.authorizations = new Authorizations(clock, settings.tokenGraceSeconds);
  }

  /** By appid, in constant time (scale tests hold 100,000 accounts). */
  account(appid: string): TestAccount | undefined {
    const indexed = this.accountIndex.get(appid);
    if (indexed) return indexed;
    // `accounts` is public and may have been pushed to directly.
    const found = this.accounts.find((account) => account.appid === appid);
    if (found) this.accountIndex.set(appid, found);
    return found;
  }

  addAccounts(accounts: TestAccount[]): void {
    for (const account of accounts) {
      if (this.account(account.appid)) throw new Error(`account ${account.appid} exists already`);
      this.accounts.push(account);
      this.accountIndex.set(account.appid, account);
    }
  }
}
