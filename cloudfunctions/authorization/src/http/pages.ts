import { KIND_LABEL } from '../../../../miniprogram/shared/constants';
import type { App } from '../app';
import type { Outcome } from '../authorizers/completion';
import type { AuthorizerDoc, SessionDoc } from '../model';
import { toPermissionSets } from '../permissions';
import { callbackUrl, pcAuthorizeUrl } from '../sessions/links';
import { COLLECTIONS } from '../store';
import { escapeHtml, renderPage } from './html';

export interface HtmlReply {
  status: number;
  html: string;
}

/** The callback can take a little longer than a push: a person is watching and can wait. */
const CALLBACK_WAIT_MS = 8000;

const AUTH_CODE_SHAPE = /^[A-Za-z0-9@_-]{1,512}$/;

function errorPage(status: number, title: string, message: string): HtmlReply {
  return { status, html: renderPage({ title, tone: 'error', bodyHtml: `<p>${escapeHtml(message)}</p>` }) };
}

const linkExpired = () => errorPage(410, '链接已失效', '这个授权链接已过期或已使用。请回到服务商小程序，重新生成授权链接。');

async function openSession(app: App, sid: string | undefined): Promise<SessionDoc | null> {
  if (!sid || !/^[0-9a-f]{32}$/.test(sid)) return null;
  return app.sessions.get(sid);
}

/**
 * The PC entry page, served on the initiation domain. WeChat's PC page only opens when the
 * browser arrives from this domain (Referer), so we navigate there from here, never by a typed URL.
 */
export async function entryPage(app: App, sid: string | undefined): Promise<HtmlReply> {
  const session = await openSession(app, sid);
  if (!session) return errorPage(404, '没有找到授权', '链接不完整或已失效，请回到服务商小程序重新生成。');
  if (session.status === 'authorized') return outcomePage(app, { state: 'done', authorizerAppid: session.authorizerAppid ?? '' });
  if (session.status !== 'pending' || app.now() > session.expiresAt) return linkExpired();
  const target = pcAuthorizeUrl(app.config, { ...session, redirectUri: callbackUrl(app.config, session._id) });
  const href = escapeHtml(target);
  return {
    status: 200,
    html: renderPage({
      title: '前往微信授权',
      tone: 'waiting',
      headExtra: `<script>window.addEventListener('load', function () { setTimeout(function () { location.href = ${JSON.stringify(target).replace(/</g, '\\u003c')}; }, 600); });</script>`,
      bodyHtml: `<p>即将打开微信授权页，请用公众号或小程序管理员的微信扫码确认。</p>
  <a id="go" class="button" href="${href}">前往微信授权</a>
  <p class="hint">没有自动跳转？请点击上方按钮。链接 ${new Date(session.expiresAt).toLocaleTimeString('zh-CN', { hour12: false })} 前有效。</p>`,
    }),
  };
}

/** Where WeChat returns the browser with `auth_code`: exchange it (exactly once) and show the result. */
export async function callbackPage(app: App, sid: string | undefined, authCode: string | undefined): Promise<HtmlReply> {
  if (!authCode) return errorPage(400, '授权未完成', '没有收到授权码：可能是在微信授权页取消了。请重新发起授权。');
  // WeChat's codes are short and use [A-Za-z0-9@_-] only: anything else is not worth a call to WeChat.
  if (!AUTH_CODE_SHAPE.test(authCode)) return errorPage(400, '授权未完成', '授权码格式不正确。请回到服务商小程序重新发起授权。');
  // Our redirect_uri always names the session; without one the link was not made by us.
  const session = await openSession(app, sid);
  if (!session) return errorPage(404, '没有找到授权', '链接不完整或已失效，请回到服务商小程序重新生成。');
  const outcome = await app.completer.complete(
    {
      code: authCode,
      sessionId: session._id,
      authorizerAppid: null,
      expiresAt: app.now() + 3600_000,
      event: 'authorized',
      trusted: false,
    },
    CALLBACK_WAIT_MS,
  );
  return outcomePage(app, outcome);
}

async function outcomePage(app: App, outcome: Outcome): Promise<HtmlReply> {
  if (outcome.state === 'failed') return errorPage(200, '授权未完成', outcome.error.message);
  if (outcome.state === 'processing') {
    return {
      status: 202,
      html: renderPage({
        title: '授权处理中',
        tone: 'waiting',
        headExtra: '<meta http-equiv="refresh" content="3">',
        bodyHtml: '<p>微信已确认授权，正在保存账号信息，请稍候…</p>',
      }),
    };
  }
  const doc = await app.store.get<AuthorizerDoc>(COLLECTIONS.authorizers, outcome.authorizerAppid);
  const name = doc?.name || outcome.authorizerAppid;
  const sets = toPermissionSets(doc?.grantedSets ?? []).map((s) => s.name);
  return {
    status: 200,
    html: renderPage({
      title: '授权成功',
      tone: 'success',
      bodyHtml: `<div class="account" id="account" data-appid="${escapeHtml(outcome.authorizerAppid)}">
    ${avatar(doc?.avatarUrl ?? '', name)}
    <div><strong>${escapeHtml(name)}</strong><span>${escapeHtml(KIND_LABEL[doc?.kind ?? 'unknown'])} · ${escapeHtml(doc?.principalName ?? '')}</span></div>
  </div>
  <p>已授权 ${sets.length} 个权限集</p>
  <ul class="sets">${sets.map((name) => `<li>${escapeHtml(name)}</li>`).join('')}</ul>
  <p class="hint">现在可以关闭此页面，回到服务商小程序查看。</p>`,
    }),
  };
}

/** The avatar, or the name's first character when there is none or it fails to load. */
function avatar(url: string, name: string): string {
  const initial = escapeHtml(Array.from(name)[0] ?? '?');
  if (!/^https?:\/\//.test(url)) return `<div class="initial">${initial}</div>`;
  return `<img src="${escapeHtml(url)}" alt="" onerror="this.style.display='none';this.nextElementSibling.style.display='block'"><div class="initial" style="display:none">${initial}</div>`;
}
