import { invalidInput } from '../errors';
import { MAX_GRAY_STEPS, type GraySchedule, type ShipStage } from './stages';

/**
 * The job's side of shipping, pure: which wave a merchant ships in, how many submissions a wave
 * may spend, and whether a wave's audits let the job go on. The job runner (not wired yet) reads
 * `queryquota` before each wave and counts the wave's items by stage.
 */

/** The wave of the target at `index` (0-based): sizes in order, the last size repeating. */
export function waveOf(index: number, waveSizes: readonly number[]): number {
  const sizes = waveSizes.length > 0 ? waveSizes : [1];
  let start = 0;
  for (let wave = 0; ; wave++) {
    const size = Math.max(sizes[Math.min(wave, sizes.length - 1)], 1);
    if (index < start + size) return wave;
    start += size;
  }
}

/** Submissions a wave may spend: what `queryquota` leaves minus the reserve, at most the wave's merchants. */
export function submitBudget(quotaRest: number, reserve: number, waveMerchants: number): number {
  return Math.max(0, Math.min(quotaRest - reserve, waveMerchants));
}

/** Stages of an item whose audit WeChat approved. */
const APPROVED: readonly ShipStage[] = ['audit_passed', 'releasing', 'released', 'rolling_back', 'rolled_back'];
/** Stages of an item still on its way to an audit result. */
const UNDECIDED: readonly ShipStage[] = ['queued', 'preflight', 'committing', 'committed', 'ready', 'submitting', 'submitted'];

export type WaveVerdict =
  { state: 'open'; undecided: number } | { state: 'passed'; rejectionRate: number } | { state: 'stop'; rejectionRate: number };

/**
 * A wave is decided when none of its items waits for an audit; it stops the job when the share of
 * rejected audits among the decided ones passes the threshold (skipped merchants do not count:
 * they say nothing about the template).
 */
export function waveVerdict(counts: Partial<Record<ShipStage, number>>, threshold: number): WaveVerdict {
  const sum = (stages: readonly ShipStage[]) => stages.reduce((n, stage) => n + (counts[stage] ?? 0), 0);
  const undecided = sum(UNDECIDED);
  if (undecided > 0) return { state: 'open', undecided };
  const rejected = counts.rejected ?? 0;
  const audited = rejected + sum(APPROVED);
  const rejectionRate = audited === 0 ? 0 : rejected / audited;
  return { state: rejectionRate > threshold ? 'stop' : 'passed', rejectionRate };
}

/** WeChat completes a gray plan by itself on day 15 (spec §5.2): a schedule ends before. */
export const MAX_GRAY_SCHEDULE_MS = 14 * 24 * 3600_000;

/**
 * The job's gray schedule from its input: rising whole percentages 1–100, at most
 * MAX_GRAY_STEPS, a whole number of minutes apart, ending within MAX_GRAY_SCHEDULE_MS. Its first
 * step is the job's gray percentage (a different one given as well is refused). Empty: none.
 */
export function grayScheduleOf(input: {
  grayPercentage?: number | null;
  graySchedule?: { steps: number[]; intervalMinutes: number } | null;
}): { grayPercentage?: number; graySchedule?: GraySchedule } {
  const schedule = input.graySchedule;
  if (schedule === undefined || schedule === null) return {};
  const { steps, intervalMinutes } = schedule;
  if (!Array.isArray(steps) || steps.length < 2 || steps.length > MAX_GRAY_STEPS)
    throw invalidInput(`灰度计划须有 2–${MAX_GRAY_STEPS} 个比例`);
  if (!steps.every((p, i) => Number.isInteger(p) && p >= 1 && p <= 100 && (i === 0 || p > steps[i - 1])))
    throw invalidInput('灰度计划的比例须为 1–100 的整数，且逐步升高');
  const intervalMs = intervalMinutes * 60_000;
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1 || intervalMs * (steps.length - 1) > MAX_GRAY_SCHEDULE_MS)
    throw invalidInput('灰度间隔须为整数分钟，且整个灰度计划在 14 天内完成（微信在第 15 天自动全量）');
  const gray = input.grayPercentage;
  if (gray !== undefined && gray !== null && gray !== steps[0]) throw invalidInput('灰度比例须等于灰度计划的第一个比例');
  return { grayPercentage: steps[0], graySchedule: { steps: [...steps], intervalMs } };
}
