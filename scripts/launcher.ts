/**
 * `npm start`'s launcher page: a person picks how to authorize (PC: the QR page in a desktop
 * browser; H5: the page WeChat opens on a phone) and which kind of account, then is sent to a
 * fresh link created for the local test merchant, exactly as the mini-program's link page does.
 * Every answer is a page in Chinese, including the per-merchant session limit.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthChannel, AuthType } from '../typings/api';

export interface LauncherOptions {
  /** 0: any free port (tests). */
  port: number;
  host?: string;
  /** The merchant the launcher acts for. */
  merchant: string;
  /** callFunction of the function as that merchant (the stack's `call`). */
  call(openid: string, action: string, payload?: unknown): Promise<unknown>;
  log?: (line: string) => void;
  /** The console's sign-in page: offered on the first page, with this launcher standing in for the admin's phone. */
  consoleUrl?: string;
}

export interface Launcher {
  url: string;
  close(): Promise<void>;
}

type LinkChannel = Extract<AuthChannel, 'pc' | 'h5'>;

const CHANNELS: readonly { value: LinkChannel; label: string; hint: string }[] = [
  { value: 'pc', label: '电脑（PC）', hint: '在电脑浏览器中打开微信授权页，管理员用微信扫码确认' },
  { value: 'h5', label: '手机（H5）', hint: '在手机微信中打开授权页并确认；本地模拟器里可直接在浏览器打开' },
];

/** auth_type as WeChat defines it (spec §6.4): which kinds of account the authorization page lists. */
const AUTH_TYPES: readonly { value: AuthType; label: string; hint: string }[] = [
  { value: 6, label: '全部类型', hint: '公众号、小程序和视频号都列出' },
  { value: 1, label: '公众号', hint: '只列出公众号' },
  { value: 2, label: '小程序', hint: '只列出小程序' },
  { value: 3, label: '公众号或小程序', hint: '列出公众号和小程序，不含视频号' },
  { value: 5, label: '视频号', hint: '只列出视频号（需先在视频号助手开通开放能力）' },
  { value: 4, label: '小程序推客账号', hint: '只列出小程序推客账号' },
  { value: 8, label: '带货助手', hint: '只列出带货助手账号' },
];

const DEFAULT_CHANNEL: LinkChannel = 'pc';
const DEFAULT_AUTH_TYPE: AuthType = 6;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;background:#f2f3f5;font:15px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329}
main{max-width:560px;margin:32px auto;background:#fff;border-radius:12px;padding:24px 28px;box-shadow:0 1px 4px rgba(0,0,0,.06)}
h1{font-size:20px;margin:0 0 8px}fieldset{border:none;margin:16px 0 0;padding:0}legend{font-weight:600;margin-bottom:6px}
label.choice{display:flex;gap:10px;align-items:flex-start;min-height:44px;padding:8px 0;cursor:pointer}label.choice input{margin-top:5px}
.hint,.muted{color:#8a8f99;font-size:13px}.button,button{display:inline-block;width:100%;font-family:inherit;min-height:48px;margin-top:20px;padding:12px;border:none;border-radius:8px;background:#07c160;color:#fff;font-size:16px;text-align:center;text-decoration:none;cursor:pointer}
.error h1{color:#fa5151}@media (max-width:600px){main{margin:0;border-radius:0;padding:20px}}`;

function page(title: string, body: string, extraClass = ''): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main${extraClass ? ` class="${extraClass}"` : ''}>${body}</main></body></html>`;
}

function choices<T extends string | number>(
  name: string,
  options: readonly { value: T; label: string; hint: string }[],
  chosen: T,
): string {
  return options
    .map(
      ({ value, label, hint }) =>
        `<label class="choice"><input type="radio" name="${name}" value="${value}" id="${name}-${value}"${value === chosen ? ' checked' : ''}>` +
        `<span>${escapeHtml(label)}<br><span class="hint">${escapeHtml(hint)}</span></span></label>`,
    )
    .join('\n');
}

/** The path the function's console sign-in page links to on the local stack (CONSOLE_LOCAL_SCANNER_URL). */
export const CONSOLE_SCAN_PATH = '/console-scan';

export function choicePage(merchant: string, consoleUrl?: string): string {
  return page(
    '授权一个测试账号',
    `<h1>授权一个测试账号</h1>
<p class="muted">本地模拟：以测试商户（${escapeHtml(merchant)}）的身份发起授权，在模拟的微信授权页选择账号并确认。</p>
<form id="launch" method="get" action="/start">
<fieldset id="channels"><legend>在哪里授权</legend>
${choices('channel', CHANNELS, DEFAULT_CHANNEL)}
</fieldset>
<fieldset id="auth-types"><legend>授权哪类账号</legend>
${choices('auth_type', AUTH_TYPES, DEFAULT_AUTH_TYPE)}
</fieldset>
<button id="start" type="submit">开始授权</button>
</form>${
      consoleUrl
        ? `<p class="muted" id="console">服务商的电脑版控制台：<a id="console-link" href="${escapeHtml(consoleUrl)}">打开并扫码登录</a>。本地没有手机时，登录页上有「用本地管理员身份扫码」，由本页代替手机确认（${escapeHtml(merchant)} 在本地是管理员）。</p>`
        : ''
    }`,
  );
}

function problemPage(id: string, title: string, message: string): string {
  return page(
    title,
    `<section id="${id}"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>
<a id="back" class="button" href="/">返回重新选择</a></section>`,
    'error',
  );
}

/** The launcher's query, checked: anything else is answered with a page that says what is wrong. */
function readChoice(query: URLSearchParams): { channel: LinkChannel; authType: AuthType } | string {
  const channel = CHANNELS.find((c) => c.value === (query.get('channel') ?? DEFAULT_CHANNEL))?.value;
  if (!channel) return '授权方式只能是「电脑（PC）」或「手机（H5）」。';
  const rawType = query.get('auth_type') ?? String(DEFAULT_AUTH_TYPE);
  const authType = AUTH_TYPES.find((t) => String(t.value) === rawType)?.value;
  if (authType === undefined) return '账号类型无效：只支持 1、2、3、4、5、6、8。';
  return { channel, authType };
}

interface SessionAnswer {
  ok: boolean;
  data?: { pcEntryUrl?: string; h5Url?: string };
  error?: { code?: string; message?: string };
}

type Reply = { status: number; html: string } | { status: 302; location: string };

async function start(options: LauncherOptions, query: URLSearchParams): Promise<Reply> {
  const choice = readChoice(query);
  if (typeof choice === 'string') return { status: 400, html: problemPage('bad-choice', '选择有误', choice) };
  const answer = (await options.call(options.merchant, 'createAuthSession', {
    authType: choice.authType,
    channel: choice.channel,
  })) as SessionAnswer;
  if (!answer.ok) {
    if (answer.error?.code === 'RATE_LIMITED') {
      // The product's own limit (SESSIONS_PER_MINUTE per merchant): every visit here is a session.
      return {
        status: 429,
        html: problemPage(
          'rate-limited',
          '发起授权太频繁',
          '同一个商户一分钟内能发起的授权次数有限（配置项 SESSIONS_PER_MINUTE，默认 5 次；每次都会向微信申请一个预授权码）。请等一分钟后再试。',
        ),
      };
    }
    return {
      status: 502,
      html: problemPage('failed', '无法发起授权', answer.error?.message ?? '云函数没有返回授权链接，请查看 npm start 的输出。'),
    };
  }
  const location = choice.channel === 'pc' ? answer.data?.pcEntryUrl : answer.data?.h5Url;
  if (!location) return { status: 502, html: problemPage('failed', '无法发起授权', '云函数没有返回授权链接。') };
  return { status: 302, location };
}

interface ScanAnswer {
  ok: boolean;
  data?: { browser?: string; ip?: string; requestedAt?: number; approved?: boolean };
  error?: { message?: string };
}

/**
 * The local stand-in for the admin's phone: what the mini-program's console-signin page does after
 * wx.scanCode (preview, then confirm), as the local admin through the emulator's callFunction. A
 * deployment has no such way in: only WeChat's client calls a function with an admin's OPENID.
 */
async function consoleScan(options: LauncherOptions, req: http.IncomingMessage, query: URLSearchParams): Promise<Reply> {
  const ticket = query.get('t') ?? '';
  if (req.method === 'POST') {
    // Only this page's own form (a page elsewhere cannot make the local admin approve its ticket).
    if (req.headers.origin !== `http://${req.headers.host}`) {
      return { status: 403, html: problemPage('not-allowed', '请求无效', '请在本页面上点确认。') };
    }
    const approve = query.get('approve') === '1';
    const answer = (await options.call(options.merchant, 'consoleSignInConfirm', { ticket, approve })) as ScanAnswer;
    if (!answer.ok) return { status: 409, html: problemPage('scan-failed', '没有完成', answer.error?.message ?? '请重新扫码。') };
    const done = approve ? '已允许登录：回到控制台的登录页，它会自动进入。' : '已拒绝这次登录。';
    return { status: 200, html: page('已处理', `<section id="scan-done"><h1>已处理</h1><p>${escapeHtml(done)}</p></section>`) };
  }
  const answer = (await options.call(options.merchant, 'consoleSignInPreview', { ticket })) as ScanAnswer;
  if (!answer.ok || !answer.data) {
    return { status: 409, html: problemPage('scan-failed', '无法登录', answer.error?.message ?? '请重新扫码。') };
  }
  const { browser = '', ip = '', requestedAt = 0 } = answer.data;
  const action = (approve: 0 | 1) => `${CONSOLE_SCAN_PATH}?t=${encodeURIComponent(ticket)}&approve=${approve}`;
  const when = new Date(requestedAt + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    status: 200,
    html: page(
      '确认登录电脑版控制台',
      `<section id="scan-preview"><h1>确认登录电脑版控制台</h1>
<p>以本地管理员（${escapeHtml(options.merchant)}）的身份，允许下面这个浏览器登录：</p>
<p id="scan-browser">浏览器：${escapeHtml(browser)}<br>地址：${escapeHtml(ip)}<br>时间：${when}（北京时间）</p>
<p class="muted">不是你自己刚打开的登录页，就点拒绝。</p>
<form method="post" action="${action(1)}"><button id="approve" type="submit">允许登录</button></form>
<form method="post" action="${action(0)}"><button id="deny" type="submit" class="plain">拒绝</button></form></section>`,
    ),
  };
}

async function route(options: LauncherOptions, req: http.IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://launcher');
  if (url.pathname === CONSOLE_SCAN_PATH) return consoleScan(options, req, url.searchParams);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, html: problemPage('not-allowed', '不支持的请求', '请在浏览器中打开本页面。') };
  }
  if (url.pathname === '/') return { status: 200, html: choicePage(options.merchant, options.consoleUrl) };
  if (url.pathname === '/start') return start(options, url.searchParams);
  return { status: 404, html: problemPage('not-found', '页面不存在', '请从启动页开始。') };
}

export async function startLauncher(options: LauncherOptions): Promise<Launcher> {
  const server = http.createServer((req, res) => {
    void route(options, req)
      .catch((error: unknown) => {
        options.log?.(`launcher: ${error instanceof Error ? error.message : String(error)}`);
        return {
          status: 500,
          html: problemPage('failed', '无法发起授权', '本地云函数出错了，请查看 npm start 的输出后重试。'),
        };
      })
      .then((reply) => {
        if ('location' in reply) return void res.writeHead(302, { location: reply.location, 'cache-control': 'no-store' }).end();
        res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(reply.html);
      });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
