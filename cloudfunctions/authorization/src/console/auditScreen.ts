/** 操作记录: the audit log, newest first, a page at a time. */
import { escapeHtml } from '../http/html';
import type { ConsoleAuditDoc } from '../model';
import { formatTime } from './layout';
import type { ScreenContext } from './screen';

const PAGE_SIZE = 50;

/** The actions by the name the staff know them by. */
const ACTION_WORDS: Record<string, string> = {
  reconcile: '和微信核对授权账号',
  startPushTicket: '请微信重新推送验证票据',
  shipJobCommand: '发布任务操作',
  setupDatabase: '创建数据库集合',
  consoleSignInConfirm: '确认电脑版控制台登录',
  signOut: '退出电脑版控制台',
  testAuthorizerCall: '测试调用',
  exportAuthorizers: '导出授权账号（CSV）',
  // A shipJobCommand by its command (the target's second part: job · command · appid).
  'shipJobCommand.pause': '暂停发布任务',
  'shipJobCommand.resume': '恢复发布任务',
  'shipJobCommand.release': '发布审核通过的商家',
  'shipJobCommand.retry': '重试发布失败的商家',
  'shipJobCommand.rollback': '回退发布',
};

/** The words for an entry: a shipJobCommand by its command when known. */
function actionWords(entry: ConsoleAuditDoc): string {
  const command = entry.action === 'shipJobCommand' ? entry.target.split(' · ')[1] : undefined;
  return ACTION_WORDS[`${entry.action}.${command}`] ?? ACTION_WORDS[entry.action] ?? entry.action;
}

const SOURCE_WORDS: Record<ConsoleAuditDoc['source'], string> = { console: '电脑版控制台', miniprogram: '小程序管理页' };
const OUTCOME_WORDS: Record<ConsoleAuditDoc['outcome'], string> = { ok: '成功', failed: '失败', started: '未完成（结果未知）' };

function row(entry: ConsoleAuditDoc): string {
  const outcome = OUTCOME_WORDS[entry.outcome] + (entry.detail ? `：${entry.detail}` : '');
  return `<tr data-action="${escapeHtml(entry.action)}" data-outcome="${entry.outcome}">
<td>${formatTime(entry.at)}</td><td>${escapeHtml(entry.openid)}</td><td>${SOURCE_WORDS[entry.source]}</td>
<td>${escapeHtml(actionWords(entry))}</td><td>${escapeHtml(entry.target)}</td><td class="${entry.outcome}">${escapeHtml(outcome)}</td></tr>`;
}

export async function renderAudit(ctx: ScreenContext): Promise<string> {
  const requested = Number.parseInt(ctx.query.page ?? '1', 10);
  const page = Number.isFinite(requested) && requested >= 1 && requested <= 10_000 ? requested : 1;
  const { total, entries } = await ctx.app.repositories.consoleAudit.page((page - 1) * PAGE_SIZE, PAGE_SIZE);
  if (total === 0)
    return '<div class="placeholder" id="audit-empty">还没有操作记录。在控制台或小程序管理页做的每一项更改都会记在这里。</div>';
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (to: number, label: string, id: string) =>
    to >= 1 && to <= pages ? `<a id="${id}" href="${ctx.site.root}/audit?page=${to}">${label}</a>` : `<span>${label}</span>`;
  return `<table id="audit-log"><thead><tr><th>时间（北京时间）</th><th>操作人 OPENID</th><th>来源</th><th>操作</th><th>对象</th><th>结果</th></tr></thead>
<tbody>${entries.map(row).join('\n')}</tbody></table>
<div class="pager">${link(page - 1, '上一页', 'prev-page')}<span id="page-of">第 ${page} / ${pages} 页，共 ${total} 条</span>${link(page + 1, '下一页', 'next-page')}</div>`;
}
