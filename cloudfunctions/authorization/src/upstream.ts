import type { Config } from './config';
import type { OpenApiClient } from './openapi/client';
import { OpenApiError } from './openapi/errors';
import type { ComponentTokens } from './platform/componentToken';
import { recordUpstreamError } from './platform/platformState';
import type { Store } from './store';

export interface UpstreamDeps {
  client: OpenApiClient;
  componentTokens: ComponentTokens;
  store: Store;
  config: Config;
  now: () => number;
}

/**
 * Every call to WeChat that needs the component token goes through here: it supplies the shared
 * token, survives one token rejection (40001/40014/42001) by dropping exactly the token that failed
 * and retrying once, and remembers configuration errors (61004 …) for the health page.
 */
export class Upstream {
  constructor(private readonly deps: UpstreamDeps) {}

  get client(): OpenApiClient {
    return this.deps.client;
  }

  async withComponentToken<T>(call: (componentToken: string) => Promise<T>): Promise<T> {
    const { componentTokens } = this.deps;
    const token = await componentTokens.token();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof OpenApiError && error.category === 'token')) throw await this.noted(error);
      await componentTokens.invalidate(token);
    }
    const fresh = await componentTokens.token();
    try {
      return await call(fresh);
    } catch (error) {
      throw await this.noted(error);
    }
  }

  /** Records configuration and ticket errors for the health page, then hands the error back. */
  async noted(error: unknown): Promise<unknown> {
    await recordUpstreamError(this.deps.store, this.deps.config.componentAppId, error, this.deps.now());
    return error;
  }
}
