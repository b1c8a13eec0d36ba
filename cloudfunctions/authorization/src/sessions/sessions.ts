import { createHash } from 'node:crypto';
import type { ActionError, AuthChannel, AuthType } from '../../../../typings/api';
import type { SessionDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';
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

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly upstream: Upstream,
    private readonly now: () => number,
  ) {}

  /** Asks WeChat for a fresh pre_auth_code (single use) and binds it to the merchant. */
  async create(input: NewSession): Promise<SessionDoc> {
    const { pre_auth_code, expires_in } = await this.upstream.withComponentToken((token) =>
      this.upstream.client.createPreAuthCode(token),
    );
    const at = this.now();
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
    await this.store.create(COLLECTIONS.authSessions, { ...doc });
    return doc;
  }

  async get(sessionId: string): Promise<SessionDoc | null> {
    return this.store.get<SessionDoc>(COLLECTIONS.authSessions, sessionId);
  }

  /** The status a reader should see: a pending session past its code's life (and grace) is expired. */
  effectiveStatus(doc: SessionDoc): SessionDoc['status'] {
    if (doc.status === 'pending' && this.now() > doc.expiresAt + LATE_PUSH_GRACE_MS) return 'expired';
    return doc.status;
  }

  /** Authorized wins over everything: a late push still completes an expired session. */
  async markAuthorized(sessionId: string, authorizerAppid: string): Promise<void> {
    await this.store.update(COLLECTIONS.authSessions, sessionId, {
      status: 'authorized',
      authorizerAppid,
      failure: null,
      completedAt: this.now(),
    });
  }

  async markFailed(sessionId: string, failure: ActionError): Promise<void> {
    await this.store.updateWhere(
      COLLECTIONS.authSessions,
      { _id: sessionId, status: this.store.command.neq('authorized') },
      { status: 'failed', failure: this.store.command.set(failure), completedAt: this.now() },
    );
  }

  /** The timer's sweep: pending sessions whose code and grace are gone. */
  async expireStale(): Promise<number> {
    const _ = this.store.command;
    return this.store.updateWhere(
      COLLECTIONS.authSessions,
      { status: 'pending', expiresAt: _.lt(this.now() - LATE_PUSH_GRACE_MS) },
      { status: 'expired', completedAt: this.now() },
    );
  }
}
