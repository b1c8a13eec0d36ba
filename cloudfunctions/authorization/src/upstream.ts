import type { Config } from './config';
import type { OpenApiClient } from './openapi/client';
import { isTokenError } from './openapi/errors';
import type {
  AuthorizerInfoResponse,
  AuthorizerListResponse,
  AuthorizerTokenResponse,
  PreAuthCodeResponse,
  QueryAuthResponse,
  StartPushTicketResponse,
} from './openapi/types';
import type { ComponentTokens } from './platform/componentToken';
import { clearUpstreamError, recordUpstreamError } from './platform/platformState';
import type { PlatformRepository } from './repositories/platformRepository';

export interface UpstreamDeps {
  client: OpenApiClient;
  componentTokens: ComponentTokens;
  platform: PlatformRepository;
  config: Config;
  now: () => number;
}

/**
 * The component-level APIs (spec §4) as callers use them: the component token is supplied, a
 * rejected one is dropped and the call retried once, configuration and ticket errors are noted
 * for the health page. Failures are `OpenApiError`s: branch on them with the predicates of
 * `openapi/errors.ts` (isCodeError, isAuthorizationError …).
 */
export interface ComponentApi {
  createPreAuthCode(): Promise<PreAuthCodeResponse>;
  queryAuth(authorizationCode: string): Promise<QueryAuthResponse>;
  getAuthorizerInfo(authorizerAppid: string): Promise<AuthorizerInfoResponse>;
  refreshAuthorizerToken(authorizerAppid: string, refreshToken: string): Promise<AuthorizerTokenResponse>;
  getAuthorizerList(offset: number, count: number): Promise<AuthorizerListResponse>;
  /** Needs no token (it is how a platform without a ticket gets one); its errors are noted too. */
  startPushTicket(): Promise<StartPushTicketResponse>;
}

/** The token a run of many calls keeps between them (reconcile's pages): no database read per call. */
interface KeptToken {
  token: string | null;
}

/** Every call to WeChat that needs the component token goes through here. */
export class Upstream {
  /** The component-level APIs with the shared token, read from the platform document per call. */
  readonly component: ComponentApi;

  constructor(private readonly deps: UpstreamDeps) {
    this.component = this.componentApi();
  }

  /** Like `component`, but keeps the token that last worked for the next calls (one run's worth). */
  keepingToken(): ComponentApi {
    return this.componentApi({ token: null });
  }

  /** Supplies the shared token, retries once on its rejection, notes errors for the health page. */
  private async withComponentToken<T>(call: (componentToken: string) => Promise<T>): Promise<T> {
    const { componentTokens } = this.deps;
    const startedAt = this.deps.now();
    const token = await componentTokens.token();
    try {
      return await this.cleared(await call(token), startedAt);
    } catch (error) {
      if (!isTokenError(error)) throw await this.noted(error);
      await componentTokens.invalidate(token);
    }
    const fresh = await componentTokens.token();
    try {
      return await this.cleared(await call(fresh), startedAt);
    } catch (error) {
      throw await this.noted(error);
    }
  }

  /** WeChat accepted a call: the recorded configuration error is fixed, the health page stops showing it. */
  private async cleared<T>(result: T, startedAt: number): Promise<T> {
    const { componentTokens, platform, config } = this.deps;
    if (componentTokens.errorOnRecord) await clearUpstreamError(platform, config.componentAppId, startedAt);
    return result;
  }

  private componentApi(kept?: KeptToken): ComponentApi {
    const { client } = this.deps;
    const withToken = <T>(call: (token: string) => Promise<T>) =>
      kept ? this.withKeptToken(kept, call) : this.withComponentToken(call);
    return {
      createPreAuthCode: () => withToken((token) => client.createPreAuthCode(token)),
      queryAuth: (code) => withToken((token) => client.queryAuth(token, code)),
      getAuthorizerInfo: (appid) => withToken((token) => client.getAuthorizerInfo(token, appid)),
      refreshAuthorizerToken: (appid, refreshToken) =>
        withToken((token) => client.refreshAuthorizerToken(token, appid, refreshToken)),
      getAuthorizerList: (offset, count) => withToken((token) => client.getAuthorizerList(token, offset, count)),
      startPushTicket: async () => {
        try {
          return await client.startPushTicket();
        } catch (error) {
          throw await this.noted(error);
        }
      },
    };
  }

  /** The kept token first; once rejected (or before there is one) the usual way, keeping what worked. */
  private async withKeptToken<T>(kept: KeptToken, call: (token: string) => Promise<T>): Promise<T> {
    if (kept.token !== null) {
      try {
        return await call(kept.token);
      } catch (error) {
        kept.token = null;
        if (!isTokenError(error)) throw await this.noted(error);
      }
    }
    return this.withComponentToken(async (token) => {
      const result = await call(token);
      kept.token = token;
      return result;
    });
  }

  /** Records configuration and ticket errors for the health page, then hands the error back. */
  private async noted(error: unknown): Promise<unknown> {
    await recordUpstreamError(this.deps.platform, this.deps.config.componentAppId, error, this.deps.now());
    return error;
  }
}
