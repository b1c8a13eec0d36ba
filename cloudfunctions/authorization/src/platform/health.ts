import type { PlatformHealth } from '../../../../typings/api';
import { toSummary } from '../authorizers/views';
import type { AuthorizerDoc, PushLogDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';
import { readPlatform } from './platformState';

/** WeChat pushes a ticket every 10 minutes; missing two in a row means something is wrong. */
const TICKET_STALE_MS = 25 * 60_000;
const TICKET_LIFETIME_MS = 12 * 3600_000;

export async function platformHealth(deps: {
  store: Store;
  componentAppId: string;
  requiredIds: number[];
  now: () => number;
}): Promise<PlatformHealth> {
  const { store, componentAppId, requiredIds, now } = deps;
  const at = now();
  const platform = await readPlatform(store, componentAppId);
  const count = (status: string) => store.count(COLLECTIONS.authorizers, { status });
  const [active, needsReauth, revoked] = await Promise.all([count('active'), count('needs_reauth'), count('revoked')]);
  const attention = await store.find<AuthorizerDoc>(
    COLLECTIONS.authorizers,
    { status: 'needs_reauth' },
    { orderBy: ['updatedAt', 'desc'], limit: 20 },
  );
  const failures = await store.find<PushLogDoc>(
    COLLECTIONS.pushLog,
    { outcome: 'failed' },
    { orderBy: ['receivedAt', 'desc'], limit: 10 },
  );

  const receivedAt = platform?.ticketReceivedAt ?? null;
  const ticketAgeMs = platform?.ticketCreatedAt ? at - platform.ticketCreatedAt : null;
  const ticketOk = ticketAgeMs !== null && ticketAgeMs < TICKET_STALE_MS && ticketAgeMs < TICKET_LIFETIME_MS;
  const tokenExpiresAt = platform?.componentToken ? platform.componentTokenExpiresAt : null;
  const tokenOk = tokenExpiresAt !== null && tokenExpiresAt > at;
  const lastError = platform?.lastUpstreamError ?? null;

  return {
    ok: ticketOk && tokenOk && needsReauth === 0 && failures.length === 0,
    ticket: { ok: ticketOk, receivedAt, ageSeconds: ticketAgeMs === null ? null : Math.round(ticketAgeMs / 1000) },
    componentToken: { ok: tokenOk, expiresAt: tokenExpiresAt },
    authorizers: { total: active + needsReauth + revoked, active, needsReauth, revoked },
    needsAttention: attention.map((doc) => toSummary(doc, requiredIds)),
    recentPushFailures: failures.map((f) => ({ at: f.receivedAt, infoType: f.infoType, outcome: f.detail ?? f.outcome })),
    lastUpstreamError: lastError
      ? {
          at: lastError.at,
          errcode: lastError.errcode,
          meaning: lastError.meaning,
          ...(lastError.requestIp ? { requestIp: lastError.requestIp } : {}),
        }
      : null,
  };
}
