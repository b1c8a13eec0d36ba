import type { ShipJobOutlook } from '../../../../typings/api';
import { notFound } from '../errors';
import type { Shipping } from './shipping';
import type { ShipStage } from './stages';
import { waveOf } from './waves';

/**
 * What the admin page shows of a job's road ahead (issue 19): the audit quota its merchants still
 * need against what WeChat says is left (`queryquota`, asked once per look, only while merchants
 * still wait to be submitted), the open wave's budget, and the next wave with its size.
 */

/** Stages before the submission: each of these merchants will spend one unit of the monthly quota. */
const BEFORE_SUBMIT: readonly ShipStage[] = ['queued', 'preflight', 'committing', 'committed', 'ready'];
/** Targets tried for `queryquota` (it is provider-wide; any merchant's token answers it). */
const QUOTA_ASKERS = 3;

type Quota = ShipJobOutlook['quota'];

/**
 * One `queryquota` for several jobs' outlooks (one screen): the quota is the provider's, so the
 * first job's answer is every job's.
 */
export function sharedQuota(shipping: Shipping): (targets: string[]) => Promise<Quota> {
  let asked: Promise<Quota> | null = null;
  return (targets) => (asked ??= quotaOf(shipping, targets));
}

export async function jobOutlook(
  shipping: Shipping,
  jobId: string,
  askQuota: (targets: string[]) => Promise<Quota> = (targets) => quotaOf(shipping, targets),
): Promise<ShipJobOutlook> {
  const job = await shipping.deps.repositories.shipJobs.get(jobId);
  if (!job) throw notFound(`没有发布任务 ${jobId}`);
  const counts = await shipping.deps.repositories.shipItems.countByStage(jobId);
  const quotaNeeded = BEFORE_SUBMIT.reduce((n, stage) => n + (counts[stage] ?? 0), 0);
  const waves = job.targets.length === 0 ? 0 : waveOf(job.targets.length - 1, job.waveSizes) + 1;
  const next = job.openWave + 1;
  const nextSize = job.targets.filter((_, i) => waveOf(i, job.waveSizes) === next).length;
  return {
    quotaNeeded,
    quota: job.state !== 'done' && quotaNeeded > 0 ? await askQuota(job.targets) : null,
    reserve: job.quotaReserve,
    submitBudget: job.submitBudget,
    waves,
    nextWave: next < waves ? { index: next, merchants: nextSize } : null,
    rejectionThreshold: job.rejectionThreshold,
  };
}

async function quotaOf(shipping: Shipping, targets: string[]): Promise<Quota> {
  for (const appid of targets.slice(0, QUOTA_ASKERS)) {
    try {
      const { rest, limit } = await shipping.deps.api.queryQuota(appid);
      return { rest, limit };
    } catch (error) {
      shipping.deps.log.warn('queryquota failed', { appid, error: error instanceof Error ? error.name : typeof error });
    }
  }
  return null;
}
