/**
 * The console's pages: the shell (side navigation, who is signed in, sign out), the sign-in page
 * and the plain message page. Server-rendered HTML; every value interpolated is escaped; no inline
 * script or style (the CSP forbids both): behaviour and looks come from the two hashed assets.
 */
import { escapeHtml } from '../http/html';
import { CONSOLE_SCRIPT, CONSOLE_STYLE } from './assets';
import type { ConsoleSite } from './http';

/** China time, as the staff read it: 2026-12-04 11:20:05. */
export function formatTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function document(site: ConsoleSite, title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=1280">
<title>${escapeHtml(title)} · 电脑版控制台</title>
<link rel="stylesheet" href="${site.root}/assets/${CONSOLE_STYLE.name}">
<script src="${site.root}/assets/${CONSOLE_SCRIPT.name}" defer></script>
</head>
<body>
${body}
</body>
</html>`;
}

export interface NavItem {
  path: string;
  title: string;
}

export interface ShellContent {
  site: ConsoleSite;
  nav: readonly NavItem[];
  active: string;
  title: string;
  openid: string;
  csrf: string;
  /** Trusted HTML: screens escape what they interpolate. */
  bodyHtml: string;
}

export function shellPage(c: ShellContent): string {
  const links = c.nav
    .map((item) => {
      const current = item.path === c.active ? ' aria-current="page"' : '';
      return `<a id="nav-${item.path}" href="${c.site.root}/${item.path}"${current}>${escapeHtml(item.title)}</a>`;
    })
    .join('\n');
  return document(
    c.site,
    c.title,
    `<div class="shell">
<aside class="side"><h1>授权平台控制台</h1><nav>${links}</nav></aside>
<div class="main">
<header class="top"><h2 id="screen-title">${escapeHtml(c.title)}</h2>
<div class="who"><span id="signed-in-as">管理员 ${escapeHtml(c.openid)}</span>
<form id="sign-out" method="post" action="${c.site.root}/logout">${csrfField(c.csrf)}<button type="submit">退出登录</button></form></div>
</header>
<main id="screen">${c.bodyHtml}</main>
</div>
</div>`,
  );
}

export const csrfField = (csrf: string): string => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;

export interface LoginContent {
  site: ConsoleSite;
  qrSvg: string;
  /** The local stack's stand-in for the phone, with this ticket (null in a deployment). */
  localScanUrl: string | null;
}

export function loginPage({ site, qrSvg, localScanUrl }: LoginContent): string {
  const local = localScanUrl
    ? `<p class="local">本地运行：没有手机也能登录。<a id="local-scan" href="${escapeHtml(localScanUrl)}" target="_blank" rel="noopener">用本地管理员身份扫码</a>（只在 npm start 的本地环境出现）</p>`
    : '';
  return document(
    site,
    '扫码登录',
    `<main class="login" id="signin" data-poll="${site.root}/login/poll">
<h1>扫码登录电脑版控制台</h1>
<p>请用服务商小程序「管理」页的「扫码登录电脑版控制台」扫描二维码，并在手机上确认。</p>
<div class="qr" id="qr">${qrSvg}</div>
<div class="status" id="status">
<p data-state="waiting">等待扫码…二维码 2 分钟内有效。</p>
<p data-state="scanned" hidden>已扫码，请在手机上核对浏览器和地址后确认登录。</p>
<p data-state="approved" class="ok" hidden>已确认，正在进入控制台…</p>
<p data-state="denied" class="bad" hidden>手机上拒绝了这次登录。<a href="${site.root}/login">重新获取二维码</a></p>
<p data-state="expired" class="bad" hidden>二维码已过期或已使用。<a id="refresh" href="${site.root}/login">重新获取二维码</a></p>
<p data-state="offline" class="bad" hidden>暂时连不上服务器，正在重试…</p>
</div>
${local}
</main>`,
  );
}

/** A page that says one thing and where to go next. */
export function messagePage(site: ConsoleSite, title: string, text: string, next?: { href: string; label: string }): string {
  const link = next ? `<p><a id="next" href="${escapeHtml(next.href)}">${escapeHtml(next.label)}</a></p>` : '';
  return document(
    site,
    title,
    `<main class="login" id="message"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${link}</main>`,
  );
}
