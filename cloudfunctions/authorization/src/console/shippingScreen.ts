/**
 * 发布到商家 as HTML fragments for the console's shell: the template library and the jobs with
 * their progress (`/shipping`), and one job with its merchants and commands (`/shipping/<jobId>`).
 * Pure: the views come from shippingPages.ts (the shipping module's own reads). Every value is
 * escaped; the stage words are the admin page's (miniprogram/shared/shipping.ts).
 */
import type { ShipJobOutlook, ShipJobView } from '../../../../typings/api';
import type { ShipTemplateInUse } from '../../../../clients/broker-client/src/wire';
import { SHIP_STAGE_LOOK, stageLook } from '../../../../miniprogram/shared/shipping';
import { escapeHtml as e } from '../http/html';
import type { ShipItem, ShipReason } from '../shipping/stages';
import { rejectionAdvice, shipmentAdvice } from '../shipping/merchantAdvice';
import { formatTime } from './layout';

/** WeChat's cap on the code template library (code-management spec §2.3, 85065). */
export const TEMPLATE_CAP = 200;

export interface LibraryTemplate {
  templateId: number;
  userVersion: string;
  userDesc: string;
  /** Unix seconds, as WeChat gives it. */
  createTime: number;
}

/** WeChat's template library, or why it could not be read (plain words). */
export type TemplateLibrary = { ok: true; templates: LibraryTemplate[] } | { ok: false; message: string };

export interface ShippingLinks {
  list: string;
  job(jobId: string, params?: URLSearchParams): string;
  commandUrl(jobId: string): string;
}

export const shippingLinks = (root: string): ShippingLinks => ({
  list: `${root}/shipping`,
  job: (jobId, params) =>
    `${root}/shipping/${encodeURIComponent(jobId)}${params && params.size > 0 ? `?${params.toString()}` : ''}`,
  commandUrl: (jobId) => `${root}/shipping/${encodeURIComponent(jobId)}/command`,
});

export interface JobWithOutlook {
  job: ShipJobView;
  /** Only for jobs not done (the outlook asks WeChat for the quota). */
  outlook: ShipJobOutlook | null;
}

export interface ShippingListView {
  jobs: JobWithOutlook[];
  page: number;
  hasNext: boolean;
  library: TemplateLibrary;
  inUse: ShipTemplateInUse[];
  links: ShippingLinks;
}

const JOB_STATE: Record<ShipJobView['state'], { label: string; tone: string }> = {
  running: { label: '进行中', tone: 'running' },
  paused: { label: '已暂停', tone: 'paused' },
  done: { label: '已完成', tone: 'done' },
};

const count = (job: ShipJobView, stage: string) => job.counts[stage] ?? 0;

/** Merchants per stage in plain words, in the order they go through. */
export function progressWords(job: ShipJobView): string {
  const parts = Object.keys(SHIP_STAGE_LOOK)
    .filter((stage) => count(job, stage) > 0)
    .map((stage) => `${stageLook(stage).label} ${count(job, stage)}`);
  return `共 ${job.targets} 个商家${parts.length ? `：${parts.join(' · ')}` : ''}`;
}

const errcodeWords = (errcode: number | null) => (errcode ? `（微信错误码 ${errcode}）` : '');

/** The audit quota the job still needs, against what WeChat says is left and the reserve. */
export function quotaWords(outlook: ShipJobOutlook): { text: string; short: boolean } {
  if (outlook.quotaNeeded === 0) return { text: '所有商家都已提交过审核，不再需要提审额度。', short: false };
  if (!outlook.quota) {
    return { text: `还需提审 ${outlook.quotaNeeded} 次；暂时没能向微信查询本月剩余额度，稍后刷新再看。`, short: false };
  }
  const usable = outlook.quota.rest - outlook.reserve;
  const short = usable < outlook.quotaNeeded;
  const text =
    `还需提审 ${outlook.quotaNeeded} 次；微信本月剩余额度 ${outlook.quota.rest} / ${outlook.quota.limit}，为新商家保留 ${outlook.reserve}，` +
    `本任务可用 ${Math.max(0, usable)}。` +
    (short ? '额度不够：用完后任务会因 85085 暂停，下月额度恢复后自动继续；急用可在微信开放平台申请加急额度。' : '');
  return { text, short };
}

/** What staff should do about the job now, most pressing first; empty when nothing. */
export function nextSteps(job: ShipJobView, outlook: ShipJobOutlook | null): string[] {
  const steps: string[] = [];
  if (job.pause) {
    const resumes = job.pause.errcode === 85085 ? '额度恢复后任务会自动继续。' : '处理好后点「恢复任务」。';
    steps.push(`任务已暂停：${job.pause.message}${errcodeWords(job.pause.errcode)}。处理：${job.pause.action}。${resumes}`);
  }
  if (count(job, 'failed') > 0)
    steps.push(`${count(job, 'failed')} 个商家失败：按各自的原因处理后，点「重试失败的」（或在该商家一行点「重试」）。`);
  if (count(job, 'audit_passed') > 0 && job.release === 'command')
    steps.push(
      `${count(job, 'audit_passed')} 个商家审核已通过，等待发布：点「发布已通过的」（可只发布一个 AppID，或填灰度比例）。`,
    );
  if (outlook && quotaWords(outlook).short) steps.push(quotaWords(outlook).text);
  return steps;
}

/** Stopped merchants that need no command, only reading (they stay once the job is done). */
function settledNotes(job: ShipJobView): string[] {
  const notes: string[] = [];
  if (count(job, 'rejected') > 0)
    notes.push(
      `${count(job, 'rejected')} 个商家审核未通过：原因和由谁处理写在商家列表里（类目、隐私、名称由商家在小程序后台修改）。`,
    );
  if (count(job, 'skipped') > 0)
    notes.push(
      `${count(job, 'skipped')} 个商家被跳过：多为商家自己的设置（权限集、类目、隐私指引、配置值），处理方法写在商家列表里。`,
    );
  return notes;
}

function stateBadge(job: ShipJobView): string {
  const state = JOB_STATE[job.state];
  return `<span class="ship-state ship-${state.tone}">${state.label}</span>`;
}

function releaseWords(job: ShipJobView): string {
  const how = job.release === 'auto' ? '审核通过后自动发布' : '审核通过后等待发布指令';
  const gray = job.graySchedule
    ? ` · 灰度 ${job.graySchedule.steps.join('% → ')}%，每 ${job.graySchedule.intervalMinutes} 分钟一步`
    : job.grayPercentage
      ? ` · 灰度 ${job.grayPercentage}%`
      : '';
  const nextGray = job.nextGrayStepAt ? ` · 下一次灰度提升 ${formatTime(job.nextGrayStepAt)}` : '';
  return `${how}${gray}${nextGray}`;
}

function doneShare(job: ShipJobView): string {
  const released = count(job, 'released');
  return `<progress max="${Math.max(1, job.targets)}" value="${released}"></progress> <span>已发布 ${released} / ${job.targets}</span>`;
}

function jobRow(item: JobWithOutlook, links: ShippingLinks): string {
  const { job, outlook } = item;
  const steps = nextSteps(job, outlook);
  const todo = steps.length
    ? `<ul class="ship-todo">${steps.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`
    : `<p class="ship-calm">${job.state === 'done' ? '已结束，不需要操作。' : '不需要操作：定时任务每 5 分钟推进一次。'}</p>`;
  const quota = outlook && job.state !== 'done' ? `<p class="ship-quota">${e(quotaWords(outlook).text)}</p>` : '';
  return `<tr data-job="${e(job.jobId)}" data-state="${job.state}">
<td><a href="${e(links.job(job.jobId))}">版本 ${e(job.userVersion)}</a><br><small>模板 ${job.templateId} · <code>${e(job.jobId)}</code></small></td>
<td>${stateBadge(job)}</td>
<td>${doneShare(job)}<p>${e(progressWords(job))}</p>${quota}</td>
<td>${todo}</td>
<td>${formatTime(job.createdAt)}</td>
</tr>`;
}

function jobsSection(view: ShippingListView): string {
  if (view.jobs.length === 0 && view.page === 1) {
    return `<section class="ship-section" id="ship-jobs"><h3>发布任务</h3>
<p class="placeholder">还没有发布任务。发布任务由运维通过接口代理的 ship 操作创建（见 README「Shipping to every merchant」），创建后在这里跟进。</p></section>`;
  }
  const pageLink = (to: number, label: string, id: string, on: boolean) =>
    on ? `<a id="${id}" href="${e(`${view.links.list}?page=${to}`)}">${label}</a>` : `<span class="disabled">${label}</span>`;
  return `<section class="ship-section" id="ship-jobs"><h3>发布任务 <small>最新的在前</small></h3>
<table class="console-table ship-jobs"><thead><tr><th scope="col">任务</th><th scope="col">状态</th><th scope="col">进度</th><th scope="col">下一步</th><th scope="col">创建时间</th></tr></thead>
<tbody>${view.jobs.map((j) => jobRow(j, view.links)).join('\n')}</tbody></table>
<nav class="console-pager">${pageLink(view.page - 1, '上一页', 'prev-page', view.page > 1)} <span>第 ${view.page} 页</span> ${pageLink(view.page + 1, '下一页', 'next-page', view.hasNext)}</nav>
</section>`;
}

function templatesSection(view: ShippingListView): string {
  const inUse = new Map(view.inUse.map((t) => [t.templateId, t.jobs]));
  const usedBy = (templateId: number) =>
    (inUse.get(templateId) ?? [])
      .map((j) => `<a href="${e(view.links.job(j.jobId))}">版本 ${e(j.userVersion)}（${JOB_STATE[j.state].label}）</a>`)
      .join('<br>') || '—';
  if (!view.library.ok) {
    const rows = view.inUse.map((t) => `<tr><td>${t.templateId}</td><td>${usedBy(t.templateId)}</td></tr>`).join('');
    const used = rows
      ? `<table class="console-table"><thead><tr><th scope="col">模板 ID</th><th scope="col">使用中的任务</th></tr></thead><tbody>${rows}</tbody></table>`
      : '';
    return `<section class="ship-section" id="ship-templates"><h3>模板库</h3>
<p class="notice failed" id="library-error">${e(view.library.message)}</p>${used}</section>`;
  }
  const templates = [...view.library.templates].sort((a, b) => b.createTime - a.createTime);
  const listed = new Set(templates.map((t) => t.templateId));
  const missing = view.inUse.filter((t) => !listed.has(t.templateId));
  const full = templates.length >= TEMPLATE_CAP - 10;
  const rows = templates
    .map(
      (t) => `<tr data-template="${t.templateId}"${inUse.has(t.templateId) ? ' class="ship-in-use"' : ''}>
<td>${t.templateId}</td><td>${e(t.userVersion)}</td><td>${e(t.userDesc)}</td><td>${formatTime(t.createTime * 1000)}</td><td>${usedBy(t.templateId)}</td></tr>`,
    )
    .concat(
      missing.map(
        (t) =>
          `<tr data-template="${t.templateId}" class="ship-missing"><td>${t.templateId}</td><td colspan="3">不在模板库中（可能已被删除）：进行中的任务提交新商家时会失败</td><td>${usedBy(t.templateId)}</td></tr>`,
      ),
    )
    .join('\n');
  const body = rows
    ? `<table class="console-table ship-templates"><thead><tr><th scope="col">模板 ID</th><th scope="col">版本</th><th scope="col">描述</th><th scope="col">加入模板库</th><th scope="col">使用中的任务</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="placeholder">模板库是空的。</p>';
  return `<section class="ship-section" id="ship-templates"><h3>模板库 <small>${templates.length} / ${TEMPLATE_CAP}</small></h3>
${full ? `<p class="notice failed">模板库快满了（微信最多保留 ${TEMPLATE_CAP} 个）：用 <code>npm run template -- prune --keep &lt;n&gt;</code> 清理旧模板（使用中的模板不会被删除）。</p>` : ''}
${body}
<p class="console-note">新模板用 <code>npm run template -- upload</code> 上传并加入模板库；删除和清理用 <code>npm run template -- delete / prune</code>，使用中的模板不会被删除。</p>
</section>`;
}

function listSummary(view: ShippingListView): string {
  const attention = view.jobs.filter((j) => nextSteps(j.job, j.outlook).length > 0).length;
  return attention > 0
    ? `<div class="summary attention" id="ship-summary">${attention} 个发布任务需要处理：看「下一步」一列。</div>`
    : `<div class="summary" id="ship-summary">没有需要处理的发布任务。</div>`;
}

/** `/shipping`: what needs doing, the jobs, the template library. */
export function shippingListHtml(view: ShippingListView): string {
  return `<section class="console-shipping">${listSummary(view)}${jobsSection(view)}${templatesSection(view)}</section>`;
}

/** Which merchants the job page lists. */
export const MERCHANT_FILTERS = {
  all: { label: '全部', stages: Object.keys(SHIP_STAGE_LOOK) },
  problems: { label: '需要处理（失败、未通过、跳过）', stages: ['failed', 'rejected', 'skipped'] },
  passed: { label: '审核通过待发布', stages: ['audit_passed'] },
  auditing: { label: '审核中', stages: ['submitting', 'submitted'] },
  released: { label: '已发布', stages: ['releasing', 'released'] },
} as const;
export type MerchantFilter = keyof typeof MERCHANT_FILTERS;
export const isMerchantFilter = (value: string | undefined): value is MerchantFilter =>
  value !== undefined && Object.prototype.hasOwnProperty.call(MERCHANT_FILTERS, value);

export interface JobPageView {
  job: ShipJobView;
  outlook: ShipJobOutlook;
  merchants: ShipItem[];
  /** Names of the merchants' mini-programs, by appid (absent: not in our records). */
  names: Map<string, string>;
  filter: MerchantFilter;
  offset: number;
  next: number | null;
  pageSize: number;
  /** The shell's hidden CSRF field (trusted HTML). */
  formGuardHtml: string;
  /** The last command's result (trusted HTML), or ''. */
  notice: string;
  links: ShippingLinks;
}

/** WeChat's (or our) reason a merchant stopped or waits, with what to do; null when none. */
function reasonOf(item: ShipItem): ShipReason | null {
  if (item.stage === 'failed' || item.stage === 'rejected' || item.stage === 'skipped') return item.reason;
  if (item.stage === 'submitted' || item.stage === 'releasing' || item.stage === 'released') return item.note;
  return null;
}

/** Who has to act on a merchant that stopped: the merchant (and where in 小程序后台) or the provider. */
function fixerOf(item: ShipItem): string {
  if (item.stage !== 'rejected' && item.stage !== 'skipped' && item.stage !== 'failed') return '';
  const advice = item.stage === 'rejected' ? rejectionAdvice(item.reason.message) : shipmentAdvice(item.reason);
  return advice.fixer === 'merchant'
    ? `<br><small class="ship-fixer" data-fixer="merchant">需要商家处理：${e(advice.action)}</small>`
    : '<br><small class="ship-fixer" data-fixer="provider">由服务商处理</small>';
}

function stageDetail(item: ShipItem): string {
  if (item.stage === 'released' || item.stage === 'releasing') {
    const share = item.release.mode === 'full' ? '全量' : `灰度 ${item.release.percentage}%`;
    return item.stage === 'released' ? `${share} · ${formatTime(item.releasedAt)}` : share;
  }
  if (item.stage === 'submitted') return `提交于 ${formatTime(item.audit.submittedAt)}`;
  return '';
}

function rowCommand(view: JobPageView, item: ShipItem, command: string, label: string, question: string): string {
  return `<form method="post" action="${e(view.links.commandUrl(view.job.jobId))}" data-confirm="${e(question)}">${view.formGuardHtml}
<input type="hidden" name="command" value="${command}"><input type="hidden" name="appid" value="${e(item.appid)}">
<button type="submit" class="small" data-command="${command}">${label}</button></form>`;
}

function rowCommands(view: JobPageView, item: ShipItem): string {
  const name = view.names.get(item.appid) ?? item.appid;
  const forms: string[] = [];
  if (item.stage === 'failed')
    forms.push(rowCommand(view, item, 'retry', '重试', `重新开始「${name}」的发布？会再提交一次审核，占用 1 次提审额度。`));
  if (item.stage === 'audit_passed')
    forms.push(rowCommand(view, item, 'release', '发布', `把「${name}」审核通过的版本发布上线？`));
  if (['audit_passed', 'released', 'releasing', 'submitted', 'queued', 'ready', 'committed'].includes(item.stage))
    forms.push(
      rowCommand(
        view,
        item,
        'rollback',
        item.stage === 'released' ? '回退' : '停止',
        item.stage === 'released'
          ? `把「${name}」回退到上一个线上版本？`
          : `停止「${name}」的这次发布？（已提交的审核会照常结束，但不会发布）`,
      ),
    );
  return `<div class="ship-row-actions">${forms.join('')}</div>`;
}

function merchantRow(view: JobPageView, item: ShipItem): string {
  const look = stageLook(item.stage);
  const reason = reasonOf(item);
  const why = reason ? `${e(reason.message)}${e(errcodeWords(reason.errcode))}` : '—';
  const todo = reason ? `${e(reason.action)}${fixerOf(item)}` : '—';
  const detail = stageDetail(item);
  return `<tr data-appid="${e(item.appid)}" data-stage="${item.stage}">
<td>${e(view.names.get(item.appid) ?? '（不在授权账号中）')}<br><code>${e(item.appid)}</code></td>
<td class="ship-stage ship-tone-${look.tone}">${e(look.label)}${detail ? `<br><small>${e(detail)}</small>` : ''}</td>
<td>${why}</td><td>${todo}</td><td>${rowCommands(view, item)}</td></tr>`;
}

function merchantsSection(view: JobPageView): string {
  const filters = (Object.keys(MERCHANT_FILTERS) as MerchantFilter[])
    .map((key) => {
      const href = view.links.job(view.job.jobId, new URLSearchParams(key === 'all' ? {} : { show: key }));
      const current = key === view.filter ? ' aria-current="true"' : '';
      return `<a id="show-${key}" href="${e(href)}"${current}>${e(MERCHANT_FILTERS[key].label)}</a>`;
    })
    .join('');
  const params = (offset: number) =>
    new URLSearchParams({
      ...(view.filter === 'all' ? {} : { show: view.filter }),
      ...(offset > 0 ? { offset: String(offset) } : {}),
    });
  const prev = view.offset > 0 ? Math.max(0, view.offset - view.pageSize) : null;
  const link = (to: number | null, label: string, rel: string) =>
    to === null
      ? `<span class="disabled">${label}</span>`
      : `<a rel="${rel}" href="${e(view.links.job(view.job.jobId, params(to)))}">${label}</a>`;
  const from = view.merchants.length ? view.offset + 1 : 0;
  const body = view.merchants.length
    ? `<table class="console-table ship-merchants"><thead><tr><th scope="col">商家小程序</th><th scope="col">状态</th><th scope="col">微信给的原因</th><th scope="col">怎么处理</th><th scope="col">操作</th></tr></thead>
<tbody>${view.merchants.map((m) => merchantRow(view, m)).join('\n')}</tbody></table>`
    : '<p class="console-empty" id="merchants-empty">没有这类商家。</p>';
  return `<section class="ship-section" id="ship-merchants"><h3>商家</h3>
<nav class="ship-filters">${filters}</nav>
${body}
<nav class="console-pager">${link(prev, '上一页', 'prev')} <span id="merchants-range">第 ${from}–${view.offset + view.merchants.length} 个</span> ${link(view.next, '下一页', 'next')}</nav>
</section>`;
}

function commandForm(view: JobPageView, command: string, label: string, question: string, fields = '', primary = false): string {
  return `<form class="ship-command" id="command-${command}" method="post" action="${e(view.links.commandUrl(view.job.jobId))}" data-confirm="${e(question)}">${view.formGuardHtml}
<input type="hidden" name="command" value="${command}">${fields}<button type="submit"${primary ? ' class="primary"' : ''}>${label}</button></form>`;
}

const appidField = (hint: string) =>
  `<label>AppID <input name="appid" maxlength="18" pattern="wx[0-9a-zA-Z]{16}" placeholder="${e(hint)}"></label>`;

function commandsSection(view: JobPageView): string {
  const { job } = view;
  const title = `版本 ${job.userVersion}`;
  const forms = [
    job.state === 'running'
      ? commandForm(
          view,
          'pause',
          '暂停任务',
          `暂停「${title}」？暂停后不再提交新的审核，已提交的审核照常进行。`,
          '<label>暂停原因 <input name="reason" required maxlength="200" placeholder="例如：等运营确认文案"></label>',
        )
      : '',
    job.state === 'paused'
      ? commandForm(view, 'resume', '恢复任务', `恢复「${title}」？定时任务会继续提交和发布。`, '', true)
      : '',
    commandForm(
      view,
      'release',
      '发布已通过的',
      `发布「${title}」审核已通过的商家？`,
      `${appidField('不填：全部已通过的')}<label>灰度比例 <input name="percentage" type="number" min="1" max="100" placeholder="不填：全量"></label>`,
      job.state !== 'paused' && count(job, 'audit_passed') > 0,
    ),
    commandForm(
      view,
      'retry',
      '重试失败的',
      `重试「${title}」失败的商家？每个会再提交一次审核，占用提审额度。`,
      appidField('不填：全部失败的'),
    ),
    commandForm(
      view,
      'rollback',
      '回退',
      `回退「${title}」？已发布的商家回到上一个线上版本，其余的停止发布。`,
      appidField('不填：整个任务'),
    ),
  ];
  return `<section class="ship-section" id="ship-commands"><h3>操作 <small>每项操作都会记入「操作记录」</small></h3>
<div class="ship-commands">${forms.join('')}</div></section>`;
}

/** `/shipping/<jobId>`: the job, what to do next, its quota, its commands and its merchants. */
export function jobPageHtml(view: JobPageView): string {
  const { job, outlook } = view;
  const steps = nextSteps(job, outlook);
  const notes = settledNotes(job);
  const summary = steps.length
    ? `<div class="summary attention" id="ship-next"><strong>下一步</strong><ul>${steps.map((s) => `<li>${e(s)}</li>`).join('')}</ul></div>`
    : `<div class="summary" id="ship-next">${job.state === 'done' ? '任务已结束，不需要操作。' : '不需要操作：定时任务每 5 分钟推进一次，审核结果由微信推送。'}</div>`;
  const quota = quotaWords(outlook);
  const wave =
    job.openWave < 0
      ? '还没有开启任何批次'
      : `当前第 ${job.openWave + 1} 批（共 ${outlook.waves} 批），本批还可提审 ${outlook.submitBudget} 次`;
  const nextWave = outlook.nextWave
    ? `下一批 ${outlook.nextWave.merchants} 个商家：上一批审核全部结束、且驳回率不超过 ${Math.round(outlook.rejectionThreshold * 100)}% 时开启`
    : '已是最后一批';
  return `<section class="console-shipping console-ship-job">
<p><a href="${e(view.links.list)}">← 发布到商家</a></p>
${view.notice}
<h3 class="ship-title">版本 ${e(job.userVersion)} ${stateBadge(job)}</h3>
<dl class="console-facts">
  <dt>任务 ID</dt><dd><code>${e(job.jobId)}</code></dd>
  <dt>模板</dt><dd>${job.templateId}</dd>
  <dt>发布方式</dt><dd>${e(releaseWords(job))}</dd>
  <dt>创建</dt><dd>${formatTime(job.createdAt)}（最近变动 ${formatTime(job.updatedAt)}）</dd>
</dl>
${summary}
${notes.length ? `<ul class="ship-notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}
<div class="ship-panels">
<section class="card" id="ship-progress"><h3>进度</h3><p>${doneShare(job)}</p><p>${e(progressWords(job))}</p></section>
<section class="card${quota.short ? ' warn' : ''}" id="ship-quota"><h3>提审额度</h3><p>${e(quota.text)}</p><p>${e(wave)}；${e(nextWave)}。</p></section>
</div>
${commandsSection(view)}
${merchantsSection(view)}
</section>`;
}
