/**
 * HTML of the merchant-facing pages: the authorization page (PC / H5) and WeChat-style error
 * pages. Stable ids and data attributes let a headless browser drive them:
 * `form#authorize-form`, radios `name=authorizer_appid` (`#account-<appid>`), checkboxes
 * `name=func_id` inside `fieldset.func-sets[data-appid]`, button `#confirm`, error
 * `#error[data-error-code]`, empty list `#no-accounts`.
 */
import type { EligibleAccount } from '../state/eligibility';
import { accountTypeLabel, PERMISSION_SETS } from '../state/fixtures';

export const CONFIRM_PATH = '/__emulator/pages/confirm';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;background:#f2f3f5;font:15px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329}
main{max-width:640px;margin:32px auto;background:#fff;border-radius:12px;padding:28px 32px;box-shadow:0 1px 4px rgba(0,0,0,.06)}
h1{font-size:20px;margin:0 0 8px}.platform{color:#07c160;font-weight:600}.muted{color:#8a8f99;font-size:13px}
.notice{background:#f0faf4;border:1px solid #c8ecd6;border-radius:8px;padding:10px 14px;font-size:13px;color:#3c6e50}
ul.accounts{list-style:none;padding:0;margin:16px 0}li.account{border:1px solid #e5e6eb;border-radius:10px;padding:12px 14px;margin-bottom:10px}
li.account label.pick{display:flex;align-items:center;gap:12px;cursor:pointer}
.avatar{width:40px;height:40px;border-radius:50%;background:#07c160;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600;flex:none}
.name{font-weight:600}.tag{display:inline-block;font-size:12px;border-radius:4px;padding:0 6px;margin-left:6px;background:#eef0f3;color:#555}
.tag.ok{background:#e8f8ee;color:#07a04f}fieldset.func-sets{border:none;margin:10px 0 0 52px;padding:0}fieldset.func-sets[disabled]{opacity:.45}
fieldset.func-sets label{display:inline-flex;align-items:center;min-height:44px;margin:0 14px 0 0;font-size:14px}em.exclusive{font-style:normal;color:#fa9d3b;font-size:12px;margin-left:2px}
button#confirm,a.button{display:block;text-align:center;text-decoration:none;box-sizing:border-box;width:100%;min-height:48px;font-family:inherit;padding:12px;border:none;border-radius:8px;background:#07c160;color:#fff;font-size:16px;cursor:pointer}
#error h1{color:#fa5151}#error .message{word-break:break-all}
@media (max-width:600px){main{margin:0;border-radius:0;padding:20px}}
`;

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${content}</body></html>`;
}

/**
 * What a merchant can do next, for the errors a person meets by ordinary browsing. A used
 * pre_auth_code is the page Browser Back from the callback lands on: the authorization is done,
 * so the page says so and leads forward again to the result instead of leaving a dead end.
 */
const NEXT_STEP: Record<string, string> = {
  pre_auth_code_used: `<div id="next-step" class="notice">
<p>每个授权链接（pre_auth_code）只能使用一次。如果你刚刚在这里确认了授权（例如从授权结果页按了浏览器的「返回」），授权已经完成，不需要再操作。</p>
<p>如需再次授权或授权其他账号，请回到第三方平台（服务商）重新发起授权，获取新的链接。</p>
</div>
<p><a id="back-to-result" class="button" href="#" onclick="history.forward();return false;">回到授权结果页</a></p>`,
  pre_auth_code_expired: `<div id="next-step" class="notice"><p>请回到第三方平台（服务商）重新发起授权，获取新的链接。</p></div>`,
};

export function errorPage(code: string, message: string): string {
  return layout(
    '授权失败',
    `<main><section id="error" data-error-code="${escapeHtml(code)}">
<h1>${code === 'pre_auth_code_used' ? '授权链接已使用' : '无法完成授权'}</h1>
<p class="message">${escapeHtml(message)}</p>
${NEXT_STEP[code] ?? ''}
<p class="muted">错误代码：${escapeHtml(code)}（微信开放平台模拟器）</p>
</section></main>`,
  );
}

export interface AuthorizePageModel {
  channel: 'pc' | 'h5';
  platformName: string;
  /** Values echoed back by the form, already validated. */
  hidden: Record<string, string>;
  accounts: EligibleAccount[];
  authorizedAppids: Set<string>;
}

function funcSetsFieldset(entry: EligibleAccount, enabled: boolean): string {
  const appid = escapeHtml(entry.account.appid);
  if (entry.offeredFuncIds.length === 0) {
    return `<fieldset class="func-sets" data-appid="${appid}"${enabled ? '' : ' disabled'}><span class="muted">没有可授权的权限集</span></fieldset>`;
  }
  const boxes = entry.offeredFuncIds.map((id) => {
    const set = PERMISSION_SETS.get(id);
    const name = escapeHtml(set?.name ?? `权限集 ${id}`);
    const exclusive = set?.exclusive ? '<em class="exclusive">互斥</em>' : '';
    return `<label><input type="checkbox" name="func_id" value="${id}" id="func-${appid}-${id}" checked> ${name}${exclusive}</label>`;
  });
  return `<fieldset class="func-sets" data-appid="${appid}"${enabled ? '' : ' disabled'}><legend class="muted">授权权限集</legend>${boxes.join('')}</fieldset>`;
}

function accountItem(entry: EligibleAccount, checked: boolean, authorized: boolean): string {
  const { account } = entry;
  const appid = escapeHtml(account.appid);
  return `<li class="account" data-appid="${appid}" data-kind="${account.kind}" data-authorized="${authorized}">
<label class="pick"><input type="radio" name="authorizer_appid" value="${appid}" id="account-${appid}"${checked ? ' checked' : ''}>
<span class="avatar">${escapeHtml(account.nickName.slice(0, 1))}</span>
<span><span class="name">${escapeHtml(account.nickName)}</span><span class="tag">${accountTypeLabel(account)}</span>${authorized ? '<span class="tag ok">已授权</span>' : ''}
<br><span class="muted">${escapeHtml(account.principalName)} · ${escapeHtml(account.userName)}</span></span></label>
${funcSetsFieldset(entry, checked)}
</li>`;
}

/** Only the chosen account's permission sets are submitted: the others' fieldsets are disabled. */
const SYNC_SCRIPT = `<script>
(function(){var radios=document.querySelectorAll('input[name=authorizer_appid]');
function sync(){document.querySelectorAll('fieldset.func-sets').forEach(function(f){var r=document.getElementById('account-'+f.getAttribute('data-appid'));f.disabled=!(r&&r.checked);});}
radios.forEach(function(r){r.addEventListener('change',sync);});sync();})();
</script>`;

export function authorizePage(model: AuthorizePageModel): string {
  const hidden = Object.entries(model.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  const scanNote =
    model.channel === 'pc'
      ? '模拟扫码：真实微信在此显示二维码，由账号管理员用微信扫码并在手机上确认；模拟器直接列出管理员名下可授权的账号。'
      : '模拟微信内确认：真实微信会在客户端内列出管理员名下的账号；模拟器直接列出可授权的账号。';
  const list =
    model.accounts.length === 0
      ? '<p id="no-accounts" class="muted">没有符合条件的可授权账号。</p>'
      : `<ul class="accounts">${model.accounts.map((entry, i) => accountItem(entry, i === 0, model.authorizedAppids.has(entry.account.appid))).join('\n')}</ul>
<button type="submit" id="confirm">确认授权</button>`;
  return layout(
    '公众平台账号授权',
    `<main id="authorize" data-channel="${model.channel}">
<header><div class="platform">${escapeHtml(model.platformName)}</div><h1>授权给第三方平台</h1>
<p class="muted">选择要授权的账号和权限集。授权后，该第三方平台可代为调用所选权限集内的接口；你可以随时在微信中取消授权。</p></header>
<p class="notice" id="simulated-scan">${scanNote}</p>
<form id="authorize-form" method="post" action="${CONFIRM_PATH}">
${hidden}
${list}
</form>
${SYNC_SCRIPT}
</main>`,
  );
}
