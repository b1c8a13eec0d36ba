import type { ShipStage } from './stages';

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
