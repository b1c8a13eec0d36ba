/**
 * 代理调用: the broker's callers (HTTP keys and function secrets, never a secret), what each may
 * do, what each did per API, and what was refused, each problem with its fix. Built from the
 * admin page's `brokerCallers`. Refusals are counted per caller and API (brokerCallerUsage) with
 * the latest request's outcome: there is no log of single refusals, and the screen says so.
 */
import type { BrokerCallerView, CallerApiUsage } from '../../../../typings/api';
import { OP_SCOPE, type BrokerOp } from '../../../../clients/broker-client/src/wire';
import { brokerCallers } from '../broker/adminActions';
import { REVOKED_ROW } from '../broker/usage';
import { escapeHtml } from '../http/html';
import { formatTime } from './layout';
import type { ScreenContext } from './screen';

const e = escapeHtml;
const code = (value: string) => `<code>${e(value)}</code>`;

const OPERATION_WORDS: Record<string, string> = {
  token: '取令牌',
  call: '代调用接口',
  component: '平台接口',
  list: '列出账号',
  report: '报告令牌失效',
  ship: '发布到商家',
};

/** The broker's refusals in plain words (the code stays beside them for the caller's logs). */
const REFUSAL_WORDS: Record<string, string> = {
  BROKER_DISABLED: '代理未开启',
  UNAUTHENTICATED: '签名或密钥不对',
  KEY_REVOKED: '密钥已停用',
  FORBIDDEN_SOURCE: '不是从服务商的云函数发起',
  STALE_REQUEST: '请求时间和服务器相差超过 5 分钟',
  REPLAYED: '重复的请求（随机串已用过）',
  INVALID_INPUT: '请求参数不对',
  SCOPE_DENIED: '超出权限范围',
  API_NOT_SERVED: '平台不代理这个接口',
  BODY_TOO_LARGE: '请求体太大',
  UNKNOWN_AUTHORIZER: '账号没有授权本平台',
  AUTHORIZER_UNAVAILABLE: '商家已取消授权或授权失效',
  SET_NOT_GRANTED: '商家没有授予接口所属的权限集',
  NOT_READY: '令牌正在刷新',
  UPSTREAM: '微信暂时不可用',
  INTERNAL: '服务出错',
};

export function outcomeText(outcome: number | string): string {
  if (typeof outcome === 'string') return `拒绝：${REFUSAL_WORDS[outcome] ?? '其他原因'}（${outcome}）`;
  if (outcome === 0) return '成功';
  return outcome === -1 ? '服务出错' : `微信返回错误码 ${outcome}`;
}

const wayText = (caller: BrokerCallerView) => (caller.way === 'http' ? 'HTTP 密钥' : '云函数密钥');
const variableOf = (caller: BrokerCallerView) => (caller.way === 'http' ? 'BROKER_CLIENT_KEYS' : 'BROKER_FUNCTION_SECRETS');
const isOperation = (api: string): api is BrokerOp => Object.prototype.hasOwnProperty.call(OP_SCOPE, api);
/** An API path or an operation, as HTML: the name the caller used in code, with its words beside it. */
const apiHtml = (api: string) => {
  if (api === REVOKED_ROW) return '身份验证（密钥已停用）';
  return isOperation(api) ? `${e(OPERATION_WORDS[OP_SCOPE[api]] ?? api)} ${code(api)}` : code(api);
};

const MISSING_FIELD = { operation: 'ops', api: 'apis', appid: 'appids' } as const;

/**
 * What to add to the caller's scope for this row's latest refusal. Rows written before the broker
 * kept the missing part (or whose part is unknown) fall back to the operation, or to a general fix.
 */
function scopeFix(caller: BrokerCallerView, row: CallerApiUsage): string {
  const where = `在 ${code(variableOf(caller))} 中给 ${code(caller.id)} 的 scope`;
  const missing = row.lastMissing;
  if (missing) {
    const field = MISSING_FIELD[missing.part];
    if (missing.part === 'appid' && caller.scope.ops.includes('ship') && row.api === 'ship')
      return `「发布到商家」要求 appids 为 ${code('*')}：${where} 的 appids 改为 ${code('*')}，重新部署云函数。`;
    return `${where} 的 ${field} 加上 ${code(missing.value)}${missing.part === 'api' ? '（或它所在的路径前缀）' : ''}，重新部署云函数；若它不该这样调用，请调用方停止。`;
  }
  const operation = isOperation(row.api) ? OP_SCOPE[row.api] : null;
  if (operation && !caller.scope.ops.includes(operation)) return `${where} 的 ops 加上 ${code(operation)}，重新部署云函数。`;
  return `它请求的接口不在 apis 中，或账号不在 appids 中（拒绝时返回给调用方的 message 写明是哪一个）：${where} 的 apis 或 appids 补上它该用的，重新部署云函数。`;
}

/** What to do about the latest refusal of this row. */
function refusalFix(caller: BrokerCallerView, row: CallerApiUsage): string {
  switch (row.lastOutcome) {
    case 'SCOPE_DENIED':
      return scopeFix(caller, row);
    case 'KEY_REVOKED':
      return `找到仍在使用 ${code(caller.id)} 的服务，换成新的密钥；确认都换好后从 ${code(variableOf(caller))} 中删除它。`;
    case 'API_NOT_SERVED':
      return '这个接口会返回令牌或代码，或不在平台接口名单里：平台不代理，请调用方改用其他接口。';
    case 'SET_NOT_GRANTED':
      return '请商家在授权时勾选该接口所属的权限集（「授权账号」里可以看到每个账号缺少的权限集）。';
    case 'AUTHORIZER_UNAVAILABLE':
    case 'UNKNOWN_AUTHORIZER':
      return '请商家重新授权，或让调用方不再代这个账号调用。';
    case 'STALE_REQUEST':
      return '调用方服务器的时钟不准：请校准时间（NTP）。';
    case 'REPLAYED':
      return '调用方每次请求要用新的随机串（nonce），不要重发同一个已签名的请求。';
    default:
      return '查看调用方的日志：拒绝时返回的 message 写了原因。';
  }
}

const isRefusedNow = (row: CallerApiUsage) => typeof row.lastOutcome === 'string';

interface Problem {
  id: string;
  text: string;
  fix: string;
}

export function callerProblems(caller: BrokerCallerView): Problem[] {
  const name = `${wayText(caller)} ${code(caller.id)}`;
  const problems: Problem[] = [];
  if (caller.legacyScope && !caller.revoked)
    problems.push({
      id: `legacy-${caller.way}-${caller.id}`,
      text: `${name} 没有写权限范围（scope），只能列出账号。`,
      fix: `在 ${code(variableOf(caller))} 中为它写上 scope（ops、apis、appids），重新部署云函数。`,
    });
  // A revoked caller's only problem is that it is still used; its older refusals no longer matter.
  const current = caller.usage.filter((row) => isRefusedNow(row) && (row.api === REVOKED_ROW) === caller.revoked);
  for (const row of current) {
    problems.push({
      id: `refused-${caller.way}-${caller.id}-${row.api}`,
      text:
        row.api === REVOKED_ROW
          ? `已停用的 ${name} 仍有服务在用：被拒绝了 ${row.refused} 次，最近一次在 ${formatTime(row.lastAt)}。`
          : `${name} 调用 ${apiHtml(row.api)} 被拒绝了 ${row.refused} 次，最近一次在 ${formatTime(row.lastAt)}：${e(outcomeText(row.lastOutcome))}。`,
      fix: refusalFix(caller, row),
    });
  }
  return problems;
}

function summaryHtml(problems: Problem[], callers: number): string {
  if (callers === 0)
    return '<div class="summary" id="proxy-attention" data-count="0">没有配置调用方密钥（BROKER_CLIENT_KEYS、BROKER_FUNCTION_SECRETS 为空）：接口代理没有开放给其他服务。</div>';
  if (problems.length === 0)
    return '<div class="summary" id="proxy-attention" data-count="0">一切正常：每个调用方都有权限范围，最近的请求没有被拒绝。</div>';
  const items = problems
    .map((p) => `<li id="problem-${e(p.id)}"><p>${p.text}</p><p class="fix">怎么办：${p.fix}</p></li>`)
    .join('\n');
  return `<div class="summary attention" id="proxy-attention" data-count="${problems.length}">有 ${problems.length} 项需要处理：</div>
<ul class="problems" id="proxy-problems">${items}</ul>`;
}

function scopeHtml(caller: BrokerCallerView): string {
  if (caller.legacyScope) return '未写权限范围：只能列出账号';
  const { ops, apis, appids } = caller.scope;
  const operations = ops.map((op) => OPERATION_WORDS[op] ?? op).join('、') || '无';
  const paths = apis.length ? apis.map(code).join(' ') : '无';
  const accounts = appids === '*' ? '全部账号' : appids.length ? appids.map(code).join(' ') : '无';
  return `操作：${e(operations)}<br>接口：${paths}<br>账号：${accounts}`;
}

function stateOf(caller: BrokerCallerView): { word: string; tone: string } {
  if (caller.revoked) return { word: '已停用', tone: 'muted' };
  if (caller.legacyScope) return { word: '需写权限范围', tone: 'warn' };
  return { word: '使用中', tone: 'ok' };
}

function callersTable(callers: BrokerCallerView[]): string {
  const rows = callers
    .map((c) => {
      const state = stateOf(c);
      const { calls, errors, refused, lastAt } = c.totals;
      return `<tr id="caller-${c.way}-${e(c.id)}" data-state="${state.tone}">
<td>${code(c.id)}<br><small>${wayText(c)}</small></td>
<td class="tone-${state.tone}">${state.word}</td><td>${scopeHtml(c)}</td>
<td>${calls}</td><td>${errors}</td><td>${refused}</td><td class="time">${lastAt === null ? '还没有调用' : formatTime(lastAt)}</td></tr>`;
    })
    .join('\n');
  return `<table id="proxy-callers"><thead><tr><th>调用方</th><th>状态</th><th>权限范围</th><th>请求</th><th>微信报错</th><th>被拒绝</th><th>最近请求</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function usageRows(rows: CallerApiUsage[], first: (row: CallerApiUsage) => string): string {
  return rows
    .map(
      (row) =>
        `<tr>${first(row)}<td>${row.calls}</td><td>${row.errors}</td><td>${row.refused}</td><td class="${isRefusedNow(row) ? 'tone-bad' : ''}">${e(outcomeText(row.lastOutcome))}</td><td class="time">${formatTime(row.lastAt)}</td></tr>`,
    )
    .join('');
}

const USAGE_HEAD = '<th>请求</th><th>微信报错</th><th>被拒绝</th><th>最近结果</th><th>最近请求</th>';

function callerUsage(caller: BrokerCallerView): string {
  const body =
    caller.usage.length === 0
      ? '<p class="hint">还没有请求。</p>'
      : `<table class="usage"><thead><tr><th>接口或操作</th>${USAGE_HEAD}</tr></thead><tbody>${usageRows(caller.usage, (r) => `<td>${apiHtml(r.api)}</td>`)}</tbody></table>`;
  return `<section class="caller-usage" id="usage-${caller.way}-${e(caller.id)}"><h3>${code(caller.id)} <small>${wayText(caller)}</small></h3>${body}</section>`;
}

/** Every caller's rows added up per API: which WeChat APIs the platform is used for. */
function perApi(callers: BrokerCallerView[]): CallerApiUsage[] {
  const byApi = new Map<string, CallerApiUsage>();
  for (const row of callers.flatMap((c) => c.usage)) {
    const seen = byApi.get(row.api);
    const latest = seen && seen.lastAt > row.lastAt ? seen : row;
    byApi.set(row.api, {
      api: row.api,
      calls: (seen?.calls ?? 0) + row.calls,
      errors: (seen?.errors ?? 0) + row.errors,
      refused: (seen?.refused ?? 0) + row.refused,
      lastOutcome: latest.lastOutcome,
      lastAt: latest.lastAt,
    });
  }
  return [...byApi.values()].sort((a, b) => b.calls - a.calls);
}

function apiTable(callers: BrokerCallerView[]): string {
  const rows = perApi(callers);
  if (rows.length === 0) return '<p class="hint" id="proxy-apis">还没有经由代理的请求。</p>';
  return `<table class="usage" id="proxy-apis"><thead><tr><th>接口或操作</th>${USAGE_HEAD}</tr></thead><tbody>${usageRows(rows, (r) => `<td>${apiHtml(r.api)}</td>`)}</tbody></table>`;
}

/** The refusals table's advice: a row fixed since, or of a key retired since, needs nothing. */
function rowFix(caller: BrokerCallerView, row: CallerApiUsage): string {
  if (!isRefusedNow(row)) return '已恢复，无需处理';
  if (caller.revoked && row.api !== REVOKED_ROW) return '密钥已停用：不必再为它补权限范围';
  if (!caller.revoked && row.api === REVOKED_ROW) return '密钥已重新启用，无需处理';
  return refusalFix(caller, row);
}

function refusalsTable(callers: BrokerCallerView[]): string {
  const rows = callers
    .flatMap((caller) => caller.usage.filter((row) => row.refused > 0).map((row) => ({ caller, row })))
    .sort((a, b) => b.row.lastAt - a.row.lastAt);
  const note =
    '<p class="hint">平台按调用方和接口累计拒绝次数，并记下最近一次请求的结果，不单独保存每一次拒绝；最近结果是「成功」的说明问题已经解决。</p>';
  if (rows.length === 0) return `<p class="hint" id="proxy-refusals">没有被拒绝的请求。</p>`;
  const body = rows
    .map(
      ({ caller, row }) =>
        `<tr><td>${code(caller.id)}</td><td>${apiHtml(row.api)}</td><td>${row.refused}</td><td class="${isRefusedNow(row) ? 'tone-bad' : 'tone-ok'}">${e(outcomeText(row.lastOutcome))}</td><td class="time">${formatTime(row.lastAt)}</td><td>${rowFix(caller, row)}</td></tr>`,
    )
    .join('');
  return `<table class="refusals" id="proxy-refusals"><thead><tr><th>调用方</th><th>接口或操作</th><th>被拒绝</th><th>最近结果</th><th>最近请求</th><th>怎么办</th></tr></thead><tbody>${body}</tbody></table>${note}`;
}

export async function renderProxy(ctx: ScreenContext): Promise<string> {
  const { callers } = await brokerCallers(ctx.app);
  const problems = callers.flatMap(callerProblems);
  const detail =
    callers.length === 0
      ? ''
      : `<h3 class="section">调用方和权限范围</h3>${callersTable(callers)}
<h3 class="section">最近的拒绝</h3>${refusalsTable(callers)}
<h3 class="section">按接口统计（全部调用方）</h3>${apiTable(callers)}
<h3 class="section">每个调用方的接口</h3>${callers.map(callerUsage).join('\n')}`;
  return `${ctx.notice}${summaryHtml(problems, callers.length)}${detail}<p class="hint">密钥本身从不显示。数据截至 ${formatTime(ctx.app.now())}，刷新页面即更新。</p>`;
}
