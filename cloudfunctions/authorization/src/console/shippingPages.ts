/**
 * 发布到商家 mounted in the console: the jobs and the template library (`/shipping`), one job
 * (`/shipping/<jobId>`) and its commands (POST `…/command`). Reads and commands are the shipping
 * module's and the admin actions' own (`shipJobs`, `shipJobStatus`'s outlook, `shipJobCommand`
 * with its input schema); this file only wires them to the pages and the audit log.
 */
import type { ShipJobCommandInput } from '../../../../typings/api';
import type { App } from '../app';
import { handlers } from '../actions/handlers';
import { INPUT_PARSE } from '../actions/inputErrors';
import { schemas } from '../actions/schemas';
import { errcodeOf } from '../broker/proxy';
import { BrokerRefusal } from '../broker/refusal';
import { brokerOf } from '../broker/services';
import type { HttpResponse } from '../http/core';
import { escapeHtml } from '../http/html';
import { jobMerchants, jobSummary, templatesInUse } from '../shipping/jobActions';
import { jobOutlook, sharedQuota } from '../shipping/jobOutlook';
import { errcodeAdvice } from '../../../../miniprogram/shared/wechatErrors';
import { audited, auditTarget } from './audit';
import { redirect, type ConsoleSite } from './http';
import { csrfField } from './layout';
import type { ItemPage, ScreenContext } from './screen';
import type { ConsoleSession } from './signin';
import {
  isMerchantFilter,
  jobPageHtml,
  MERCHANT_FILTERS,
  shippingLinks,
  shippingListHtml,
  type JobWithOutlook,
  type LibraryTemplate,
  type TemplateLibrary,
} from './shippingScreen';
import type { ShipStage } from '../shipping/stages';

const JOBS_PER_PAGE = 20;
const MERCHANTS_PER_PAGE = 50;
const JOB_ID = /^ship-[0-9a-f]{24}$/;

/** The commands and their words in notices (the admin page's commands). */
const COMMANDS = {
  pause: '暂停任务',
  resume: '恢复任务',
  release: '发布已通过的',
  retry: '重试失败的',
  rollback: '回退',
} as const;
type Command = keyof typeof COMMANDS;
const isCommand = (value: string | null | undefined): value is Command =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, value);

/** A refused form field, said without echoing the form back (the address carries only the field's name). */
const FIELD_PROBLEMS: Record<string, string> = {
  reason: '请填写暂停原因（不超过 200 字）。',
  appid: 'AppID 格式不正确：应为 wx 开头的 18 位字符。',
  percentage: '灰度比例须为 1–100 的整数，不填则全量发布。',
};

const ADMIN = (session: ConsoleSession) => ({ openid: session.openid, isAdmin: true });

const pageOf = (value: string | undefined, max: number) => {
  const n = Number.parseInt(value ?? '1', 10);
  return Number.isFinite(n) && n >= 1 && n <= max ? n : 1;
};

export async function renderShipping(ctx: ScreenContext): Promise<string> {
  const { app, session } = ctx;
  const page = pageOf(ctx.query.page, 10_000);
  const listed = await handlers.shipJobs(app, ADMIN(session), { offset: (page - 1) * JOBS_PER_PAGE, limit: JOBS_PER_PAGE + 1 });
  const jobs: JobWithOutlook[] = [];
  // The outlook asks WeChat for the quota: only for jobs still going, once for the whole screen.
  const askQuota = sharedQuota(app.shipping);
  for (const job of listed.jobs.slice(0, JOBS_PER_PAGE)) {
    jobs.push({ job, outlook: job.state === 'done' ? null : await jobOutlook(app.shipping, job.jobId, askQuota) });
  }
  const [library, inUse] = await Promise.all([templateLibrary(app), templatesInUse(app.shipping)]);
  return shippingListHtml({
    jobs,
    page,
    hasNext: listed.jobs.length > JOBS_PER_PAGE,
    library,
    inUse: inUse.templates,
    links: shippingLinks(ctx.site.root),
  });
}

export async function renderShipJob(ctx: ScreenContext, jobId: string): Promise<ItemPage | null> {
  const { app } = ctx;
  if (!JOB_ID.test(jobId) || !(await app.repositories.shipJobs.get(jobId))) return null;
  const filter = isMerchantFilter(ctx.query.show) ? ctx.query.show : 'all';
  const requested = Number.parseInt(ctx.query.offset ?? '0', 10);
  const offset = Number.isFinite(requested) && requested >= 0 && requested <= 1_000_000 ? requested : 0;
  const stages = MERCHANT_FILTERS[filter].stages as readonly ShipStage[];
  const [job, outlook, page] = await Promise.all([
    jobSummary(app.shipping, jobId),
    jobOutlook(app.shipping, jobId),
    jobMerchants(app.shipping, jobId, stages, offset, MERCHANTS_PER_PAGE),
  ]);
  const docs = await app.repositories.authorizers.byIds(page.merchants.map((m) => m.appid));
  const names = new Map([...docs].map(([appid, doc]) => [appid, doc.name || appid]));
  const html = jobPageHtml({
    job,
    outlook,
    merchants: page.merchants,
    names,
    filter,
    offset,
    next: page.next,
    pageSize: MERCHANTS_PER_PAGE,
    formGuardHtml: csrfField(ctx.session.csrf),
    notice: await commandNotice(ctx, jobId),
    links: shippingLinks(ctx.site.root),
  });
  return { title: `发布任务 · 版本 ${job.userVersion}`, html };
}

/**
 * A command from the job page: the admin action's input schema, then the action itself, in the
 * audit log (target: job · command · appid). 303 back to the job page with the result.
 */
export async function shipCommand(
  app: App,
  site: ConsoleSite,
  session: ConsoleSession,
  jobId: string,
  form: URLSearchParams,
): Promise<HttpResponse | null> {
  if (!JOB_ID.test(jobId)) return null;
  const command = form.get('command');
  const back = (params: Record<string, string>) => redirect(shippingLinks(site.root).job(jobId, new URLSearchParams(params)));
  if (!isCommand(command)) return back({ failed: 'unknown' });
  const parsed = schemas.shipJobCommand.safeParse(inputOf(jobId, command, form), INPUT_PARSE);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    return back({ failed: command, field: Object.hasOwn(FIELD_PROBLEMS, field) ? field : 'other' });
  }
  const input: ShipJobCommandInput = parsed.data;
  const entry = {
    openid: session.openid,
    source: 'console' as const,
    action: 'shipJobCommand',
    target: auditTarget('shipJobCommand', input),
  };
  try {
    const result = await audited(app, entry, () => handlers.shipJobCommand(app, ADMIN(session), input));
    return back({ done: command, moved: String(result.moved), busy: String(result.busy), more: result.more ? '1' : '0' });
  } catch {
    // Why is in the audit entry: the notice reads it from there (nothing but a name in the address).
    return back({ failed: command });
  }
}

/** Only the fields the command takes; an empty field is an absent one. */
function inputOf(jobId: string, command: Command, form: URLSearchParams): Record<string, unknown> {
  const given = (name: string) => {
    const value = form.get(name)?.trim();
    return value ? value : undefined;
  };
  const appid = given('appid');
  const percentage = given('percentage');
  switch (command) {
    case 'pause':
      return { jobId, action: command, reason: form.get('reason') ?? '' };
    case 'resume':
      return { jobId, action: command };
    case 'release':
      return {
        jobId,
        action: command,
        ...(appid ? { appid } : {}),
        ...(percentage ? { percentage: /^\d{1,3}$/.test(percentage) ? Number(percentage) : percentage } : {}),
      };
    case 'retry':
    case 'rollback':
      return { jobId, action: command, ...(appid ? { appid } : {}) };
  }
}

const boundedCount = (value: string | undefined) => {
  const n = Number.parseInt(value ?? '0', 10);
  return Number.isFinite(n) && n >= 0 && n <= 1_000_000 ? n : 0;
};

/** The last command's result, from the redirect's address (and, for a failure, the admin's own audit entry). */
async function commandNotice(ctx: ScreenContext, jobId: string): Promise<string> {
  const { query } = ctx;
  if (isCommand(query.done)) {
    const label = COMMANDS[query.done];
    const moved = boundedCount(query.moved);
    const busy = boundedCount(query.busy);
    const parts = [`已完成：${label}。`];
    if (query.done !== 'pause' && query.done !== 'resume') {
      parts.push(moved > 0 ? `${moved} 个商家已处理。` : '没有符合条件的商家，没有变化。');
    }
    if (busy > 0) parts.push(`${busy} 个商家正在被处理，稍后再点一次。`);
    if (query.more === '1') parts.push('还有更多商家（一次最多 200 个），请再点一次。');
    return `<div class="notice" id="notice">${escapeHtml(parts.join(''))}</div>`;
  }
  if (query.failed === undefined) return '';
  const label = isCommand(query.failed) ? COMMANDS[query.failed] : '操作';
  const why =
    query.field && Object.hasOwn(FIELD_PROBLEMS, query.field)
      ? FIELD_PROBLEMS[query.field]
      : isCommand(query.failed)
        ? await failureDetail(ctx, jobId, query.failed)
        : '不认识这个操作。';
  return `<div class="notice failed" id="notice">${escapeHtml(`没有完成：${label}。${why}`)}</div>`;
}

/** The reason this admin's newest failed command on the job carries in the audit log. */
async function failureDetail(ctx: ScreenContext, jobId: string, command: Command): Promise<string> {
  const { entries } = await ctx.app.repositories.consoleAudit.page(0, 20);
  const entry = entries.find(
    (e) => e.openid === ctx.session.openid && e.action === 'shipJobCommand' && e.target.startsWith(`${jobId} · ${command}`),
  );
  return entry?.outcome === 'failed' && entry.detail ? `原因：${entry.detail}` : '原因记在「操作记录」里。';
}

/** WeChat's code template library, read with the component token (the broker's own path). */
async function templateLibrary(app: App): Promise<TemplateLibrary> {
  try {
    const answer = await brokerOf(app).proxy.forComponent({ method: 'GET', path: '/wxa/gettemplatelist', query: {} });
    const errcode = errcodeOf(answer);
    // 85064: WeChat's answer for an empty library.
    if (errcode === 85064) return { ok: true, templates: [] };
    if (errcode !== 0) {
      const advice = errcodeAdvice(errcode);
      return { ok: false, message: `没能读取微信的模板库：${advice.title}（错误码 ${errcode}）。${advice.fix}` };
    }
    const body = JSON.parse(answer.body.toString('utf8')) as { template_list?: unknown };
    return { ok: true, templates: (Array.isArray(body.template_list) ? body.template_list : []).flatMap(templateOf) };
  } catch (error) {
    // A read for the page: whatever stopped it (no component token yet, WeChat silent), the jobs still show.
    app.log.warn('template library not read', { reason: error instanceof Error ? error.name : 'error' });
    const why = error instanceof BrokerRefusal ? '微信暂时没有应答' : '平台令牌或微信暂时不可用';
    return { ok: false, message: `没能读取微信的模板库：${why}，请稍后刷新。下面只列出发布任务正在使用的模板。` };
  }
}

function templateOf(raw: unknown): LibraryTemplate[] {
  const t = raw as Record<string, unknown>;
  if (typeof t?.template_id !== 'number') return [];
  return [
    {
      templateId: t.template_id,
      userVersion: typeof t.user_version === 'string' ? t.user_version : '',
      userDesc: typeof t.user_desc === 'string' ? t.user_desc : '',
      createTime: typeof t.create_time === 'number' ? t.create_time : 0,
    },
  ];
}
