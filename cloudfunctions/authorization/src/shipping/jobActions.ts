import type {
  ShipCommandResult,
  ShipGrayState,
  ShipJobSummary,
  ShipNote,
  ShipProblem,
  ShipStatus,
  ShipTemplateInUse,
} from '../../../../clients/broker-client/src/wire';
import { invalidInput, notFound } from '../errors';
import type { ShipJobDoc } from '../model';
import { createShipJob, type ShipJobInput } from './createJob';
import type { Shipping } from './shipping';
import {
  NEVER,
  SETTLED_STAGES,
  SHIP_STAGES,
  shipItemIdFor,
  type ShipInput,
  type ShipItem,
  type ShipReason,
  type ShipStage,
} from './stages';

/**
 * The release job's operations, for every way in (the broker's `ship`, the admin actions): create,
 * follow, pause, resume, release, roll back, retry, and the merchants' values. Commands that move
 * merchants give the workflow an input (`moveShipItem`); nothing here writes a stage.
 */

/** Merchants one command moves; a bigger job answers `more` and the command is sent again. */
export const COMMAND_BATCH = 200;
const PROBLEM_STAGES: ShipProblem['stage'][] = ['failed', 'rejected', 'skipped'];
const RELEASE_STAGES: ShipGrayState['stage'][] = ['releasing', 'released'];
/** Running and paused jobs read for the templates in use (far more than ever run at once). */
const MAX_ACTIVE_JOBS = 1000;
const APPID = /^wx[0-9a-zA-Z]{16}$/;
const MAX_VALUES = 50;

export function createJob(shipping: Shipping, input: ShipJobInput) {
  return createShipJob(shipping.deps, input);
}

/**
 * The job, its merchants per stage counted now, and one page each of the ones that stopped with
 * why, the ones left in place with a reason (notes), and the released ones with their percentage.
 */
export async function jobStatus(shipping: Shipping, jobId: string, offset = 0, limit = 50): Promise<ShipStatus> {
  const { shipItems } = shipping.deps.repositories;
  const job = await jobOf(shipping, jobId);
  const counts = await shipItems.countByStage(jobId);
  const pages = [
    await shipItems.findInJob(jobId, PROBLEM_STAGES, limit + 1, offset),
    await shipItems.findNoted(jobId, limit + 1, offset),
    await shipItems.findInJob(jobId, RELEASE_STAGES, limit + 1, offset),
  ];
  const [problems, notes, releases] = await Promise.all(pages.map((ids) => recordsOf(shipping, ids.slice(0, limit))));
  return {
    job: summaryOf(job, counts, await shipItems.nextGrayStepAt(jobId)),
    problems: problems.flatMap(problemOf),
    notes: notes.flatMap(noteOf),
    releases: releases.flatMap(releaseOf),
    next: pages.some((ids) => ids.length > limit) ? offset + limit : null,
  };
}

/** The templates that running and paused jobs ship, so `npm run template -- prune` keeps them. */
export async function templatesInUse(shipping: Shipping): Promise<{ templates: ShipTemplateInUse[] }> {
  const { shipJobs } = shipping.deps.repositories;
  const byTemplate = new Map<number, ShipTemplateInUse>();
  for (const state of ['running', 'paused'] as const) {
    for (const id of await shipJobs.idsInState(state, MAX_ACTIVE_JOBS)) {
      const job = await shipJobs.get(id);
      if (job?.state !== state) continue;
      const entry = byTemplate.get(job.plan.templateId) ?? { templateId: job.plan.templateId, jobs: [] };
      entry.jobs.push({ jobId: job._id, state, userVersion: job.plan.userVersion });
      byTemplate.set(job.plan.templateId, entry);
    }
  }
  return { templates: [...byTemplate.values()].sort((a, b) => a.templateId - b.templateId) };
}

async function recordsOf(shipping: Shipping, ids: string[]): Promise<ShipItem[]> {
  const stored = await Promise.all(ids.map((id) => shipping.deps.repositories.shipItems.get(id)));
  return stored.flatMap((item) => (item ? [item.record] : []));
}

function problemOf(record: ShipItem): ShipProblem[] {
  if (record.stage !== 'failed' && record.stage !== 'rejected' && record.stage !== 'skipped') return [];
  return [{ appid: record.appid, stage: record.stage, ...record.reason }];
}

function noteOf(record: ShipItem): ShipNote[] {
  if (record.stage !== 'submitted' && record.stage !== 'releasing' && record.stage !== 'released') return [];
  return record.note ? [{ appid: record.appid, stage: record.stage, ...record.note }] : [];
}

/** Releasing: the percentage being sent; released: the share online now (a full release: 100). */
function releaseOf(record: ShipItem): ShipGrayState[] {
  if (record.stage !== 'releasing' && record.stage !== 'released') return [];
  const percentage = record.release.mode === 'full' ? 100 : record.release.percentage;
  const nextStepAt = record.stage === 'released' && record.dueAt < NEVER ? record.dueAt : null;
  return [{ appid: record.appid, stage: record.stage, percentage, nextStepAt }];
}

/** One job as the lists show it (the console's job page). */
export async function jobSummary(shipping: Shipping, jobId: string): Promise<ShipJobSummary> {
  const job = await jobOf(shipping, jobId);
  const { shipItems } = shipping.deps.repositories;
  return summaryOf(job, await shipItems.countByStage(jobId), await shipItems.nextGrayStepAt(jobId));
}

/** A page of the job's merchants in these stages, in appid order, each as it stands now. */
export async function jobMerchants(
  shipping: Shipping,
  jobId: string,
  stages: readonly ShipStage[],
  offset = 0,
  limit = 50,
): Promise<{ merchants: ShipItem[]; next: number | null }> {
  const ids = await shipping.deps.repositories.shipItems.findInJob(jobId, [...stages], limit + 1, offset);
  const merchants = await recordsOf(shipping, ids.slice(0, limit));
  return { merchants, next: ids.length > limit ? offset + limit : null };
}

/** The newest jobs first (the admin page's list). */
export async function listJobs(shipping: Shipping, offset = 0, limit = 20): Promise<ShipJobSummary[]> {
  const jobs = await shipping.deps.repositories.shipJobs.newest(limit, offset);
  const { shipItems } = shipping.deps.repositories;
  return Promise.all(jobs.map(async (job) => summaryOf(job, job.counts, await shipItems.nextGrayStepAt(job._id))));
}

/** The operator pauses a running job: the timer leaves its merchants alone until it is resumed. */
export async function pauseJob(shipping: Shipping, jobId: string, reason: string): Promise<ShipCommandResult> {
  await jobOf(shipping, jobId);
  const text = reason.trim();
  if (!text) throw invalidInput('请填写暂停原因');
  const pause: ShipReason = { errcode: null, message: `人工暂停：${text}`, action: '处理后手动恢复任务（不会自动恢复）' };
  if (!(await shipping.deps.repositories.shipJobs.pause(jobId, pause))) throw invalidInput('任务不在运行中，无法暂停');
  return result(shipping, jobId, 0, 0, false);
}

/** Resumes a paused job, whatever paused it; the submissions come back with the next `queryquota`. */
export async function resumeJob(shipping: Shipping, jobId: string): Promise<ShipCommandResult> {
  await jobOf(shipping, jobId);
  if (!(await shipping.deps.repositories.shipJobs.resume(jobId))) throw invalidInput('任务未暂停');
  return result(shipping, jobId, 0, 0, false);
}

/**
 * Releases the approved merchants (all, or one appid); with a percentage, gray where an online
 * version exists, and a gray release already out is raised to it (100 or null: everyone).
 */
export async function releaseJob(
  shipping: Shipping,
  jobId: string,
  appid?: string,
  percentage: number | null = null,
): Promise<ShipCommandResult> {
  if (percentage !== null && !(Number.isInteger(percentage) && percentage >= 1 && percentage <= 100))
    throw invalidInput('灰度比例须为 1–100');
  await jobOf(shipping, jobId);
  return command(shipping, jobId, ['audit_passed', 'released'], { kind: 'release_command', percentage }, appid);
}

/** Rolls back one merchant or the whole job: released ones reverted, the others stopped. */
export async function rollbackJob(shipping: Shipping, jobId: string, appid?: string): Promise<ShipCommandResult> {
  await jobOf(shipping, jobId);
  const moving = SHIP_STAGES.filter((stage) => !SETTLED_STAGES.includes(stage) && stage !== 'rolling_back');
  return command(shipping, jobId, moving, { kind: 'rollback_command' }, appid);
}

/**
 * Starts failed merchants again from their readiness (see `retry` in transitions.ts). A finished
 * job runs again so the timer carries them on.
 */
export async function retryJob(shipping: Shipping, jobId: string, appid?: string): Promise<ShipCommandResult> {
  const { shipJobs, shipItems } = shipping.deps.repositories;
  await jobOf(shipping, jobId);
  const ids = await idsFor(shipping, jobId, ['failed'], appid);
  if (ids.length > 0) await shipJobs.reopen(jobId);
  for (const id of ids) await shipItems.reopenFailed(id);
  return moveAll(shipping, jobId, ids, { kind: 'retry_command' });
}

/** Replaces one merchant's values (the next job's ext_json uses them; a job in progress keeps its copy). */
export async function setMerchantValues(shipping: Shipping, appid: string, values: Record<string, string>) {
  if (!APPID.test(appid)) throw invalidInput(`appid 无效：${appid}`);
  const entries = Object.entries(values ?? {});
  if (entries.length > MAX_VALUES) throw invalidInput(`最多 ${MAX_VALUES} 个配置项`);
  if (entries.some(([key, value]) => !/^[A-Za-z0-9_]{1,64}$/.test(key) || typeof value !== 'string' || value.length > 1024))
    throw invalidInput('配置项名须为 1–64 个字母、数字或下划线，值为不超过 1024 个字符的文本');
  await shipping.deps.repositories.merchantShipValues.put(appid, Object.fromEntries(entries));
  return { appid, keys: entries.length };
}

async function command(shipping: Shipping, jobId: string, stages: ShipStage[], input: ShipInput, appid?: string) {
  return moveAll(shipping, jobId, await idsFor(shipping, jobId, stages, appid), input);
}

/** The merchants a command is for: one appid (when its item is in these stages), or a batch of the job's. */
async function idsFor(shipping: Shipping, jobId: string, stages: ShipStage[], appid?: string): Promise<string[]> {
  const { shipItems } = shipping.deps.repositories;
  if (appid !== undefined) {
    const stored = await shipItems.get(shipItemIdFor(jobId, appid));
    if (!stored) throw notFound(`任务中没有小程序 ${appid}`);
    return stages.includes(stored.record.stage) ? [stored.record.id] : [];
  }
  return shipItems.findInJob(jobId, stages, COMMAND_BATCH + 1);
}

async function moveAll(shipping: Shipping, jobId: string, ids: string[], input: ShipInput): Promise<ShipCommandResult> {
  let moved = 0;
  let busy = 0;
  const batch = ids.slice(0, COMMAND_BATCH);
  for (const id of batch) {
    const before = JSON.stringify((await shipping.deps.repositories.shipItems.get(id))?.record ?? null);
    const after = await shipping.move(id, input);
    if (after === null) busy += 1;
    else if (JSON.stringify(after.record) !== before) moved += 1;
  }
  return result(shipping, jobId, moved, busy, ids.length > COMMAND_BATCH);
}

async function result(shipping: Shipping, jobId: string, moved: number, busy: number, more: boolean): Promise<ShipCommandResult> {
  const job = await jobOf(shipping, jobId);
  return { jobId, state: job.state, moved, busy, more };
}

async function jobOf(shipping: Shipping, jobId: string): Promise<ShipJobDoc> {
  const job = typeof jobId === 'string' ? await shipping.deps.repositories.shipJobs.get(jobId) : null;
  if (!job) throw notFound(`没有发布任务 ${jobId}`);
  return job;
}

function summaryOf(job: ShipJobDoc, counts: Partial<Record<ShipStage, number>>, nextGrayStepAt: number | null): ShipJobSummary {
  return {
    jobId: job._id,
    state: job.state,
    userVersion: job.plan.userVersion,
    templateId: job.plan.templateId,
    release: job.plan.release,
    grayPercentage: job.plan.grayPercentage,
    graySchedule: job.plan.graySchedule
      ? { steps: job.plan.graySchedule.steps, intervalMinutes: job.plan.graySchedule.intervalMs / 60_000 }
      : null,
    nextGrayStepAt,
    pause: job.pause,
    targets: job.targets.length,
    openWave: job.openWave,
    counts: Object.fromEntries(Object.entries(counts).filter(([, n]) => (n ?? 0) > 0)),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
