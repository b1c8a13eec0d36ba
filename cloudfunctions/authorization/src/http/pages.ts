import { KIND_LABEL } from '../../../../miniprogram/shared/constants';
import { AUTH_OUTCOME, UNCHANGED_TEXT } from '../../../../miniprogram/shared/status';
import type { App } from '../app';
import { handleCallback, type CallbackDeps, type CallbackView } from '../authorizations/callback';
import type { AuthorizerDoc } from '../model';
import { toPermissionSets } from '../permissions';
import { secureImageUrl } from '../authorizers/avatar';
import { callbackUrl, pcAuthorizeUrl } from '../sessions/links';
import type { HtmlReply } from './core';
import { escapeHtml, renderPage, scriptTag } from './html';

/** What the merchant pages read: the callback use case's needs, accounts and the links' configuration. */
export type PageDeps = CallbackDeps & Pick<App, 'config' | 'authorizers' | 'log'>;

function errorPage(status: number, title: string, message: string): HtmlReply {
  return { status, html: renderPage({ title, tone: 'error', bodyHtml: `<p>${escapeHtml(message)}</p>` }) };
}

/** Something failed on our side (WeChat slow, the database away): the merchant can simply retry. */
export const unavailablePage = () => errorPage(503, '服务暂时不可用', '处理授权时出了点问题，请稍后刷新本页面重试。');

const linkExpired = () => errorPage(410, '链接已失效', '这个授权链接已过期或已使用。请回到服务商小程序，重新生成授权链接。');

async function openSession(app: PageDeps, sid: string | undefined) {
  if (!sid || !/^[0-9a-f]{32}$/.test(sid)) return null;
  return app.sessions.get(sid);
}

/**
 * The PC entry page, served on the initiation domain. WeChat's PC page only opens when the
 * browser arrives from this domain (Referer), so we navigate there from here, never by a typed URL.
 */
export async function entryPage(app: PageDeps, sid: string | undefined): Promise<HtmlReply> {
  const session = await openSession(app, sid);
  // The entry page leads to WeChat's PC page only; H5 links go to WeChat directly, the plugin never here.
  if (!session || session.channel !== 'pc')
    return errorPage(404, '没有找到授权', '链接不完整或已失效，请回到服务商小程序重新生成。');
  if (session.status === 'authorized' && session.authorizerAppid) {
    return outcomePage({
      view: 'authorized',
      appid: session.authorizerAppid,
      authorizer: await app.authorizers.get(session.authorizerAppid),
    });
  }
  if (session.status !== 'pending' || app.now() > session.expiresAt) return linkExpired();
  const target = pcAuthorizeUrl(app.config, { ...session, redirectUri: callbackUrl(app.config, session._id) });
  const href = escapeHtml(target);
  const script = scriptTag(
    `window.addEventListener('load', function () { setTimeout(function () { location.href = ${JSON.stringify(target).replace(/</g, '\\u003c')}; }, 600); });`,
  );
  return {
    status: 200,
    referrer: 'origin',
    scriptHash: script.hash,
    html: renderPage({
      title: '前往微信授权',
      tone: 'waiting',
      headExtra: script.html,
      bodyHtml: `<p>即将打开微信授权页，请用公众号或小程序管理员的微信扫码确认。</p>
  <a id="go" class="button" href="${href}">前往微信授权</a>
  <p class="hint">没有自动跳转？请点击上方按钮。链接 ${new Date(session.expiresAt).toLocaleTimeString('zh-CN', { hour12: false })} 前有效。</p>`,
    }),
  };
}

/** Where WeChat returns the browser with `auth_code`: the use case decides, this page only shows it. */
export async function callbackPage(app: PageDeps, sid: string | undefined, authCode: string | undefined): Promise<HtmlReply> {
  return withWayBack(outcomePage(await handleCallback(app, sid, authCode)), app.config.miniprogramLink);
}

/** The merchant came from the mini-program: a button back to it, when the provider configured a link. */
function withWayBack(reply: HtmlReply, link: string): HtmlReply {
  if (!link || reply.status === 202) return reply; // the waiting page refreshes itself; the result page gets the button
  const button = `<a id="back-to-miniprogram" class="button button--plain" href="${escapeHtml(link)}">返回小程序</a>`;
  return { ...reply, html: reply.html.replace('</main>', `  ${button}\n</main>`) };
}

const WAITING_COPY = {
  processing: '微信已确认授权，正在保存账号信息，请稍候…',
  confirming: '微信已确认授权，正在等待微信的授权通知，通常几秒内完成，请稍候…',
};

function outcomePage(outcome: CallbackView): HtmlReply {
  switch (outcome.view) {
    case 'no_code':
      return errorPage(400, AUTH_OUTCOME.failed.title, '没有收到授权码：可能是在微信授权页取消了。请重新发起授权。');
    case 'bad_code':
      return errorPage(400, AUTH_OUTCOME.failed.title, '授权码格式不正确。请回到服务商小程序重新发起授权。');
    case 'no_session':
      return errorPage(404, '没有找到授权', '链接不完整或已失效，请回到服务商小程序重新生成。');
    case 'link_expired':
      return linkExpired();
    case 'rate_limited':
      return errorPage(429, '请求太频繁', '这个授权链接的尝试次数过多，请稍后再试，或回到服务商小程序重新生成链接。');
    case 'failed':
      return errorPage(200, AUTH_OUTCOME.failed.title, outcome.error.message);
    case 'processing':
      return waitingPage(WAITING_COPY.processing);
    case 'confirming':
      return waitingPage(WAITING_COPY.confirming, outcome.authorizer, outcome.appid);
    case 'authorized':
      return accountPage(
        AUTH_OUTCOME.authorized.title,
        outcome.authorizer,
        outcome.appid,
        '现在可以关闭此页面，回到服务商小程序查看。',
      );
    case 'unchanged':
      // The same neutral-positive state and words as the mini-program's (shared/status.ts).
      return accountPage(
        AUTH_OUTCOME.unchanged.title,
        outcome.authorizer,
        outcome.appid,
        `${UNCHANGED_TEXT}微信不会为此发送变更通知。`,
        'unchanged',
      );
    case 'unconfirmed':
      return accountPage(
        AUTH_OUTCOME.waiting.title,
        outcome.authorizer,
        outcome.appid,
        '微信已确认了这个账号的授权，但还没有发来与你这次授权对应的通知（重新授权且权限没有变化时，微信不会发送）。如果是首次授权，请稍后在服务商小程序「我的账号」中查看；若仍未出现，请重新发起授权。',
        'waiting',
      );
  }
}

function waitingPage(message: string, authorizer?: AuthorizerDoc | null, appid?: string): HtmlReply {
  return {
    status: 202,
    referrer: 'no-referrer',
    html: renderPage({
      title: '授权处理中',
      tone: 'waiting',
      headExtra: '<meta http-equiv="refresh" content="3">',
      bodyHtml: `${appid ? accountCard(authorizer ?? null, appid) : ''}<p>${escapeHtml(message)}</p>`,
    }),
  };
}

function accountPage(
  title: string,
  doc: AuthorizerDoc | null,
  appid: string,
  hint: string,
  tone: 'success' | 'unchanged' | 'waiting' = 'success',
): HtmlReply {
  const sets = toPermissionSets(doc?.grantedSets ?? []).map((s) => s.name);
  return {
    status: 200,
    referrer: 'no-referrer',
    html: renderPage({
      title,
      tone,
      bodyHtml: `${accountCard(doc, appid)}
  <p>已授权 ${sets.length} 个权限集</p>
  <ul class="sets">${sets.map((name) => `<li>${escapeHtml(name)}</li>`).join('')}</ul>
  <p class="hint">${escapeHtml(hint)}</p>`,
    }),
  };
}

function accountCard(doc: AuthorizerDoc | null, appid: string): string {
  const name = doc?.name || appid;
  return `<div class="account" id="account" data-appid="${escapeHtml(appid)}">
    ${avatar(doc?.avatarUrl ?? '', name)}
    <div><strong>${escapeHtml(name)}</strong><span>${escapeHtml(KIND_LABEL[doc?.kind ?? 'unknown'])} · ${escapeHtml(doc?.principalName ?? '')}</span></div>
  </div>`;
}

/** The avatar over the name's first character, which shows when there is no image or it fails to load. */
function avatar(raw: string, name: string): string {
  const initial = `<span class="initial">${escapeHtml(Array.from(name)[0] ?? '?')}</span>`;
  const url = secureImageUrl(raw);
  if (!url) return `<span class="avatar">${initial}</span>`;
  return `<span class="avatar">${initial}<img src="${escapeHtml(url)}" alt=""></span>`;
}
