import { createHash } from 'node:crypto';
import type { ActionError } from '../../../../typings/api';
import { releaseLease, tryAcquireLease, type LeaseSpec } from '../lease';
import type { AuthCodeDoc } from '../model';
import { OpenApiError } from '../openapi/errors';
import type { Sessions } from '../sessions/sessions';
import { COLLECTIONS, type Store } from '../store';
import type { Upstream } from '../upstream';
import { recordGrant } from './records';
import type { AuthorizerTokens } from './tokens';

/**
 * Exactly once: an authorization code reaches us through the push, WeChat's retries of it, the
 * redirect callback and the page's poll, often at the same moment. The first arrival claims the
 * code (a document keyed by its hash) and exchanges it; the others wait for that outcome.
 */

export interface CodeArrival {
  code: string;
  /** Known from the push's PreAuthCode or the callback's `sid`. */
  sessionId: string | null;
  /** Known from the push; the callback learns it only from the exchange. */
  authorizerAppid: string | null;
  /** When the code stops working (ms). */
  expiresAt: number;
  event: 'authorized' | 'updateauthorized';
  /**
   * A signed push is trusted; a callback's `auth_code` is anyone's input. Only a trusted arrival
   * may mark its session failed, so a forged code cannot spoil a merchant's pending session.
   */
  trusted: boolean;
}

export type Outcome =
  | { state: 'done'; authorizerAppid: string }
  | { state: 'failed'; error: ActionError }
  | { state: 'processing' };

export interface CompletionDeps {
  store: Store;
  upstream: Upstream;
  sessions: Sessions;
  authorizerTokens: AuthorizerTokens;
  instanceId: string;
  now: () => number;
}

/** How long the code's claimant may take before a later arrival takes over. */
const CLAIM_TTL_MS = 20_000;

export const codeIdFor = (code: string) => createHash('sha256').update(code).digest('hex');

export class AuthorizationCompleter {
  constructor(private readonly deps: CompletionDeps) {}

  /** Handles one arrival of a code; `waitMs` bounds how long it waits on another claimant. */
  async complete(arrival: CodeArrival, waitMs = 3000): Promise<Outcome> {
    const id = codeIdFor(arrival.code);
    if (!(await this.claim(id, arrival))) {
      await this.attachSession(id, arrival.sessionId);
      const seen = await this.waitForOutcome(id, waitMs);
      if (seen !== 'takeover') return seen;
      if (!(await tryAcquireLease(this.lease(id)))) return { state: 'processing' };
    }
    return this.run(id, arrival);
  }

  /** Finishes a claimed code whose claimant died (used by the poll and the timer). */
  async resume(doc: AuthCodeDoc): Promise<Outcome> {
    if (doc.state === 'done' && doc.authorizerAppid) return { state: 'done', authorizerAppid: doc.authorizerAppid };
    if (doc.state === 'failed') return { state: 'failed', error: doc.error ?? failure('授权未完成') };
    if (doc.leaseUntil >= this.deps.now() || !(await tryAcquireLease(this.lease(doc._id)))) return { state: 'processing' };
    return this.run(doc._id, {
      code: doc.code ?? '',
      sessionId: doc.sessionId,
      authorizerAppid: doc.authorizerAppid,
      expiresAt: doc.expiresAt,
      event: 'authorized',
      trusted: false,
    });
  }

  private async claim(id: string, arrival: CodeArrival): Promise<boolean> {
    const now = this.deps.now();
    return this.deps.store.create(COLLECTIONS.authCodes, {
      _id: id,
      code: arrival.code,
      sessionId: arrival.sessionId,
      authorizerAppid: arrival.authorizerAppid,
      state: 'claimed',
      exchanged: null,
      error: null,
      createdAt: now,
      expiresAt: arrival.expiresAt,
      leaseOwner: this.deps.instanceId,
      leaseUntil: now + CLAIM_TTL_MS,
    } satisfies AuthCodeDoc);
  }

  /** The callback may arrive before the push, or the other way round: keep whichever knows the session. */
  private async attachSession(id: string, sessionId: string | null): Promise<void> {
    if (!sessionId) return;
    await this.deps.store.updateWhere(COLLECTIONS.authCodes, { _id: id, sessionId: null }, { sessionId });
  }

  private async waitForOutcome(id: string, waitMs: number): Promise<Outcome | 'takeover'> {
    const deadline = performance.now() + waitMs;
    for (let pause = 40; ; pause = Math.min(pause * 2, 300)) {
      const doc = await this.read(id);
      if (!doc) return { state: 'processing' };
      if (doc.state === 'done' && doc.authorizerAppid) return { state: 'done', authorizerAppid: doc.authorizerAppid };
      if (doc.state === 'failed') return { state: 'failed', error: doc.error ?? failure('授权未完成') };
      if (doc.leaseUntil < this.deps.now()) return 'takeover';
      if (performance.now() > deadline) return { state: 'processing' };
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /** Holding the claim: exchange (unless already done), then store the account and close the session. */
  private async run(id: string, arrival: CodeArrival): Promise<Outcome> {
    try {
      const doc = await this.read(id);
      const appid = doc?.authorizerAppid ?? arrival.authorizerAppid;
      const exchanged = doc?.exchanged ?? (await this.exchange(id, doc?.code ?? arrival.code, appid));
      if ('error' in exchanged) {
        return await this.fail(id, arrival.trusted ? (doc?.sessionId ?? arrival.sessionId) : null, exchanged.error);
      }
      const sessionId = (await this.read(id))?.sessionId ?? arrival.sessionId;
      await this.storeAuthorizer(exchanged.authorizerAppid, exchanged.grantedSets, sessionId, arrival.event);
      await this.deps.store.update(COLLECTIONS.authCodes, id, { state: 'done', authorizerAppid: exchanged.authorizerAppid });
      if (sessionId) await this.deps.sessions.markAuthorized(sessionId, exchanged.authorizerAppid);
      return { state: 'done', authorizerAppid: exchanged.authorizerAppid };
    } catch (error) {
      // A transient failure: give the claim up so WeChat's retry or the page's poll can finish it.
      await releaseLease(this.lease(id));
      throw error;
    }
  }

  private async exchange(
    id: string,
    code: string,
    knownAppid: string | null,
  ): Promise<{ authorizerAppid: string; grantedSets: number[] } | { error: ActionError }> {
    const { upstream, store, authorizerTokens } = this.deps;
    try {
      const { authorization_info: auth } = await upstream.withComponentToken((token) =>
        upstream.client.queryAuth(token, code),
      );
      const exchanged = {
        authorizerAppid: auth.authorizer_appid,
        grantedSets: (auth.func_info ?? []).map((f) => f.funcscope_category.id),
      };
      // The refresh token is irreplaceable: persist it before anything else can fail.
      if (auth.authorizer_refresh_token) {
        await authorizerTokens.save(auth.authorizer_appid, {
          accessToken: auth.authorizer_access_token ?? null,
          expiresIn: auth.expires_in ?? 0,
          refreshToken: auth.authorizer_refresh_token,
        });
      }
      await store.update(COLLECTIONS.authCodes, id, { code: null, exchanged: store.command.set(exchanged) });
      return exchanged;
    } catch (error) {
      if (error instanceof OpenApiError && error.category === 'code') {
        // Our first try reached WeChat but its answer was lost: the code is spent, the grant is real.
        if (error.attempts > 1 && knownAppid) {
          const recovered = await this.recoverSpentCode(id, knownAppid);
          if (recovered) return recovered;
        }
        return { error: failure(error.errcode === 61010 ? '授权码已过期，请重新授权' : '授权码无效或已被使用，请重新授权') };
      }
      throw error;
    }
  }

  /** api_get_authorizer_info also returns the refresh token and the granted sets (spec §4.5). */
  private async recoverSpentCode(
    id: string,
    appid: string,
  ): Promise<{ authorizerAppid: string; grantedSets: number[] } | null> {
    const { upstream, store, authorizerTokens } = this.deps;
    const info = await upstream.withComponentToken((token) => upstream.client.getAuthorizerInfo(token, appid));
    const auth = info.authorization_info;
    if (!auth?.authorizer_refresh_token) return null;
    await authorizerTokens.save(appid, { accessToken: null, expiresIn: 0, refreshToken: auth.authorizer_refresh_token });
    const exchanged = { authorizerAppid: appid, grantedSets: (auth.func_info ?? []).map((f) => f.funcscope_category.id) };
    await store.update(COLLECTIONS.authCodes, id, { code: null, exchanged: store.command.set(exchanged) });
    return exchanged;
  }

  private async storeAuthorizer(
    appid: string,
    grantedSets: number[],
    sessionId: string | null,
    event: CodeArrival['event'],
  ): Promise<void> {
    const { upstream, store, sessions, now } = this.deps;
    const { authorizer_info: profile } = await upstream.withComponentToken((token) =>
      upstream.client.getAuthorizerInfo(token, appid),
    );
    const owner = sessionId ? ((await sessions.get(sessionId))?.openid ?? null) : null;
    await recordGrant(store, { appid, profile, grantedSets, owner, event, now: now() });
  }

  private async fail(id: string, sessionId: string | null, error: ActionError): Promise<Outcome> {
    await this.deps.store.update(COLLECTIONS.authCodes, id, { state: 'failed', code: null, error: this.deps.store.command.set(error) });
    if (sessionId) await this.deps.sessions.markFailed(sessionId, error);
    return { state: 'failed', error };
  }

  private read(id: string): Promise<AuthCodeDoc | null> {
    return this.deps.store.get<AuthCodeDoc>(COLLECTIONS.authCodes, id);
  }

  private lease(id: string): LeaseSpec {
    const { store, instanceId, now } = this.deps;
    return { store, collection: COLLECTIONS.authCodes, id, owner: instanceId, now, ttlMs: CLAIM_TTL_MS };
  }
}

function failure(message: string): ActionError {
  return { code: 'UPSTREAM', message };
}
