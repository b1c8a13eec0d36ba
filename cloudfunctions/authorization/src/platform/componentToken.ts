import type { Config } from '../config';
import { notReady } from '../errors';
import { freshValue, type LeaseSpec } from '../lease';
import type { OpenApiClient } from '../openapi/client';
import type { PlatformRepository } from '../repositories/platformRepository';
import { clearUpstreamError, ensurePlatform, readPlatform, recordUpstreamError } from './platformState';

export interface ComponentTokenDeps {
  platform: PlatformRepository;
  client: OpenApiClient;
  config: Config;
  instanceId: string;
  now: () => number;
}

/** A token with less than this left is not handed out: a call could outlive it. */
const MIN_REMAINING_MS = 60_000;

/**
 * Keeps the component_access_token in the platform document. Never fetched per request: callers
 * share the stored one, and one instance at a time refreshes it under the lease.
 */
export class ComponentTokens {
  /** The platform document exists from the first call of this instance on: check it once. */
  private platformEnsured = false;
  /**
   * The platform document read last had an upstream error on record: a call that then succeeds
   * clears it (Upstream), and only then, so a healthy platform pays no write per call.
   */
  errorOnRecord = false;

  constructor(private readonly deps: ComponentTokenDeps) {}

  /** A token with at least `minRemainingMs` left, refreshing it if needed. */
  async token(minRemainingMs = MIN_REMAINING_MS): Promise<string> {
    const { platform, config } = this.deps;
    if (!this.platformEnsured) {
      await ensurePlatform(platform, config.componentAppId);
      this.platformEnsured = true;
    }
    return freshValue({
      lease: this.lease(),
      read: () => this.storedToken(minRemainingMs),
      refresh: () => this.fetchAndStore(),
      onGiveUp: () => notReady('平台令牌正在刷新，请稍后重试'),
    });
  }

  /** The timer's job: refresh ahead of expiry so requests never wait for it. */
  async refreshIfDue(): Promise<'fresh' | 'refreshed'> {
    const marginMs = this.deps.config.refreshMarginSeconds * 1000;
    if (await this.storedToken(marginMs)) return 'fresh';
    await this.token(marginMs);
    return 'refreshed';
  }

  /**
   * WeChat rejected `token` as invalid or expired: drop it, but only if it is still the stored one,
   * so a token another instance just refreshed is not thrown away.
   */
  async invalidate(token: string): Promise<void> {
    const { platform, config } = this.deps;
    await platform.dropComponentTokenIfCurrent(config.componentAppId, token);
  }

  private async storedToken(minRemainingMs: number): Promise<string | null> {
    const doc = await readPlatform(this.deps.platform, this.deps.config.componentAppId);
    this.errorOnRecord = Boolean(doc?.lastUpstreamError);
    if (!doc?.componentToken) return null;
    return doc.componentTokenExpiresAt - this.deps.now() > minRemainingMs ? doc.componentToken : null;
  }

  private async fetchAndStore(): Promise<string> {
    const { platform, client, config, now } = this.deps;
    const doc = await readPlatform(platform, config.componentAppId);
    if (!doc?.ticket) throw notReady('尚未收到微信推送的 component_verify_ticket，请稍候（约 10 分钟一次）');
    const issuedAt = now();
    const result = await client.getComponentAccessToken(doc.ticket).catch(async (error: unknown) => {
      await recordUpstreamError(platform, config.componentAppId, error, now());
      throw error;
    });
    await platform.saveComponentToken(config.componentAppId, result.component_access_token, issuedAt + result.expires_in * 1000);
    if (doc.lastUpstreamError) await clearUpstreamError(platform, config.componentAppId, issuedAt);
    return result.component_access_token;
  }

  private lease(): LeaseSpec {
    const { platform, config, instanceId, now } = this.deps;
    return platform.componentTokenLease(config.componentAppId, instanceId, now);
  }
}
