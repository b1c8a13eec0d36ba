import type { ShipJobDoc } from '../model';
import type { TimeBudget } from '../timer/budget';
import type { Quota } from './api';
import type { Shipping } from './shipping';
import { SETTLED_STAGES, type ShipReason, type ShipStage } from './stages';
import { WAIT } from './transitions';
import { submitBudget, waveVerdict } from './waves';

/**
 * The timer's share of shipping: resume the jobs paused for quota once `queryquota` shows some,
 * open each running job's next wave with the submissions the quota allows, stop a job whose wave
 * was rejected too often, move the items that are due, poll the audits WeChat has been silent
 * about, and finish a job when every merchant is settled.
 */
export interface ShipJobsOptions {
  /** An open audit with no event nor poll for this long is polled (`get_auditstatus`). */
  silentAuditMs?: number;
  /** Jobs looked at per run. */
  jobsPerRun?: number;
  /** Items moved at once (each move is a few WeChat calls, mostly waiting on the network). */
  concurrency?: number;
}

export interface ShipJobsReport {
  resumed: number;
  wavesOpened: number;
  stopped: number;
  moved: number;
  polled: number;
  finished: number;
}

const QUOTA_PAUSE = 85085;
/** Stages that end a merchant's part in a job (released: done unless a command moves it on). */
const DONE_STAGES: readonly ShipStage[] = [...SETTLED_STAGES, 'released'];
/** Items not yet submitted: what a refilled budget may still be spent on. */
const UNSUBMITTED: readonly ShipStage[] = ['queued', 'preflight', 'committing', 'committed', 'ready'];
/** Targets tried for `queryquota` (provider-wide, asked with any authorizer's token). */
const QUOTA_ASKERS = 3;
/** Items asked for per read: the database's page (spec cloud-runtime §3). */
const PAGE = 100;

export async function runShipJobs(
  shipping: Shipping,
  budget: TimeBudget,
  options: ShipJobsOptions = {},
): Promise<ShipJobsReport> {
  const { shipJobs, shipItems } = shipping.deps.repositories;
  const { jobsPerRun = 20, concurrency = 16, silentAuditMs = WAIT.pollMs } = options;
  const report: ShipJobsReport = { resumed: 0, wavesOpened: 0, stopped: 0, moved: 0, polled: 0, finished: 0 };
  for (const id of await shipJobs.idsInState('paused', jobsPerRun)) {
    if (budget.allows()) report.resumed += Number(await resumeForQuota(shipping, id));
  }
  const running = await shipJobs.idsInState('running', jobsPerRun);
  const lanes: Lanes = { budget, concurrency, longestMs: 0 };
  for (const id of running) {
    if (budget.allows()) await reviewJob(shipping, id, report);
    await makeWaveDue(shipping, id, budget);
  }
  if (running.length > 0) {
    report.moved = await moveAll(shipping, new Feed((limit) => shipItems.findDue(running, limit)), lanes);
  }
  const silent = new Feed((limit) => shipItems.findSilentAudits(shipping.deps.now() - silentAuditMs, limit));
  report.polled = await moveAll(shipping, silent, lanes);
  return report;
}

/**
 * Item ids a page at a time, each once per run: the next page is read when a lane finds the
 * queue empty (items being moved are claimed, so the query no longer returns them).
 */
class Feed {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();
  private reading: Promise<void> | null = null;
  private ended = false;

  constructor(private readonly read: (limit: number) => Promise<string[]>) {}

  async next(): Promise<string | null> {
    while (this.queue.length === 0 && !this.ended) {
      this.reading ??= this.readPage().finally(() => (this.reading = null));
      await this.reading;
    }
    return this.queue.shift() ?? null;
  }

  private async readPage(): Promise<void> {
    const fresh = (await this.read(PAGE)).filter((id) => !this.seen.has(id));
    fresh.forEach((id) => this.seen.add(id));
    if (fresh.length === 0) this.ended = true;
    this.queue.push(...fresh);
  }
}

/** The run's moves: how many at once, within what budget, and the longest one so far. */
interface Lanes {
  budget: TimeBudget;
  concurrency: number;
  longestMs: number;
}

/**
 * Moves the feed's items, `concurrency` at once. A move is started only while the budget has room
 * for the longest move of this run so far: one started just before the end runs on past it (a
 * few WeChat calls and writes, longer when the database is slow).
 */
async function moveAll(shipping: Shipping, feed: Feed, lanes: Lanes): Promise<number> {
  const room = () => lanes.budget.allows(lanes.longestMs);
  let moved = 0;
  const lane = async () => {
    for (let id = room() ? await feed.next() : null; id !== null; id = room() ? await feed.next() : null) {
      const started = performance.now();
      try {
        if (await shipping.move(id)) moved += 1;
      } catch (error) {
        // A transient failure: the claim's time runs out and a later run carries on.
        shipping.deps.log.warn('ship item not moved', { id, error: error instanceof Error ? error.message : String(error) });
      }
      const took = performance.now() - started;
      lanes.longestMs = Math.max(lanes.longestMs, took);
    }
  };
  await Promise.all(Array.from({ length: lanes.concurrency }, lane));
  return moved;
}

/**
 * The open wave's queued items made due a page at a time while the budget allows (the rest in the
 * next run). Also what finishes an opening that died between the job's write and its items'.
 */
async function makeWaveDue(shipping: Shipping, id: string, budget: TimeBudget): Promise<void> {
  const job = await shipping.deps.repositories.shipJobs.get(id);
  if (job?.state !== 'running' || job.openWave < 0) return;
  while (budget.allows() && (await shipping.deps.repositories.shipItems.openWavePage(id, job.openWave)) > 0);
}

/** Counts saved; finished when every merchant is done; else the open wave judged, the next one opened. */
async function reviewJob(shipping: Shipping, id: string, report: ShipJobsReport): Promise<void> {
  const { shipJobs, shipItems } = shipping.deps.repositories;
  const job = await shipJobs.get(id);
  if (!job || job.state !== 'running') return;
  const counts = await shipItems.countByStage(id);
  await shipJobs.saveCounts(id, counts);
  // A released merchant waiting for its next gray step keeps the job running.
  if (allDone(counts) && (await shipItems.nextGrayStepAt(id)) === null) {
    await shipJobs.finish(id);
    report.finished += 1;
    return;
  }
  const verdict = job.openWave < 0 ? null : waveVerdict(await shipItems.countByStage(id, job.openWave), job.rejectionThreshold);
  if (verdict?.state === 'stop') {
    report.stopped += Number(await shipJobs.pause(id, rejectedWave(job.openWave, verdict.rejectionRate)));
  } else if (verdict === null || verdict.state === 'passed') {
    report.wavesOpened += Number(await openNextWave(shipping, job));
  } else if (job.submitBudget === 0) {
    await refill(shipping, job);
  }
}

function allDone(counts: Partial<Record<ShipStage, number>>): boolean {
  return Object.entries(counts).every(([stage, n]) => !n || DONE_STAGES.includes(stage as ShipStage));
}

/** The next wave, with the submissions `queryquota` leaves above the job's reserve. */
async function openNextWave(shipping: Shipping, job: ShipJobDoc): Promise<boolean> {
  const { shipJobs, shipItems } = shipping.deps.repositories;
  const wave = job.openWave + 1;
  const merchants = total(await shipItems.countByStage(job._id, wave));
  if (merchants === 0) return false;
  const quota = await quotaFor(shipping, job);
  if (!quota) return false;
  // Its items are made due right after, a page at a time (makeWaveDue).
  if (!(await shipJobs.openWave(job._id, wave, submitBudget(quota.rest, job.quotaReserve, merchants)))) return false;
  shipping.deps.log.info('ship wave opened', { jobId: job._id, wave, merchants, quotaRest: quota.rest });
  return true;
}

/** The open wave's budget ran out while merchants still wait to submit: ask `queryquota` again. */
async function refill(shipping: Shipping, job: ShipJobDoc): Promise<void> {
  const { shipJobs, shipItems } = shipping.deps.repositories;
  const counts = await shipItems.countByStage(job._id, job.openWave);
  if ((counts.ready ?? 0) === 0) return;
  const quota = await quotaFor(shipping, job);
  const waiting = UNSUBMITTED.reduce((n, stage) => n + (counts[stage] ?? 0), 0);
  if (quota) await shipJobs.refillBudget(job._id, submitBudget(quota.rest, job.quotaReserve, waiting));
}

/** A job paused for the month's quota (85085) runs again once `queryquota` shows quota above the reserve. */
async function resumeForQuota(shipping: Shipping, id: string): Promise<boolean> {
  const { shipJobs } = shipping.deps.repositories;
  const job = await shipJobs.get(id);
  if (job?.state !== 'paused' || job.pause?.errcode !== QUOTA_PAUSE) return false;
  const quota = await quotaFor(shipping, job);
  if (!quota || quota.rest - job.quotaReserve <= 0) return false;
  if (!(await shipJobs.resume(id))) return false;
  shipping.deps.log.info('ship job resumed', { jobId: id, quotaRest: quota.rest });
  await refill(shipping, { ...job, state: 'running', submitBudget: 0 });
  return true;
}

/** `queryquota` through the first of the job's merchants whose token answers; null when none does. */
async function quotaFor(shipping: Shipping, job: ShipJobDoc): Promise<Quota | null> {
  for (const appid of job.targets.slice(0, QUOTA_ASKERS)) {
    try {
      return await shipping.deps.api.queryQuota(appid);
    } catch (error) {
      shipping.deps.log.warn('queryquota failed', { appid, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return null;
}

function total(counts: Partial<Record<ShipStage, number>>): number {
  return Object.values(counts).reduce((n, c) => n + (c ?? 0), 0);
}

function rejectedWave(wave: number, rate: number): ShipReason {
  return {
    errcode: null,
    message: `第 ${wave + 1} 批审核驳回率 ${Math.round(rate * 100)}% 超过阈值`,
    action: '按审核意见修改模板后用新版本重新发布；确认无需修改时手动恢复任务（不会自动恢复）',
  };
}
