import type { Config } from './config';
import type { UpstreamErrorNote } from './model';
import type { OpenApiClient } from './openapi/client';
import { OpenApiError } from './openapi/errors';
import type { ComponentTokens } from './platform/componentToken';
import { COLLECTIONS, type Store } from './store';

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

  /** Records configuration and ticket errors on the platform document, then hands the error back. */
  async noted(error: unknown): Promise<unknown> {
    if (error instanceof OpenApiError && (error.category === 'configuration' || error.category === 'ticket')) {
      const note: UpstreamErrorNote = {
        at: this.deps.now(),
        api: error.api,
        errcode: error.errcode,
        meaning: error.meaning,
        ...(error.requestIp ? { requestIp: error.requestIp } : {}),
      };
      await this.deps.store
        .update(COLLECTIONS.platform, this.deps.config.componentAppId, { lastUpstreamError: this.deps.store.command.set(note) })
        .catch(() => undefined);
    }
    return error;
  }
}
