import type { AuthorizerSummary, PlatformHealth } from '../../../typings/api';
import { formatTime } from '../../utils/labels';

/** One line of the health card: green when ok, red with what to do otherwise. */
export interface HealthCheck {
  key: 'ticket' | 'token' | 'timer' | 'broker';
  title: string;
  ok: boolean;
  value: string;
  /** What to do about it; '' when ok. */
  hint: string;
}

export interface UpstreamErrorView {
  title: string;
  meaning: string;
  time: string;
  /** The caller IP WeChat saw (61004); '' when unknown. */
  requestIp: string;
  fix: string;
}

export interface PushFailureItem {
  key: string;
  infoType: string;
  outcome: string;
  time: string;
}

export interface HealthView {
  ok: boolean;
  summary: string;
  checks: HealthCheck[];
  counts: PlatformHealth['authorizers'];
  needsAttention: AuthorizerSummary[];
  pushFailures: PushFailureItem[];
  upstream: UpstreamErrorView | null;
}

/** "刚刚", "3 分钟前", "2 小时前", "4 天前". */
export function ageLabel(seconds: number): string {
  if (seconds < 60) return '刚刚';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} 分钟前`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} 小时前`;
  return `${Math.floor(seconds / 86_400)} 天前`;
}

/** "45 分钟", "1 小时 30 分钟". */
export function durationLabel(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const rest = minutes % 60;
  return rest ? `${Math.floor(minutes / 60)} 小时 ${rest} 分钟` : `${minutes / 60} 小时`;
}

const TICKET_HINT =
  '微信每 10 分钟推送一次 component_verify_ticket。请确认第三方平台的「授权事件接收 URL」是本云函数的 HTTP 访问地址，' +
  '且收到推送后立即回复 success；然后调用 api_start_push_ticket 让微信重新开始推送。';

function ticketCheck(ticket: PlatformHealth['ticket']): HealthCheck {
  const title = '验证票据（component_verify_ticket）';
  if (ticket.ageSeconds === null) return { key: 'ticket', title, ok: false, value: '还没有收到', hint: TICKET_HINT };
  const value = `${ageLabel(ticket.ageSeconds)}收到`;
  return ticket.ok
    ? { key: 'ticket', title, ok: true, value, hint: '' }
    : { key: 'ticket', title, ok: false, value: `${value}，已过时`, hint: TICKET_HINT };
}

function tokenCheck(token: PlatformHealth['componentToken'], now: number): HealthCheck {
  const title = '平台令牌（component_access_token）';
  if (token.expiresAt === null) {
    return { key: 'token', title, ok: false, value: '尚未获取', hint: '令牌要用验证票据换取：请先确保票据正常推送。' };
  }
  const until = formatTime(token.expiresAt);
  if (token.ok) {
    // The server judged it valid; a phone clock ahead of the server must not print "还剩 0 分钟".
    const left = token.expiresAt - now;
    const value = left >= 60_000 ? `有效，还剩 ${durationLabel(left)}（${until} 到期）` : `有效（${until} 到期）`;
    return { key: 'token', title, ok: true, value, hint: '' };
  }
  return {
    key: 'token',
    title,
    ok: false,
    value: `已于 ${until} 过期`,
    hint: '令牌会在到期前自动刷新。没有刷新说明票据或网络有问题，请查看验证票据和下方的上游错误。',
  };
}

const TIMER_HINT =
  '定时任务负责提前刷新令牌、补完未完成的授权和对账。请在云开发控制台确认本云函数的定时触发器已上传（config.json），' +
  '并且云函数超时时间为 20 秒。若触发器已在运行仍显示异常，可设置 TIMER_ACCEPTS_EMPTY_CONTEXT=true。';

function timerCheck(timer: PlatformHealth['timer']): HealthCheck {
  const title = '定时任务（每 5 分钟）';
  if (timer.lastRunAt === null) return { key: 'timer', title, ok: false, value: '还没有运行过', hint: TIMER_HINT };
  const value = `上次运行 ${formatTime(timer.lastRunAt)}`;
  return timer.ok
    ? { key: 'timer', title, ok: true, value, hint: '' }
    : { key: 'timer', title, ok: false, value: `${value}，已停止`, hint: TIMER_HINT };
}

const WHITELIST_FIX =
  '把该 IP 加入第三方平台的白名单（微信开放平台中第三方平台的「白名单 IP 地址列表」）。云函数需要固定的出口 IP，否则每次出口变化都会再次报错。';

function upstreamView(error: PlatformHealth['lastUpstreamError']): UpstreamErrorView | null {
  if (!error) return null;
  const isWhitelist = error.errcode === 61004 || Boolean(error.requestIp);
  return {
    title: isWhitelist ? `调用方 IP 不在白名单中（${error.errcode}）` : `上游错误 ${error.errcode}`,
    meaning: error.meaning,
    time: formatTime(error.at),
    requestIp: error.requestIp ?? '',
    fix: isWhitelist ? WHITELIST_FIX : '请按错误说明检查第三方平台的配置。',
  };
}

const BROKER_HINT =
  '没有配置权限范围（scope）的密钥只能列出授权账号。请在 BROKER_CLIENT_KEYS 或 BROKER_FUNCTION_SECRETS 中为它们写上 scope：' +
  '可用的操作、接口路径前缀和账号；BROKER_SECRET 请改为 BROKER_FUNCTION_SECRETS 中带 scope 的一项。';

function brokerCheck(broker: PlatformHealth['broker']): HealthCheck {
  const title = '调用方密钥（代调用接口）';
  if (broker.httpKeys + broker.functionSecrets === 0) return { key: 'broker', title, ok: true, value: '未启用', hint: '' };
  if (broker.legacyScope.length > 0) {
    return { key: 'broker', title, ok: false, value: `${broker.legacyScope.join('、')} 没有配置权限范围`, hint: BROKER_HINT };
  }
  const value = `${broker.httpKeys} 个 HTTP 密钥，${broker.functionSecrets} 个云函数密钥，均已配置权限范围`;
  return { key: 'broker', title, ok: true, value, hint: '' };
}

export function healthView(health: PlatformHealth, now: number): HealthView {
  const checks = [
    ticketCheck(health.ticket),
    tokenCheck(health.componentToken, now),
    timerCheck(health.timer),
    brokerCheck(health.broker),
  ];
  // The last upstream error is shown but not counted: it stays recorded after the fix.
  const problems =
    checks.filter((check) => !check.ok).length +
    (health.authorizers.needsReauth > 0 ? 1 : 0) +
    (health.recentPushFailures.length > 0 ? 1 : 0);
  const ok = health.ok && problems === 0;
  return {
    ok,
    summary: ok ? '平台运行正常' : problems > 0 ? `有 ${problems} 项需要处理` : '平台状态异常',
    checks,
    counts: health.authorizers,
    needsAttention: health.needsAttention,
    pushFailures: health.recentPushFailures.map((failure, index) => ({
      key: `${failure.at}-${index}`,
      infoType: failure.infoType,
      outcome: failure.outcome,
      time: formatTime(failure.at),
    })),
    upstream: upstreamView(health.lastUpstreamError),
  };
}
