import { notReady } from '../errors';
import { freshValue, type LeaseSpec } from '../lease';
import type { AuthorizerTokenDoc } from '../model';
import { isAuthorizationError } from '../openapi/errors';
import type { AuthorizersRepository } from '../repositories/authorizersRepository';
import type { AuthorizerTokensRepository } from '../repositories/authorizerTokensRepository';
import { eachWithin, type TimeBudget } from '../timer/budget';
import type { Upstream } from '../upstream';

export interface AuthorizerTokenDeps {
  tokens: AuthorizerTokensRepository;
  /** Told when WeChat refuses an authorization (the account needs re-authorization). */
  authorizers: AuthorizersRepository;
  upstream: Upstream;
  instanceId: string;
  now: () => number;
  /** The timer refreshes a hot token with less than this left. */
  refreshAheadMs: number;
  /** Authorizers used within this window are refreshed ahead of expiry; others only on use. */
  hotWindowMs: number;
  /** After WeChat refused an authorization, its refresh token is tried again at most this often. */
  reauthProbeMs: number;
}

/**
 * WeChat refused this authorization (61003/61023) and no probe is due: the merchant must
 * authorize again, and asking WeChat before the next probe would only cost a call.
 */
export class AuthorizationPaused extends Error {
  constructor(readonly appid: string) {
    super('the authorization was refused by WeChat; waiting for the merchant to authorize again');
    this.name = 'AuthorizationPaused';
  }
}

export interface IssuedTokens {
  accessToken: string | null;
  expiresIn: number;
  refreshToken: string;
}

const MIN_REMAINING_MS = 60_000;
/** A use is written down at most this often per authorizer: one write, not one per call. */
export const USE_NOTE_INTERVAL_MS = 15 * 60_000;
/** Refreshes the timer runs at once (each is one WeChat call and a few database calls). */
const REFRESH_CONCURRENCY = 8;
/** The database's page; every read asks for at most this many. */
const PAGE = 100;

export interface RefreshDueReport {
  refreshed: number;
  failed: number;
  /** Present when the time budget ran out with due tokens left for the next run. */
  deferred?: true;
}

/**
 * Keeps each authorizer's access token fresh and its refresh token safe. Refresh tokens are
 * persisted the moment they are received: losing one means the merchant must authorize again.
 */
export class AuthorizerTokens {
  constructor(private readonly deps: AuthorizerTokenDeps) {}

  /** Replaces both tokens (a new authorization invalidates the old pair). */
  async save(appid: string, issued: IssuedTokens): Promise<void> {
    await this.deps.tokens.put(newTokenDoc(appid, issued, this.deps.now()));
  }

  /**
   * Restores a refresh token from api_get_authorizer_list without touching a good access token. A
   * new refresh token means a new authorization: a refusal of the old one no longer holds.
   */
  async restoreRefreshToken(appid: string, refreshToken: string): Promise<boolean> {
    const doc = await this.read(appid);
    if (doc?.refreshToken === refreshToken) return false;
    if (!doc) await this.save(appid, { accessToken: null, expiresIn: 0, refreshToken });
    else await this.deps.tokens.restoreRefreshToken(appid, refreshToken);
    return true;
  }

  /** The access token for a call on the merchant's behalf: refreshed now if needed, and the use noted. */
  async token(appid: string, minRemainingMs = MIN_REMAINING_MS): Promise<string> {
    let lastUsedAt = 0;
    const token = await this.fresh(appid, minRemainingMs, (doc) => (lastUsedAt = doc.lastUsedAt ?? 0));
    await this.noteUse(appid, lastUsedAt);
    return token;
  }

  /**
   * The access token for one call of a batch (a ship job): refreshed now if needed, but not a use.
   * A job touches thousands of merchants once or twice; noting those uses would put them all in
   * the hot set, whose tokens the timer then refreshes ahead of expiry for a day, used or not.
   */
  batchToken(appid: string, minRemainingMs = MIN_REMAINING_MS): Promise<string> {
    return this.fresh(appid, minRemainingMs);
  }

  /**
   * The timer's share: refresh ahead of expiry the tokens of authorizers used recently (the hot
   * set), most urgent first, a few at once, until none is due or the budget runs out. An idle
   * authorizer costs nothing here: its token is refreshed when it is next used.
   */
  async refreshDue(budget: TimeBudget): Promise<RefreshDueReport> {
    const { tokens, now, refreshAheadMs, hotWindowMs } = this.deps;
    const tried = new Set<string>();
    const report: RefreshDueReport = { refreshed: 0, failed: 0 };
    while (budget.allows()) {
      const at = now();
      // Refused refresh tokens wait for reconcile, not for every run.
      const page = await tokens.dueForRefresh(at + refreshAheadMs, at - hotWindowMs, PAGE);
      // Refreshed ones leave the query; failed ones stay, so skip them rather than loop.
      const due = page.map((doc) => doc._id).filter((id) => !tried.has(id));
      if (due.length === 0) return report;
      due.forEach((id) => tried.add(id));
      const started = await eachWithin(due, REFRESH_CONCURRENCY, budget, async (appid) => {
        try {
          await this.fresh(appid, refreshAheadMs);
          report.refreshed += 1;
        } catch {
          report.failed += 1;
        }
      });
      if (started < due.length) break;
    }
    return { ...report, deferred: true };
  }

  /** Forces a refresh, a refused authorization too: true when WeChat accepts the stored refresh token. */
  async verify(appid: string): Promise<boolean> {
    await this.deps.tokens.dropAccessToken(appid);
    try {
      await this.fresh(appid, MIN_REMAINING_MS, undefined, true);
      return true;
    } catch {
      return false;
    }
  }

  /** The fresh token with its expiry (ms), for callers outside the function (the broker). */
  async issued(appid: string, minRemainingMs = MIN_REMAINING_MS): Promise<{ accessToken: string; expiresAt: number }> {
    const current = async (min: number) => {
      const doc = await this.read(appid);
      if (!doc) throw notReady('该账号没有可用的刷新令牌，请商家重新授权');
      this.checkNotPaused(doc);
      const good = doc.accessToken && doc.expiresAt - this.deps.now() > min;
      return good ? { accessToken: doc.accessToken as string, expiresAt: doc.expiresAt } : null;
    };
    return freshValue({
      lease: this.lease(appid),
      read: () => current(minRemainingMs),
      refresh: async () => {
        const accessToken = await this.refresh(appid);
        return (await current(0)) ?? { accessToken, expiresAt: this.deps.now() };
      },
      onGiveUp: () => notReady('授权账号令牌正在刷新，请稍后重试'),
    });
  }

  /**
   * Drops the access token WeChat rejected (40001/40014/42001), only if it is still the stored
   * one (and, with `minAgeMs`, issued at least that long ago): a token another caller already
   * replaced stays. True when it was dropped.
   */
  async invalidateIfCurrent(appid: string, rejected: string, minAgeMs = 0): Promise<boolean> {
    return this.deps.tokens.dropIfCurrent(appid, rejected, minAgeMs > 0 ? this.deps.now() - minAgeMs : undefined);
  }

  /**
   * WeChat refused the authorization on a call made with `failed` (61003/61023): that token is no
   * longer handed out and no refresh is tried before the next probe. Nothing changes if the token
   * was already replaced (a re-authorization saved a new pair meanwhile).
   */
  async rejectAuthorization(appid: string, failed: string): Promise<void> {
    const { tokens, now, reauthProbeMs } = this.deps;
    await tokens.rejectIfCurrent(appid, failed, now() + reauthProbeMs);
  }

  async remove(appid: string): Promise<void> {
    await this.deps.tokens.remove(appid);
  }

  private async read(appid: string): Promise<AuthorizerTokenDoc | null> {
    return this.deps.tokens.get(appid);
  }

  /**
   * A token with at least `minRemainingMs` left, refreshed under the lease if needed; not a use.
   * `probe` asks WeChat even for a refused authorization whose next probe is not due.
   */
  private fresh(appid: string, minRemainingMs: number, seen?: (doc: AuthorizerTokenDoc) => void, probe = false): Promise<string> {
    return freshValue({
      lease: this.lease(appid),
      read: () => this.stored(appid, minRemainingMs, seen, probe),
      refresh: () => this.refresh(appid, probe),
      onGiveUp: () => notReady('授权账号令牌正在刷新，请稍后重试'),
    });
  }

  /** Writes the use down unless it was noted recently, which keeps the authorizer in the hot set. */
  private async noteUse(appid: string, lastUsedAt: number): Promise<void> {
    const at = this.deps.now();
    if (at - lastUsedAt < USE_NOTE_INTERVAL_MS) return;
    await this.deps.tokens.noteUse(appid, at);
  }

  private async stored(
    appid: string,
    minRemainingMs: number,
    seen?: (doc: AuthorizerTokenDoc) => void,
    probe = false,
  ): Promise<string | null> {
    const doc = await this.read(appid);
    if (!doc) throw notReady('该账号没有可用的刷新令牌，请商家重新授权');
    if (!probe) this.checkNotPaused(doc);
    seen?.(doc);
    if (!doc.accessToken) return null;
    return doc.expiresAt - this.deps.now() > minRemainingMs ? doc.accessToken : null;
  }

  /** A refused authorization waits for its probe: the merchant has to act, WeChat will say no again. */
  private checkNotPaused(doc: AuthorizerTokenDoc): void {
    if (doc.rejected === true && this.deps.now() < (doc.probeAfter ?? 0)) throw new AuthorizationPaused(doc._id);
  }

  private async refresh(appid: string, probe = false): Promise<string> {
    const { upstream, tokens, authorizers, now, reauthProbeMs } = this.deps;
    const doc = await this.read(appid);
    if (!doc) throw notReady('该账号没有可用的刷新令牌，请商家重新授权');
    if (!probe) this.checkNotPaused(doc);
    // Held under the lease: this call is the probe, and the next one is due an interval from now.
    if (doc.rejected === true) await tokens.deferProbe(appid, now() + reauthProbeMs);
    const issuedAt = now();
    try {
      const result = await upstream.component.refreshAuthorizerToken(appid, doc.refreshToken);
      await tokens.saveRefreshed(appid, {
        accessToken: result.authorizer_access_token,
        expiresAt: issuedAt + result.expires_in * 1000,
        // WeChat may rotate it; always keep the newest (spec §4.4).
        refreshToken: result.authorizer_refresh_token || doc.refreshToken,
        issuedAt,
      });
      return result.authorizer_access_token;
    } catch (error) {
      if (isAuthorizationError(error)) {
        // Marked here too, so reconcile finds it by reading token records alone.
        await tokens.markRejected(appid, now() + reauthProbeMs);
        await authorizers.markNeedsReauth(appid, now());
      }
      throw error;
    }
  }

  private lease(appid: string): LeaseSpec {
    const { tokens, instanceId, now } = this.deps;
    return tokens.lease(appid, instanceId, now);
  }
}

/**
 * The token record of a new authorization. It counts as a use: a merchant who just authorized is
 * likely to be served soon, so the timer keeps the token fresh for the hot window.
 */
export function newTokenDoc(appid: string, issued: IssuedTokens, at: number): AuthorizerTokenDoc {
  return {
    _id: appid,
    accessToken: issued.accessToken,
    expiresAt: issued.accessToken ? at + issued.expiresIn * 1000 : 0,
    refreshToken: issued.refreshToken,
    leaseOwner: '',
    leaseUntil: 0,
    updatedAt: at,
    lastUsedAt: at,
  };
}
