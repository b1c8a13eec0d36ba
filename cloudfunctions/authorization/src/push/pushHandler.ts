import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { isRefusal, openSignedRequest, type CryptoKeys } from '../crypto';
import type { AuthorizationMachine } from '../authorizations/machine';
import { recordRevocation, revocationTies } from '../authorizers/records';
import type { AuthorizerTokens } from '../authorizers/tokens';
import { waitWithBackoff, type Claims, type ClaimToken } from '../claims';
import type { PushLogDoc } from '../model';
import { saveTicket } from '../platform/platformState';
import { noteTestAccountEvent } from '../release/testAccountStore';
import { isReleaseTestAppid } from '../release/testAccounts';
import type { Repositories } from '../repositories';
import { sessionIdFor } from '../sessions/sessions';
import type { Logger } from '../logger';

/** What WeChat sent to the authorization-event URL. */
export interface PushRequest {
  query: Record<string, string | undefined>;
  body: string;
}

export interface PushReply {
  status: number;
  body: string;
}

export interface PushDeps {
  config: Config;
  keys: CryptoKeys;
  repositories: Pick<Repositories, 'pushLog' | 'platform' | 'authorizers' | 'releaseTestAccounts'>;
  machine: AuthorizationMachine;
  authorizerTokens: AuthorizerTokens;
  /** Asks WeChat whether the account is authorized now (settles a revocation that ties with a grant). */
  isAuthorizedNow: (appid: string) => Promise<boolean>;
  log: Logger;
  holder: string;
  now: () => number;
}

type Payload = Record<string, unknown>;

interface Dispatched {
  outcome: PushLogDoc['outcome'];
  detail: string | null;
  appid: string | null;
}

/**
 * WeChat waits 5 s for `success`. An authorization's code record is durable before its exchange
 * starts, so whatever is unfinished after this budget the poll or the timer completes.
 */
const PUSH_BUDGET_MS = 3000;
/** How long a duplicate waits for the push's live processor: with its own budget after, still inside WeChat's 5 s. */
const DUPLICATE_WAIT_MS = 1500;
/** How long one processor may hold a push before an identical push takes it over. */
const PUSH_CLAIM_TTL_MS = 10_000;
/** How long a processed push is remembered (and its record kept). */
export const PUSH_RETENTION_MS = 7 * 24 * 3600_000;

const SUCCESS: PushReply = { status: 200, body: 'success' };
const BUSY: PushReply = { status: 503, body: 'busy' };

export class PushHandler {
  private readonly claims: Claims;

  constructor(private readonly deps: PushDeps) {
    this.claims = deps.repositories.pushLog.claims(deps.holder, deps.now);
  }

  async handle(request: PushRequest): Promise<PushReply> {
    const opened = this.open(request);
    if ('reply' in opened) return opened.reply;
    const { payload } = opened;
    const infoType = text(payload.InfoType);
    const logId = pushIdFor(payload);
    const turn = await this.begin(logId, infoType);
    if (typeof turn !== 'string') return turn;
    try {
      const { outcome, detail, appid } = await this.dispatch(infoType, payload);
      await this.claims.settle(
        logId,
        turn,
        'done',
        { outcome, detail, authorizerAppid: appid, processedAt: this.deps.now() },
        PUSH_RETENTION_MS,
      );
      this.deps.log.info('push', { infoType, outcome, appid });
      return SUCCESS;
    } catch (error) {
      const detail = error instanceof Error ? error.name : 'error';
      await this.claims.progress(logId, turn, { outcome: 'failed', detail });
      await this.claims.release(logId, turn);
      this.deps.log.warn('push failed', { infoType, detail });
      // Not `success`: nothing it did is lost (writes are ordered and idempotent), and a retry, if WeChat sends one, redoes it.
      return { status: 500, body: 'retry' };
    }
  }

  /** Retention: processed pushes older than `ageMs` (the idempotency window). */
  async forgetBefore(ageMs: number): Promise<number> {
    // Entries left in progress by a processor that died go too: their work is finished elsewhere.
    return this.deps.repositories.pushLog.removeReceivedBefore(this.deps.now() - ageMs);
  }

  /** Verify, decrypt, check the appid; a forged or malformed push is rejected with nothing stored. */
  private open(request: PushRequest): { payload: Payload } | { reply: PushReply } {
    const opened = openSignedRequest(this.deps.keys, request);
    if (isRefusal(opened)) {
      // `reason`, not `code`: the logger drops fields named like WeChat codes.
      this.deps.log.warn('push rejected', { reason: opened.reason });
      return { reply: { status: opened.status, body: opened.body } };
    }
    // The envelope's AppId is unsigned, but WeChat always names us there: anything else was misrouted or forged.
    const { componentAppId } = this.deps.config;
    if (text(opened.payload.AppId) !== componentAppId || (opened.envelopeAppId ?? componentAppId) !== componentAppId) {
      return { reply: { status: 403, body: 'push for another platform' } };
    }
    return { payload: opened.payload };
  }

  /**
   * Idempotency by claim: a new push, or one whose processor died or gave up, is processed here;
   * one already processed is acknowledged; one being processed right now is waited for briefly.
   */
  /** The claim's token when this call should process the push; else the reply to give. */
  private async begin(id: string, infoType: string): Promise<ClaimToken | PushReply> {
    const { now } = this.deps;
    const fresh: Omit<PushLogDoc, '_id' | 'leaseOwner' | 'leaseUntil' | 'claimState'> = {
      infoType,
      receivedAt: now(),
      processedAt: null,
      outcome: 'processing',
      detail: null,
      authorizerAppid: null,
    };
    const token = await this.claims.acquire(id, PUSH_CLAIM_TTL_MS, fresh);
    if (token) return token;
    const seen = await waitWithBackoff(
      async () => {
        const doc = await this.deps.repositories.pushLog.get(id);
        if (!doc || doc.leaseUntil < now()) return 'retry' as const;
        return doc.claimState === 'in_progress' ? undefined : ('done' as const);
      },
      DUPLICATE_WAIT_MS,
      () => 'busy' as const,
    );
    if (seen === 'done') return SUCCESS;
    const takenOver = seen === 'retry' ? await this.claims.acquire(id, PUSH_CLAIM_TTL_MS, fresh) : null;
    return takenOver ?? BUSY;
  }

  private dispatch(infoType: string, p: Payload): Promise<Dispatched> {
    const appid = text(p.AuthorizerAppid) || null;
    const createdAt = Number(text(p.CreateTime)) * 1000;
    if (isReleaseTestAppid(appid)) return this.releaseTestEvent(appid, infoType);
    switch (infoType) {
      case 'component_verify_ticket':
        return this.ticket(p, createdAt);
      case 'authorized':
      case 'updateauthorized':
        return this.grant(infoType, p, appid, createdAt);
      case 'unauthorized':
        return this.revocation(appid, createdAt);
      default:
        return Promise.resolve({ outcome: 'ignored', detail: 'not handled here', appid });
    }
  }

  /** WeChat's release-test accounts never reach the merchants' collections (issue 11). */
  private async releaseTestEvent(appid: string, infoType: string): Promise<Dispatched> {
    await noteTestAccountEvent(this.deps.repositories.releaseTestAccounts, appid, infoType, this.deps.now());
    return { outcome: 'ok', detail: 'release-test account', appid };
  }

  private async ticket(p: Payload, createdAt: number): Promise<Dispatched> {
    const { repositories, config, now } = this.deps;
    const ticket = text(p.ComponentVerifyTicket);
    if (!ticket || !Number.isFinite(createdAt)) return { outcome: 'ignored', detail: 'malformed ticket push', appid: null };
    const kept = await saveTicket(repositories.platform, config.componentAppId, ticket, createdAt, now());
    return { outcome: 'ok', detail: kept ? 'ticket saved' : 'older ticket ignored', appid: null };
  }

  /** An authorization: one input of the state machine, with the facts WeChat signed. */
  private async grant(
    event: 'authorized' | 'updateauthorized',
    p: Payload,
    appid: string | null,
    createdAt: number,
  ): Promise<Dispatched> {
    const preAuthCode = text(p.PreAuthCode);
    const code = text(p.AuthorizationCode);
    if (!code || !appid || !(createdAt > 0)) return { outcome: 'ignored', detail: 'malformed authorization push', appid };
    const facts = {
      sessionId: preAuthCode ? sessionIdFor(preAuthCode) : null,
      authorizerAppid: appid,
      eventAt: createdAt,
      event,
    };
    const arrival = { source: 'push' as const, code, expiresAt: codeExpiry(p, createdAt), facts };
    const result = await this.deps.machine.arrive(arrival, PUSH_BUDGET_MS);
    if (result.state === 'failed') return { outcome: 'failed', detail: result.error.message, appid };
    return { outcome: 'ok', detail: result.state, appid };
  }

  private async revocation(appid: string | null, createdAt: number): Promise<Dispatched> {
    const { repositories, authorizerTokens, now } = this.deps;
    if (!appid || !(createdAt > 0)) return { outcome: 'ignored', detail: 'malformed unauthorized push', appid };
    // Ordered by CreateTime: a revocation older than the newest grant we know changes nothing; one
    // in the same second as that grant is settled by what WeChat holds now.
    const tie = await revocationTies(repositories.authorizers, appid, createdAt);
    const weChatSays = tie ? ((await this.deps.isAuthorizedNow(appid)) ? 'authorized' : 'revoked') : undefined;
    const applied = await recordRevocation(repositories.authorizers, appid, createdAt, now(), weChatSays);
    if (applied) await authorizerTokens.remove(appid);
    return { outcome: 'ok', detail: applied ? 'revoked' : 'older than the recorded state', appid };
  }
}

/** A field's text; a nested element (not a scalar) reads as absent. */
function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** AuthorizationCodeExpiredTime is an absolute time in real pushes; tolerate a relative one. */
function codeExpiry(p: Payload, createdAtMs: number): number {
  const value = Number(text(p.AuthorizationCodeExpiredTime));
  if (!Number.isFinite(value) || value <= 0) return createdAtMs + 3600_000;
  return value * 1000 > createdAtMs ? value * 1000 : createdAtMs + value * 1000;
}

/**
 * The key under which a push is recorded once. Built from the decrypted fields, not the
 * ciphertext, so a retry that WeChat re-encrypted is still recognised; hashed, so no code is stored.
 */
function pushIdFor(payload: Payload): string {
  const canonical = Object.keys(payload)
    .sort()
    .map((k) => `${k}=${JSON.stringify(payload[k])}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex');
}
