import type { PlatformHealth } from '../../../../typings/api';
import { toSummary } from '../authorizers/views';
import type { PlatformDoc, UpstreamErrorNote } from '../model';
import type { Repositories } from '../repositories';
import type { BrokerCredential } from '../config';

/** WeChat pushes a ticket every 10 minutes; missing two in a row means something is wrong. */
const TICKET_STALE_MS = 25 * 60_000;
const TICKET_LIFETIME_MS = 12 * 3600_000;
/** The timer fires every 5 minutes: three missed runs mean it is not firing (or cannot finish). */
const TIMER_STALE_MS = 16 * 60_000;

/** What the provider's staff should do about the configuration errors they will meet (spec §8). */
const ADVICE: Readonly<Record<number, string>> = {
  61004: '调用方 IP 不在第三方平台的白名单中：把云函数的固定出口 IP 加入「白名单IP地址列表」',
  61005: 'component_verify_ticket 已过期：检查授权事件接收URL能否收到推送，可调用 api_start_push_ticket 重启推送',
  61006: 'component_verify_ticket 无效：检查消息校验Token 与 EncodingAESKey 是否与开放平台一致',
  40013: 'AppID 无效：检查 COMPONENT_APPID',
  40125: 'AppSecret 无效：检查 COMPONENT_APPSECRET（重置后需同步更新）',
  41004: '缺少 AppSecret：检查 COMPONENT_APPSECRET',
  61011: '第三方平台无效：检查 COMPONENT_APPID 是否为第三方平台的 AppID',
  40164: '调用方 IP 不在白名单中：把云函数的固定出口 IP 加入白名单',
};

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
    recentPushFailures: failures.map((f) => ({ at: f.receivedAt, infoType: f.infoType, outcome: f.detail ?? f.outcome })),
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
  const { at, errcode, meaning, requestIp } = error;
  return { at, errcode, meaning: ADVICE[errcode] ?? meaning, ...(requestIp ? { requestIp } : {}) };
}
