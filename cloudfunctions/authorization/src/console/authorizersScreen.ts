/**
 * The console's authorizers screen and account view: HTML fragments for the console's shell
 * (which adds the page, sign-in and routing). Every value from the database or the address is
 * escaped; links carry only parameters this module built.
 */
import type { ApiUsage, AuthorizerDetail, AuthorizerEvent, AuthorizerSummary, TestCallReport } from '../../../../typings/api';
import { toDetail } from '../authorizers/views';
import { authorizerUsage } from '../broker/adminActions';
import type { BrokerDeps } from '../broker/deps';
import { AppError } from '../errors';
import { escapeHtml } from '../http/html';
import type { AuthorizerDoc } from '../model';
import { permissionName } from '../permissions';
import {
  beijingTime,
  KINDS,
  kindText,
  missingSetChoices,
  parseAuthorizersQuery,
  queryAuthorizers,
  queryParams,
  SORTS,
  STATUS_TEXT,
  STATUSES,
  type AuthorizersPage,
  type AuthorizersQuery,
  type AuthorizersQueryDeps,
  type SortName,
} from './authorizersQuery';

/** Where the screen's links and forms go (the shell mounts them). */
export interface AuthorizersLinks {
  list: string;
  exportCsv: string;
  account(appid: string): string;
  testCall(appid: string): string;
}

/** `root`: the console's path (ConsoleSite.root), e.g. /console or /wx/console. */
export const authorizersLinks = (root: string): AuthorizersLinks => ({
  list: `${root}/authorizers`,
  exportCsv: `${root}/authorizers.csv`,
  account: (appid) => `${root}/authorizers/${encodeURIComponent(appid)}`,
  testCall: (appid) => `${root}/authorizers/${encodeURIComponent(appid)}/test-call`,
});

const DEFAULT_LINKS = authorizersLinks('/console');

export interface AuthorizersScreenDeps extends AuthorizersQueryDeps {
  links?: AuthorizersLinks;
}

export interface AccountScreenDeps {
  authorizers: { get(appid: string): Promise<AuthorizerDoc | null> };
  config: AuthorizersQueryDeps['config'];
  /** broker/adminActions.ts `authorizerUsage`. */
  usageOf(appid: string): Promise<ApiUsage[]>;
  links?: AuthorizersLinks;
  /** The shell's hidden form field against cross-site posts (trusted HTML), for the test call's form. */
  formGuardHtml?: string;
}

export interface Screen {
  title: string;
  html: string;
}

const e = escapeHtml;
const href = (path: string, params?: URLSearchParams) => e(params && params.size > 0 ? `${path}?${params.toString()}` : path);

function option(value: string, label: string, selected: boolean): string {
  return `<option value="${e(value)}"${selected ? ' selected' : ''}>${e(label)}</option>`;
}

function searchForm(query: AuthorizersQuery, deps: AuthorizersScreenDeps, links: AuthorizersLinks): string {
  const kinds = KINDS.map((kind) => option(kind, kindText(kind), query.kind === kind)).join('');
  const statuses = STATUSES.map((status) => option(status, STATUS_TEXT[status], query.status === status)).join('');
  const sets = missingSetChoices(deps.config.requiredCategoryIds)
    .map((set) => option(String(set.id), set.name, query.missingSet === set.id))
    .join('');
  const sorts = (Object.keys(SORTS) as SortName[]).map((sort) => option(sort, SORTS[sort].label, query.sort === sort)).join('');
  return `<form class="console-filters" method="get" action="${e(links.list)}" role="search">
  <label>搜索 <input type="search" name="q" value="${e(query.search)}" maxlength="64" placeholder="名称开头、AppID、原始ID（gh_）或商家 OpenID"></label>
  <label>类型 <select name="kind">${option('', '全部', !query.kind)}${kinds}</select></label>
  <label>状态 <select name="status">${option('', '全部', !query.status)}${statuses}</select></label>
  <label>缺少权限集 <select name="missing">${option('', '不限', query.missingSet === undefined)}${sets}</select></label>
  <label>排序 <select name="sort">${sorts}</select></label>
  <button type="submit">查询</button>
</form>`;
}

function searchNote(page: AuthorizersPage): string {
  const notes: Record<NonNullable<AuthorizersPage['searchedBy']>, string> = {
    appid: '按 AppID 查找',
    userName: '按原始ID查找',
    owner: '按商家 OpenID 查找该商家授权的账号',
    name: '按名称开头查找（名称中间的字查不到），结果按名称排序',
  };
  return page.searchedBy ? `<p class="console-note">${e(notes[page.searchedBy])}</p>` : '';
}

function header(page: AuthorizersPage, links: AuthorizersLinks): string {
  const column = (label: string, sort?: SortName) => {
    if (!sort) return `<th scope="col">${e(label)}</th>`;
    const current = page.sort === sort;
    const link = href(links.list, queryParams(page.query, { sort, cursor: undefined }));
    return `<th scope="col"${current ? ' aria-sort="' + (SORTS[sort].descending ? 'descending' : 'ascending') + '"' : ''}><a href="${link}">${e(label)}${current ? (SORTS[sort].descending ? ' ↓' : ' ↑') : ''}</a></th>`;
  };
  return `<tr>${column('名称', 'name')}${column('AppID')}${column('类型')}${column('状态')}${column('缺少的权限集')}${column('授权时间', 'authorized')}${column('最近变动', 'recent')}</tr>`;
}

function row(account: AuthorizerSummary, links: AuthorizersLinks): string {
  const missing = account.missingSets.map((set) => set.name).join('、') || '—';
  return `<tr>
  <td><a href="${href(links.account(account.appid))}">${e(account.name || '（未命名）')}</a><br><small>${e(account.principalName)}</small></td>
  <td><code>${e(account.appid)}</code></td>
  <td>${e(kindText(account.kind))}</td>
  <td class="status-${e(account.status)}">${e(STATUS_TEXT[account.status])}</td>
  <td>${e(missing)}</td>
  <td>${e(beijingTime(account.authorizedAt))}</td>
  <td>${e(beijingTime(account.updatedAt))}</td>
</tr>`;
}

const countText = (total: number | null) => (total === null ? '' : ` ${total.toLocaleString('zh-CN')} 个`);
const totalText = (total: number | null) => (total === null ? '缺少权限集的筛选不统计总数' : `共${countText(total)}`);

function pager(page: AuthorizersPage, links: AuthorizersLinks): string {
  const link = (cursor: string | undefined, label: string, rel: string) =>
    cursor
      ? `<a rel="${rel}" href="${href(links.list, queryParams(page.query, { cursor }))}">${e(label)}</a>`
      : `<span class="disabled">${e(label)}</span>`;
  const exportLink = href(links.exportCsv, queryParams(page.query, { cursor: undefined }));
  return `<nav class="console-pager">${link(page.previous, '上一页', 'prev')} ${link(page.next, '下一页', 'next')}
  <a class="console-export" href="${exportLink}" download>导出 CSV（当前筛选的全部${countText(page.total)}）</a></nav>`;
}

/** The list: search and filters, the table with sortable columns, pages, the export link. */
export async function authorizersScreen(deps: AuthorizersScreenDeps, params: URLSearchParams): Promise<Screen> {
  const links = deps.links ?? DEFAULT_LINKS;
  let query: AuthorizersQuery;
  let page: AuthorizersPage;
  try {
    query = parseAuthorizersQuery(params);
    page = await queryAuthorizers(deps, query);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'INVALID_INPUT') throw error;
    const html = `<p class="console-error" role="alert">${e(error.message)}</p><p><a href="${href(links.list)}">回到授权账号第一页</a></p>`;
    return { title: '授权账号', html };
  }
  const body =
    page.rows.length > 0
      ? `<table class="console-table"><thead>${header(page, links)}</thead><tbody>${page.rows.map((r) => row(r, links)).join('')}</tbody></table>`
      : '<p class="console-empty">没有符合条件的账号</p>';
  const html = `<section class="console-authorizers">
<h1>授权账号 <small>${totalText(page.total)}</small></h1>
${searchForm(query, deps, links)}
${searchNote(page)}
${body}
${pager(page, links)}
</section>`;
  return { title: '授权账号', html };
}

function setList(sets: AuthorizerDetail['grantedSets'], empty: string): string {
  if (sets.length === 0) return `<p>${e(empty)}</p>`;
  const item = (set: AuthorizerDetail['grantedSets'][number]) =>
    `<li>${e(set.name)}（${set.id}）${set.reason ? `<br><small>${e(set.reason)}</small>` : ''}</li>`;
  return `<ul>${sets.map(item).join('')}</ul>`;
}

const EVENT_TEXT: Readonly<Record<AuthorizerEvent, string>> = {
  authorized: '授权',
  updateauthorized: '更新授权',
  unauthorized: '取消授权',
  reconciled: '对账时发现已取消',
  needs_reauth: '授权失效',
};

function historyTable(detail: AuthorizerDetail): string {
  if (detail.history.length === 0) return '<p>没有记录</p>';
  const names = (ids: number[]) => ids.map((id) => permissionName(id)).join('、') || '—';
  const rows = detail.history
    .map(
      (change) =>
        `<tr><td>${e(beijingTime(change.at))}</td><td>${e(EVENT_TEXT[change.event])}</td><td>${e(names(change.added))}</td><td>${e(names(change.removed))}</td></tr>`,
    )
    .join('');
  return `<table class="console-table console-history"><thead><tr><th scope="col">时间</th><th scope="col">事件</th><th scope="col">新增权限集</th><th scope="col">取消的权限集</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function usageTable(usage: ApiUsage[]): string {
  if (usage.length === 0) return '<p>还没有经由本平台的调用</p>';
  const rows = usage
    .map(
      (u) =>
        `<tr><td><code>${e(u.api)}</code></td><td>${u.calls}</td><td>${u.errors}</td><td>${u.lastErrcode === 0 ? '成功' : e(`错误码 ${u.lastErrcode}`)}</td><td>${e(beijingTime(u.lastAt))}</td></tr>`,
    )
    .join('');
  return `<table class="console-table"><thead><tr><th scope="col">接口</th><th scope="col">调用次数</th><th scope="col">失败次数</th><th scope="col">最近结果</th><th scope="col">最近调用</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One account: its sets, history, owners, usage, and a form for a test call. */
export async function accountScreen(deps: AccountScreenDeps, appid: string): Promise<Screen | null> {
  const links = deps.links ?? DEFAULT_LINKS;
  const doc = await deps.authorizers.get(appid);
  if (!doc) return null;
  const detail = toDetail(doc, deps.config.requiredCategoryIds, deps.config.permissionReasons);
  const usage = await deps.usageOf(appid);
  const owners =
    doc.owners.length > 0
      ? `<ul>${doc.owners.map((o) => `<li><code>${e(o)}</code></li>`).join('')}</ul>`
      : '<p>没有记录到商家</p>';
  const html = `<section class="console-account">
<p><a href="${href(links.list)}">← 授权账号</a></p>
<h1>${e(detail.name || '（未命名）')}</h1>
<dl class="console-facts">
  <dt>AppID</dt><dd><code>${e(detail.appid)}</code></dd>
  <dt>类型</dt><dd>${e(kindText(detail.kind))}</dd>
  <dt>状态</dt><dd class="status-${e(detail.status)}">${e(STATUS_TEXT[detail.status])}</dd>
  <dt>主体名称</dt><dd>${e(detail.principalName)}</dd>
  <dt>原始ID</dt><dd><code>${e(detail.userName)}</code></dd>
  <dt>认证</dt><dd>${detail.verified ? '已认证' : '未认证'}</dd>
  <dt>授权时间</dt><dd>${e(beijingTime(detail.authorizedAt))}</dd>
  <dt>最近变动</dt><dd>${e(beijingTime(detail.updatedAt))}</dd>
</dl>
<h2>已授权的权限集</h2>${setList(detail.grantedSets, '没有')}
<h2>缺少的权限集</h2>${setList(detail.missingSets, '不缺少本平台需要的权限集')}
<h2>授权记录</h2>${historyTable(detail)}
<h2>授权过它的商家（OpenID）</h2>${owners}
<h2>接口调用</h2>${usageTable(usage)}
<h2>测试调用</h2>
<form method="post" action="${href(links.testCall(detail.appid))}">${deps.formGuardHtml ?? ''}
  <p>经由本平台向微信读取该账号的基本信息（getaccountbasicinfo），检验授权与令牌是否可用。</p>
  <button type="submit">发起测试调用</button>
</form>
</section>`;
  return { title: detail.name || detail.appid, html };
}

/** The result of a test call (broker/adminActions.ts `testAuthorizerCall`), shown under the account. */
export function testCallResult(report: TestCallReport): string {
  const details = report.ok
    ? `<dl class="console-facts"><dt>名称</dt><dd>${e(report.nickname ?? '')}</dd><dt>主体名称</dt><dd>${e(report.principalName ?? '')}</dd></dl>`
    : '';
  return `<div class="console-test-call ${report.ok ? 'ok' : 'failed'}" role="status"><p>${e(report.message)}</p>${details}</div>`;
}

/** Styles the shell may add to its stylesheet: a table at desk width. */
export const AUTHORIZERS_CSS = `
.console-filters{display:flex;flex-wrap:wrap;gap:12px 20px;align-items:center;margin:12px 0}
.console-filters label{display:inline-flex;align-items:center;gap:8px;min-height:44px}
.console-filters input,.console-filters select{min-height:44px;font:inherit;padding:0 10px;border:1px solid #c9cdd4;border-radius:6px;background:#fff}
.console-filters input[type=search]{width:320px}
.console-table a,.console-export,.console-account>p>a{display:inline-flex;align-items:center;min-height:44px;min-width:44px}
.console-table{width:100%;border-collapse:collapse;font-size:14px}
.console-table th,.console-table td{border-bottom:1px solid #e5e5e5;padding:8px;text-align:left;vertical-align:top}
.console-table th{vertical-align:middle}
.console-history th:nth-child(-n+2),.console-history td:nth-child(-n+2),.console-history th:last-child{white-space:nowrap}
.console-pager{display:flex;gap:16px;align-items:center;margin:12px 0}.console-pager .disabled{color:#999}
.console-facts{display:grid;grid-template-columns:120px 1fr;gap:6px 16px;margin:0 0 16px;padding:16px 20px;background:#fff;border-radius:8px}
.console-facts dt{color:#646a73}.console-facts dd{margin:0}
.console-account h2{font-size:16px;margin:24px 0 8px}
.console-account ul{columns:3;margin:0;padding:12px 32px;background:#fff;border-radius:8px}
.console-test-call{padding:12px 16px;margin-bottom:16px;border-radius:8px;background:#e8f8ef;color:#0a7a3e}
.console-test-call.failed{background:#ffece8;color:#a1151e}.console-test-call p{margin:0 0 8px}
.console-test-call .console-facts{margin:0;background:transparent;padding:0;color:#1f2329}
.console-export{margin-left:auto}
.status-needs_reauth{color:#b26a00}.status-revoked{color:#c00}
`;

/** The account view's wiring from the function's app: usage as the admin page reads it. */
export function accountScreenDeps(
  app: BrokerDeps,
  extra: Pick<AccountScreenDeps, 'links' | 'formGuardHtml'> = {},
): AccountScreenDeps {
  return {
    authorizers: app.authorizers,
    config: app.config,
    usageOf: async (appid) => (await authorizerUsage(app, appid)).usage,
    ...extra,
  };
}
