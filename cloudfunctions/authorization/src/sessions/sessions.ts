import { createHash } from 'node:crypto';
import type { ActionError, AuthChannel, AuthType } from '../../../../typings/api';
import { addOwner } from '../authorizers/records';
import { rateLimited } from '../errors';
import type { RateLimits } from '../limits';
import type { SessionDoc } from '../model';
import type { Repositories } from '../repositories';
import type { Upstream } from '../upstream';

/**
 * An authorization session is one pre_auth_code bound to the merchant who asked for it. The
 * plugin gives no result, so the `authorized` push is matched to the session by its PreAuthCode.
 */

/** A push can arrive a little after the code's expiry (the merchant confirmed just in time). */
export const LATE_PUSH_GRACE_MS = 5 * 60_000;

export function sessionIdFor(preAuthCode: string): string {
  return createHash('sha256').update(preAuthCode).digest('hex').slice(0, 32);
}

export interface NewSession {
  openid: string;
  channel: AuthChannel;
  authType: AuthType;
  bizAppid: string | null;
  categoryIds: number[];
}

export interface SessionsDeps {
  repositories: Pick<Repositories, 'sessions' | 'authorizers'>;
  upstream: Upstream;
  limits: RateLimits;
  now: () => number;
  /** Each session costs WeChat a pre_auth_code: a merchant needs a few a minute at most. */
  perMinute: number;
  perDay: number;
}

export class Sessions {
  constructor(private readonly deps: SessionsDeps) {}

  /** Asks WeChat for a fresh pre_auth_code (single use) for the merchant, a few a minute at most. */
  async create(input: NewSession): Promise<SessionDoc> {
    const allowed = await this.deps.limits.take({ key: `session:${input.openid}`, max: this.deps.perMinute, windowMs: 60_000 });
    if (!allowed) throw rateLimited('发起授权太频繁，请一分钟后再试');
    // All merchants together: a bound on what anyone can spend of WeChat's pre_auth_codes and our database.
    const withinDay = await this.deps.limits.take({ key: 'session', max: this.deps.perDay, windowMs: 24 * 3600_000 });
    if (!withinDay) throw rateLimited('今天发起的授权已达上限，请明天再试或联系服务商');
    const { pre_auth_code, expires_in } = await this.deps.upstream.component.createPreAuthCode();
    const at = this.deps.now();
    const doc: SessionDoc = {
      _id: sessionIdFor(pre_auth_code),
      preAuthCode: pre_auth_code,
      ...input,
      status: 'pending',
      authorizerAppid: null,
      failure: null,
      createdAt: at,
      expiresAt: at + expires_in * 1000,
      completedAt: null,
    };
    await this.deps.repositories.sessions.create(doc);
    return doc;
  }

  async get(sessionId: string): Promise<SessionDoc | null> {
    return this.deps.repositories.sessions.get(sessionId);
  }

  /** The status a reader should see: a pending session past its code's life (and grace) is expired. */
  effectiveStatus(doc: SessionDoc): SessionDoc['status'] {
    if (doc.status === 'pending' && this.deps.now() > doc.expiresAt + LATE_PUSH_GRACE_MS) return 'expired';
    return doc.status;
  }

  /**
   * WeChat signed that this session's pre_auth_code led to `appid` at `eventAt`: the merchant becomes
   * an owner, and the session is authorized. Only while the session was open when WeChat sent it
   * (a push created within the code's life and grace), and never once it finished otherwise.
   */
  async bind(sessionId: string, appid: string, eventAt: number): Promise<boolean> {
    const session = await this.get(sessionId);
    if (!session || eventAt > session.expiresAt + LATE_PUSH_GRACE_MS) return false;
    const open = session.status === 'pending' || session.status === 'expired';
    if (!open && !(session.status === 'authorized' && session.authorizerAppid === appid)) return false;
    // Owner first: if we die between the two writes, the next holder repeats both.
    if (!(await addOwner(this.deps.repositories.authorizers, appid, session.openid, eventAt, this.deps.now()))) return false;
    await this.deps.repositories.sessions.markAuthorized(sessionId, appid, this.deps.now());
    return true;
  }

  /** Only a signed push fails a session, and only one still pending. */
  async markFailed(sessionId: string, failure: ActionError): Promise<void> {
    await this.deps.repositories.sessions.markFailed(sessionId, failure, this.deps.now());
  }

  /** The timer's sweep: pending sessions whose code and grace are gone. */
  async expireStale(): Promise<number> {
    return this.deps.repositories.sessions.expirePending(this.deps.now() - LATE_PUSH_GRACE_MS, this.deps.now());
  }

  /** Retention: sessions whose code died more than `ageMs` ago. */
  async removeEndedBefore(ageMs: number): Promise<number> {
    return this.deps.repositories.sessions.removeExpiredBefore(this.deps.now() - ageMs);
  }
}
