/** Backoff between tries of a transient failure: exponential, with jitter so instances spread out. */

export interface RetryPolicy {
  /** Total tries for a transient failure (1 = no retry). */
  attempts: number;
  /** First delay; it doubles on each further try. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200 };

/** Delay before try `attempt + 1`: half of the exponential step is fixed, half random. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const step = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.round(step / 2 + random() * (step / 2));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new RangeError('retry.attempts must be an integer >= 1');
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0) throw new RangeError('retry.baseDelayMs must be >= 0');
  return policy;
}
