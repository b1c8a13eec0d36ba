import type { AuthorizerSummary, PlatformHealth, PushFailureView, ReconcileReport } from '../../../typings/api';
import { errcodeAdvice, errcodeNote, isPlainWords, isWhitelistError, pushLabel } from '../../shared/wechatErrors';
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

/** One red or orange block of the page, as the banner lists and counts it. */
export interface Problem {
  key: string;
  title: string;
}

export interface UpstreamErrorView {
  title: string;
  /** When it last happened, the errcode as a secondary detail. */
  meta: string;
  /** The caller IP WeChat saw (61004); '' when unknown. */
  requestIp: string;
  fix: string;
}

export interface PushFailureItem {
  key: string;
  title: string;
  reason: string;
  time: string;
}

export interface HealthView {
  ok: boolean;
  summary: string;
  /** Every red or orange block below, in page order: the banner's count is its length. */
  problems: Problem[];
  checkedAt: string;
  checks: HealthCheck[];
  attentionTitle: string;
  /** More need re-authorization than are shown (the latest 20). */
  attentionTruncated: boolean;
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
  '微信每 10 分钟推送一次验证票据。请确认第三方平台的「授权事件接收 URL」是本云函数的 HTTP 访问地址，' +
  '且收到推送后立即回复 success；然后点下面的按钮，请微信重新推送（api_start_push_ticket）。';

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
    hint: '令牌会在到期前自动刷新。没有刷新说明票据或网络有问题，请查看验证票据和下方的微信接口错误。',
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

function upstreamView(error: PlatformHealth['lastUpstreamError']): UpstreamErrorView | null {
  if (!error) return null;
  const advice = errcodeAdvice(error.errcode);
  const whitelist = isWhitelistError(error.errcode);
  const ipUnknown = whitelist && !error.requestIp ? '微信没有给出 IP：请在云开发控制台查看云函数的出口 IP。' : '';
  return {
    title: advice.title,
    meta: `最近一次 ${formatTime(error.at)}${errcodeNote(error.errcode)} · 下一次调用微信成功后，这条提示会自动消失`,
    requestIp: error.requestIp ?? '',
    fix: `${advice.fix}${ipUnknown}`,
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

/** A push that failed, in words: WeChat's code mapped, an error written for people kept, anything else explained. */
function pushFailureItem(failure: PushFailureView, index: number): PushFailureItem {
  let reason = '处理时出错：请在云函数日志中按时间查看详细信息。';
  if (failure.errcode !== undefined) {
    const advice = errcodeAdvice(failure.errcode);
    reason = `${advice.title}：${advice.fix}${errcodeNote(failure.errcode)}`;
  } else if (isPlainWords(failure.outcome)) {
    reason = failure.outcome;
  }
  return { key: `${failure.at}-${index}`, title: `${pushLabel(failure.infoType)}处理失败`, reason, time: formatTime(failure.at) };
}

const CHECK_PROBLEM: Readonly<Record<HealthCheck['key'], string>> = {
  ticket: '没有按时收到验证票据',
  token: '平台令牌不可用',
  timer: '定时任务没有按时运行',
  broker: '有调用方密钥没有配置权限范围',
};

/** The shown accounts are the latest 20 of those needing re-authorization. */
function attentionTitle(total: number, shown: number): string {
  return total > shown ? `需要重新授权（共 ${total} 个，显示最近 ${shown} 个）` : `需要重新授权（${total}）`;
}

export function healthView(health: PlatformHealth, now: number): HealthView {
  const checks = [
    ticketCheck(health.ticket),
    tokenCheck(health.componentToken, now),
    timerCheck(health.timer),
    brokerCheck(health.broker),
  ];
  const upstream = upstreamView(health.lastUpstreamError);
  const { needsReauth } = health.authorizers;
  const pushFailures = health.recentPushFailures.map(pushFailureItem);
  // One list: every block the page paints red or orange is here, so the banner's count is theirs.
  const problems: Problem[] = [
    ...checks.filter((check) => !check.ok).map((check) => ({ key: check.key, title: CHECK_PROBLEM[check.key] })),
    ...(upstream ? [{ key: 'upstream', title: upstream.title }] : []),
    ...(needsReauth > 0 ? [{ key: 'attention', title: `${needsReauth} 个账号需要重新授权` }] : []),
    ...(pushFailures.length > 0 ? [{ key: 'push', title: `最近有 ${pushFailures.length} 条微信推送处理失败` }] : []),
  ];
  const ok = problems.length === 0;
  return {
    ok,
    summary: ok ? '平台运行正常' : `有 ${problems.length} 项需要处理`,
    problems,
    checkedAt: `检查于 ${formatTime(now)}`,
    checks,
    attentionTitle: attentionTitle(needsReauth, health.needsAttention.length),
    attentionTruncated: needsReauth > health.needsAttention.length,
    needsAttention: needsReauth > 0 ? health.needsAttention : [],
    pushFailures,
    upstream,
  };
}

/** The outcome of "立即对账", kept on the page until the next one. */
export interface ReconcileResult {
  tone: 'ok' | 'progress' | 'bad';
  title: string;
  detail: string;
  time: string;
}

export function reconcileResult(outcome: { report: ReconcileReport } | { error: string }, now: number): ReconcileResult {
  const time = `${formatTime(now)} 发起`;
  if ('error' in outcome) return { tone: 'bad', title: '对账没有完成', detail: outcome.error, time };
  const { listed, restored, markedRevoked, inProgress } = outcome.report;
  const detail = `微信列出 ${listed} 个账号；恢复 ${restored} 个本地缺少的账号，把 ${markedRevoked} 个微信已不再列出的账号标为已取消。`;
  // A large platform's pass spans several runs; the timer carries it on.
  return inProgress
    ? { tone: 'progress', title: '对账进行中：定时任务会继续完成', detail: `到目前为止：${detail}`, time }
    : { tone: 'ok', title: '对账完成', detail, time };
}
