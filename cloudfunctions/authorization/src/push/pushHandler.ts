import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { MessageCryptoError, openPush, type CryptoKeys } from '../crypto';
import type { AuthorizationCompleter } from '../authorizers/completion';
import { recordRevocation } from '../authorizers/records';
import type { AuthorizerTokens } from '../authorizers/tokens';
import type { PushLogDoc } from '../model';
import { saveTicket } from '../platform/platformState';
import { noteTestAccountEvent } from '../release/testAccountStore';
import { isReleaseTestAppid } from '../release/testAccounts';
import { sessionIdFor } from '../sessions/sessions';
import { COLLECTIONS, type Store } from '../store';
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
  store: Store;
  completer: AuthorizationCompleter;
  authorizerTokens: AuthorizerTokens;
  log: Logger;
  now: () => number;
}

type Payload = Record<string, unknown>;

/** WeChat waits 5 s for `success`; whatever is unfinished by then the poll or the timer completes. */
const PUSH_WAIT_MS = 2500;

const SUCCESS: PushReply = { status: 200, body: 'success' };

export class PushHandler {
  constructor(private readonly deps: PushDeps) {}

  async handle(request: PushRequest): Promise<PushReply> {
    const opened = this.open(request);
    if ('reply' in opened) return opened.reply;
    const { payload } = opened;
    const infoType = text(payload.InfoType);
    const logId = pushIdFor(payload);
    if (!(await this.begin(logId, infoType))) return SUCCESS;
    try {
      const { outcome, detail, appid } = await this.dispatch(infoType, payload);
      await this.finish(logId, outcome, detail, appid);
      this.deps.log.info('push', { infoType, outcome, appid });
      return SUCCESS;
    } catch (error) {
      const detail = error instanceof Error ? error.name : 'error';
      await this.finish(logId, 'failed', detail, text(payload.AuthorizerAppid) || null);
      this.deps.log.warn('push failed', { infoType, detail });
      // Not `success`: WeChat retries, and the retry finds the failed record and tries again.
      return { status: 500, body: 'retry' };
    }
  }

  /** Verify, decrypt, check the appid; a forged or malformed push is rejected with nothing stored. */
  private open(request: PushRequest): { payload: Payload } | { reply: PushReply } {
    const { query, body } = request;
    const { timestamp, nonce, msg_signature: msgSignature } = query;
    if (!timestamp || !nonce || !msgSignature) return { reply: { status: 400, body: 'missing signature parameters' } };
    try {
      const opened = openPush(this.deps.keys, { timestamp, nonce, msgSignature, body });
      // The envelope's AppId is unsigned, but WeChat always names us there: anything else was misrouted or forged.
      const envelopeAppId = opened.envelopeAppId ?? this.deps.config.componentAppId;
      if (text(opened.payload.AppId) !== this.deps.config.componentAppId || envelopeAppId !== this.deps.config.componentAppId) {
        return { reply: { status: 403, body: 'push for another platform' } };
      }
      return { payload: opened.payload as Payload };
    } catch (error) {
      if (error instanceof MessageCryptoError) {
        // `reason`, not `code`: the logger drops fields named like WeChat codes.
        this.deps.log.warn('push rejected', { reason: error.code });
        const status = error.code === 'BAD_SIGNATURE' || error.code === 'APPID_MISMATCH' ? 403 : 400;
        return { reply: { status, body: `rejected: ${error.code}` } };
      }
      throw error;
    }
  }

  /** Idempotency: true when this call should process the push (new, or an earlier try failed). */
  private async begin(id: string, infoType: string): Promise<boolean> {
    const { store, now } = this.deps;
    const fresh: PushLogDoc = {
      _id: id,
      infoType,
      receivedAt: now(),
      processedAt: null,
      outcome: 'processing',
      detail: null,
      authorizerAppid: null,
    };
    if (await store.create(COLLECTIONS.pushLog, { ...fresh })) return true;
    const retried = await store.updateWhere(COLLECTIONS.pushLog, { _id: id, outcome: 'failed' }, { outcome: 'processing' });
    return retried === 1;
  }

  private async finish(id: string, outcome: PushLogDoc['outcome'], detail: string | null, appid: string | null) {
    await this.deps.store.update(COLLECTIONS.pushLog, id, {
      outcome,
      detail,
      authorizerAppid: appid,
      processedAt: this.deps.now(),
    });
  }

  private async dispatch(
    infoType: string,
    p: Payload,
  ): Promise<{ outcome: PushLogDoc['outcome']; detail: string | null; appid: string | null }> {
    const { store, config, completer, authorizerTokens, now } = this.deps;
    const appid = text(p.AuthorizerAppid) || null;
    const createdAt = Number(text(p.CreateTime)) * 1000;
    // WeChat's release-test accounts never reach the merchants' collections (issue 11).
    if (isReleaseTestAppid(appid)) {
      await noteTestAccountEvent(store, appid, infoType, now());
      return { outcome: 'ok', detail: 'release-test account', appid };
    }
    switch (infoType) {
      case 'component_verify_ticket': {
        const ticket = text(p.ComponentVerifyTicket);
        if (!ticket || !Number.isFinite(createdAt)) return { outcome: 'ignored', detail: 'malformed ticket push', appid: null };
        const kept = await saveTicket(store, config.componentAppId, ticket, createdAt, now());
        return { outcome: 'ok', detail: kept ? 'ticket saved' : 'older ticket ignored', appid: null };
      }
      case 'authorized':
      case 'updateauthorized': {
        const preAuthCode = text(p.PreAuthCode);
        const code = text(p.AuthorizationCode);
        if (!code || !appid) return { outcome: 'ignored', detail: 'malformed authorization push', appid };
        const result = await completer.complete(
          {
            code,
            sessionId: preAuthCode ? sessionIdFor(preAuthCode) : null,
            authorizerAppid: appid,
            expiresAt: codeExpiry(p, createdAt),
            event: infoType,
            trusted: true,
          },
          PUSH_WAIT_MS,
        );
        if (result.state === 'failed') return { outcome: 'failed', detail: result.error.message, appid };
        return { outcome: 'ok', detail: result.state, appid };
      }
      case 'unauthorized': {
        if (!appid) return { outcome: 'ignored', detail: 'no AuthorizerAppid', appid };
        await recordRevocation(store, appid, now());
        await authorizerTokens.remove(appid);
        return { outcome: 'ok', detail: 'revoked', appid };
      }
      default:
        return { outcome: 'ignored', detail: 'not handled here', appid };
    }
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
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
