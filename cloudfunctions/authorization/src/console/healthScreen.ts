/**
 * 健康: the platform's health as cards, each in plain words with its fix, and one count of what
 * needs attention that is exactly the number of orange and red cards. Built from `platformHealth`
 * (the admin page's action) and the configuration; a problem's card turns green once it is fixed.
 */
import type { PlatformHealth } from '../../../../typings/api';
import type { App } from '../app';
import { escapeHtml } from '../http/html';
import { platformHealth } from '../platform/health';
import { releaseStatus } from '../release/status';
import { csrfField, formatTime } from './layout';
import type { ScreenContext } from './screen';

export type Tone = 'ok' | 'warn' | 'bad';

export interface HealthCard {
  id: string;
  title: string;
  tone: Tone;
  /** What is true now, in plain words (trusted HTML: values escaped). */
  text: string;
  /** What to do, when something is wrong. */
  fix?: string;
  /** A console action that helps (runs through the audit log). */
  action?: { name: string; label: string; confirm: string };
}

const TONE_WORD: Record<Tone, string> = { ok: '正常', warn: '需要留意', bad: '需要处理' };
/** WeChat answers a token request from an address outside the whitelist with these. */
const WHITELIST_ERRCODES = new Set([61004, 40164]);
/** The component token lives two hours: it was fetched this long before it expires. */
const COMPONENT_TOKEN_LIFETIME_MS = 2 * 3600_000;
const RECENT_FORWARD_MS = 3600_000;

const minutesAgo = (at: number, now: number): string => `${Math.max(0, Math.round((now - at) / 60_000))} 分钟前`;
const code = (value: string): string => `<code>${escapeHtml(value)}</code>`;

interface CardContext {
  now: number;
  publicBaseUrl: string;
  forwarding: ForwardingView;
}

/** The cards in order; one per concern, each ok, or orange/red with what to do. */
export function healthCards(health: PlatformHealth, context: CardContext): HealthCard[] {
  const whitelistError = currentWhitelistError(health);
  const cards = [
    ticketCard(health, context),
    tokenCard(health, whitelistError),
    timerCard(health, context.now),
    whitelistCard(whitelistError),
    forwardingCard(context.forwarding),
    brokerCard(health),
    authorizersCard(health),
  ];
  const pushes = pushesCard(health);
  return pushes ? [...cards, pushes] : cards;
}

type UpstreamError = NonNullable<PlatformHealth['lastUpstreamError']>;

/** A whitelist refusal is current until a token was fetched after it (that fetch passed the whitelist). */
function currentWhitelistError(health: PlatformHealth): UpstreamError | null {
  const error = health.lastUpstreamError;
  if (!error || !WHITELIST_ERRCODES.has(error.errcode)) return null;
  const expiresAt = health.componentToken.expiresAt;
  if (health.componentToken.ok && expiresAt !== null && error.at <= expiresAt - COMPONENT_TOKEN_LIFETIME_MS) return null;
  return error;
}

function ticketCard(health: PlatformHealth, { now, publicBaseUrl }: CardContext): HealthCard {
  const base = { id: 'ticket', title: '验证票据' };
  if (health.ticket.ok) {
    const at = health.ticket.receivedAt ?? now;
    return { ...base, tone: 'ok', text: `微信最近一次推送 component_verify_ticket（验证票据）在 ${minutesAgo(at, now)}。` };
  }
  return {
    ...base,
    tone: 'bad',
    text:
      health.ticket.ageSeconds === null
        ? '还没有收到微信推送的验证票据（component_verify_ticket），平台无法调用微信接口。'
        : `最近一次验证票据是 ${Math.round(health.ticket.ageSeconds / 60)} 分钟前的，微信每 10 分钟推送一次，推送已经中断。`,
    fix: `检查开放平台「授权事件接收URL」是否填的是 ${code(`${publicBaseUrl}/push`)}，然后点下面的按钮请微信重新推送。`,
    action: { name: 'startPushTicket', label: '请微信重新推送票据', confirm: '确定请微信重新推送验证票据吗？' },
  };
}

function tokenCard(health: PlatformHealth, whitelistError: UpstreamError | null): HealthCard {
  const base = { id: 'component-token', title: '平台令牌' };
  const { expiresAt } = health.componentToken;
  if (health.componentToken.ok && expiresAt !== null) {
    return { ...base, tone: 'ok', text: `component_access_token（平台令牌）有效，到 ${formatTime(expiresAt)} 前自动续期。` };
  }
  const error = health.lastUpstreamError;
  let fix = '下一次调用微信接口时会自动获取；若仍失败，查看「IP 白名单」卡片。';
  if (!health.ticket.ok) fix = '令牌要用验证票据换取：先处理「验证票据」。';
  else if (whitelistError) fix = '先处理「IP 白名单」。';
  else if (error) fix = `微信最近的拒绝原因：${escapeHtml(error.meaning)}（错误码 ${error.errcode}）。`;
  return { ...base, tone: 'bad', text: '平台令牌（component_access_token）不可用，代商户调用微信接口都会失败。', fix };
}

function timerCard(health: PlatformHealth, now: number): HealthCard {
  const base = { id: 'timer', title: '定时任务' };
  const { lastRunAt } = health.timer;
  if (health.timer.ok && lastRunAt !== null) {
    return { ...base, tone: 'ok', text: `定时触发器（每 5 分钟）上次运行完成在 ${minutesAgo(lastRunAt, now)}。` };
  }
  return {
    ...base,
    tone: 'bad',
    text:
      lastRunAt === null
        ? '定时触发器从未运行过：令牌不会提前续期，过期的会话也不会清理。'
        : `定时触发器已经 ${minutesAgo(lastRunAt, now)}没有运行（应每 5 分钟一次）。`,
    fix: '在云开发控制台确认云函数 authorization 的定时触发器已上传（config.json 的 triggers）并处于开启状态。',
  };
}

function whitelistCard(error: UpstreamError | null): HealthCard {
  const base = { id: 'ip-whitelist', title: 'IP 白名单' };
  if (!error) return { ...base, tone: 'ok', text: '没有因 IP 白名单被微信拒绝的调用（错误码 61004）。' };
  const ip = error.requestIp;
  return {
    ...base,
    tone: 'bad',
    text: `微信拒绝了来自${ip ? ` ${code(ip)} ` : '云函数出口 IP '}的调用（错误码 ${error.errcode}，${formatTime(error.at)}）：这个地址不在第三方平台的白名单里。`,
    fix: ip
      ? `在开放平台「第三方平台 → 开发资料 → 白名单IP地址列表」中加入 ${code(ip)}，保存后几分钟内生效。`
      : '在开放平台「白名单IP地址列表」中加入云函数的固定出口 IP（云开发控制台 → 云函数 → 固定出口 IP）。',
  };
}

function brokerCard(health: PlatformHealth): HealthCard {
  const base = { id: 'broker', title: '接口代理' };
  const { legacyScope, httpKeys, functionSecrets } = health.broker;
  if (httpKeys + functionSecrets === 0) {
    return {
      ...base,
      tone: 'ok',
      text: '没有配置调用方密钥（BROKER_CLIENT_KEYS、BROKER_FUNCTION_SECRETS 为空）：接口代理没有开放给其他服务。',
    };
  }
  if (legacyScope.length === 0) {
    return {
      ...base,
      tone: 'ok',
      text: `已配置 ${httpKeys} 个 HTTP 调用方密钥、${functionSecrets} 个云函数调用方密钥，都写了权限范围。`,
    };
  }
  return {
    ...base,
    tone: 'warn',
    text: `调用方 ${legacyScope.map(code).join('、')} 没有写权限范围（scope），只能列出账号。`,
    fix: '在 BROKER_CLIENT_KEYS 或 BROKER_FUNCTION_SECRETS 中为它们写上 scope（ops、apis、appids），重新部署云函数。',
  };
}

function authorizersCard(health: PlatformHealth): HealthCard {
  const base = { id: 'authorizers', title: '授权账号' };
  const { needsReauth, active } = health.authorizers;
  if (needsReauth === 0) return { ...base, tone: 'ok', text: `共 ${active} 个账号授权有效，没有需要重新授权的。` };
  return {
    ...base,
    tone: 'warn',
    text: `${needsReauth} 个账号的授权在微信那边失效了，平台已无法代它们调用接口。`,
    fix: '请这些商户在小程序里重新授权（「授权账号」里可以看到是哪些）。',
  };
}

function pushesCard(health: PlatformHealth): HealthCard | null {
  const [last] = health.recentPushFailures;
  if (!last) return null;
  return {
    id: 'pushes',
    title: '微信推送',
    tone: 'warn',
    text: `最近有 ${health.recentPushFailures.length} 条微信推送没有处理成功，最近一条在 ${formatTime(last.at)}（${escapeHtml(last.outcome)}）。`,
    fix: '检查 COMPONENT_TOKEN 与 ENCODING_AES_KEY 是否和开放平台「开发资料」一致；一致后新的推送会正常处理。',
  };
}

export interface ForwardingView {
  url: string | null;
  /** Failures on message types that had traffic in the last hour. */
  recentFailures: number;
}

function forwardingCard(f: ForwardingView): HealthCard {
  if (!f.url)
    return {
      id: 'forwarding',
      title: '消息转发',
      tone: 'ok',
      text: '未配置转发（MESSAGE_FORWARD_URL 为空）：商户的消息只在本平台处理。',
    };
  const host = escapeHtml(new URL(f.url).host);
  return f.recentFailures > 0
    ? {
        id: 'forwarding',
        title: '消息转发',
        tone: 'warn',
        text: `最近一小时有 ${f.recentFailures} 条消息没能转发到 ${code(host)}。`,
        fix: '检查你的消息服务是否在线、能否在 3 秒内应答（MESSAGE_FORWARD_TIMEOUT_MS）。',
      }
    : { id: 'forwarding', title: '消息转发', tone: 'ok', text: `商户的消息转发到 ${code(host)}，最近一小时没有失败。` };
}

function cardHtml(card: HealthCard, csrf: string, root: string): string {
  const action = card.action
    ? `<form method="post" action="${root}/do/${card.action.name}" data-confirm="${escapeHtml(card.action.confirm)}">${csrfField(csrf)}<button class="primary" type="submit">${escapeHtml(card.action.label)}</button></form>`
    : '';
  return `<section class="card ${card.tone}" id="card-${card.id}" data-tone="${card.tone}">
<h3>${escapeHtml(card.title)}<span class="state">${TONE_WORD[card.tone]}</span></h3>
<p>${card.text}</p>${card.fix ? `<p class="fix">怎么办：${card.fix}</p>` : ''}${action}
</section>`;
}

export async function renderHealth(ctx: ScreenContext): Promise<string> {
  const app: App = ctx.app;
  const now = app.now();
  const [health, release] = await Promise.all([
    platformHealth({
      repositories: app.repositories,
      componentAppId: app.config.componentAppId,
      requiredIds: app.config.requiredCategoryIds,
      brokerCallers: { http: app.config.brokerClientKeys, function: app.config.brokerFunctionSecrets },
      now: app.now,
    }),
    releaseStatus(app),
  ]);
  const recentFailures = release.messages
    .filter((m) => now - m.lastAt < RECENT_FORWARD_MS)
    .reduce((sum, m) => sum + m.forwardFailures, 0);
  const cards = healthCards(health, {
    now,
    publicBaseUrl: app.config.publicBaseUrl,
    forwarding: { url: app.config.messageForwardUrl, recentFailures },
  });
  const attention = cards.filter((c) => c.tone !== 'ok').length;
  const summary =
    attention === 0
      ? `<div class="summary" id="attention" data-count="0">一切正常：没有需要处理的问题。</div>`
      : `<div class="summary attention" id="attention" data-count="${attention}">有 ${attention} 项需要处理，见下面标成橙色或红色的卡片。</div>`;
  const actions = `<form method="post" action="${ctx.site.root}/do/reconcile" data-confirm="确定现在和微信核对一遍所有授权账号吗？">${csrfField(ctx.session.csrf)}<button type="submit" id="reconcile">立即和微信核对授权账号</button></form>`;
  return `${ctx.notice}${summary}<div class="cards">${cards.map((c) => cardHtml(c, ctx.session.csrf, ctx.site.root)).join('\n')}</div><p>${actions}</p><p class="hint">数据截至 ${formatTime(now)}，刷新页面即更新。</p>`;
}
