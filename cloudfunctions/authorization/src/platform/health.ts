import type { PlatformHealth, PushFailureView } from '../../../../typings/api';
import { toSummary } from '../authorizers/views';
import type { PlatformDoc, PushLogDoc, UpstreamErrorNote } from '../model';
import type { Repositories } from '../repositories';
import type { BrokerCredential } from '../config';
import { errcodeAdvice } from '../../../../miniprogram/shared/wechatErrors';

/** WeChat pushes a ticket every 10 minutes; missing two in a row means something is wrong. */
const TICKET_STALE_MS = 25 * 60_000;
const TICKET_LIFETIME_MS = 12 * 3600_000;
/** The timer fires every 5 minutes: three missed runs mean it is not firing (or cannot finish). */
const TIMER_STALE_MS = 16 * 60_000;

export async function platformHealth(deps: {
  repositories: Pick<Repositories, 'platform' | 'authorizers' | 'pushLog'>;
  componentAppId: string;
  requiredIds: number[];
  brokerCallers: { http: BrokerCredential[]; function: BrokerCredential[] };
  now: () => number;
}): Promise<PlatformHealth> {
  const { repositories, componentAppId, requiredIds, brokerCallers, now } = deps;
  const { authorizers } = repositories;
  const at = now();
  const platform = await repositories.platform.get(componentAppId);
  const [active, needsReauth, revoked] = await Promise.all(
    (['active', 'needs_reauth', 'revoked'] as const).map((status) => authorizers.countWithStatus(status)),
  );
  const attention = await authorizers.needingReauth(20);
  const failures = await repositories.pushLog.recentFailures(10);

  const ticket = ticketHealth(platform, at);
  const componentToken = tokenHealth(platform, at);
  return {
    ok: ticket.ok && componentToken.ok && needsReauth === 0 && failures.length === 0,
    ticket,
    componentToken,
    timer: timerHealth(platform, at),
    authorizers: { total: active + needsReauth + revoked, active, needsReauth, revoked },
    needsAttention: attention.map((doc) => toSummary(doc, requiredIds)),
    recentPushFailures: failures.map((f) => pushFailureView(f)),
    lastUpstreamError: upstreamErrorView(platform?.lastUpstreamError ?? null),
    broker: {
      httpKeys: brokerCallers.http.length,
      functionSecrets: brokerCallers.function.length,
      legacyScope: [...brokerCallers.http, ...brokerCallers.function].filter((c) => c.legacyScope && !c.revoked).map((c) => c.id),
    },
  };
}

function ticketHealth(platform: PlatformDoc | null, at: number): PlatformHealth['ticket'] {
  const receivedAt = platform?.ticketReceivedAt ?? null;
  if (!platform?.ticketCreatedAt) return { ok: false, receivedAt, ageSeconds: null };
  const ageMs = at - platform.ticketCreatedAt;
  return { ok: ageMs < TICKET_STALE_MS && ageMs < TICKET_LIFETIME_MS, receivedAt, ageSeconds: Math.round(ageMs / 1000) };
}

function timerHealth(platform: PlatformDoc | null, at: number): PlatformHealth['timer'] {
  const lastRunAt = platform?.lastTimerRunAt ?? null;
  return { ok: lastRunAt !== null && at - lastRunAt < TIMER_STALE_MS, lastRunAt };
}

function tokenHealth(platform: PlatformDoc | null, at: number): PlatformHealth['componentToken'] {
  const expiresAt = platform?.componentToken ? platform.componentTokenExpiresAt : null;
  return { ok: expiresAt !== null && expiresAt > at, expiresAt };
}

function upstreamErrorView(error: UpstreamErrorNote | null): PlatformHealth['lastUpstreamError'] {
  if (!error) return null;
  const { at, errcode, requestIp } = error;
  const advice = errcodeAdvice(errcode);
  return { at, errcode, meaning: `${advice.title}：${advice.fix}`, ...(requestIp ? { requestIp } : {}) };
}

/** An OpenApiError's message ("api_query_auth failed: errcode 61010 …") carries WeChat's code. */
const FAILED_ERRCODE = /\bfailed: (?:errcode )?(-?\d+)\b/;

/** The stored detail is an error's message or name; the page words it from the errcode when there is one. */
function pushFailureView(log: PushLogDoc): PushFailureView {
  const outcome = log.detail ?? log.outcome;
  const errcode = FAILED_ERRCODE.exec(outcome)?.[1];
  return { at: log.receivedAt, infoType: log.infoType, outcome, ...(errcode ? { errcode: Number(errcode) } : {}) };
}
