/**
 * The page's schedule for asking the backend about a session after the plugin closes: quick at
 * first (the push usually lands within a second), then slower. About 16 s in all.
 */
export const POLL_SCHEDULE_MS: readonly number[] = [300, 500, 800, 1200, 2000, 3000, 3000, 3000, 3000];

export type PollVerdict<T> = { done: true; value: T } | { done: false };

/**
 * Calls `check` after each delay of the schedule until it reports done; resolves undefined when
 * the schedule runs out. `isCancelled` lets a page stop polling when it is hidden or unloaded.
 */
export async function pollUntil<T>(
  check: () => Promise<PollVerdict<T>>,
  options: { schedule?: readonly number[]; isCancelled?: () => boolean; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T | undefined> {
  const schedule = options.schedule ?? POLL_SCHEDULE_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (const delay of schedule) {
    await sleep(delay);
    if (options.isCancelled?.()) return undefined;
    const verdict = await check();
    if (verdict.done) return verdict.value;
  }
  return undefined;
}
