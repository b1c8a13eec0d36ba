/**
 * The time one timer run may spend, in elapsed time (`performance.now`, never the wall clock; the
 * local emulator moves both with its clock): work stops well before the function's timeout would
 * kill the run.
 */
export class TimeBudget {
  private readonly endsAt: number;

  constructor(ms: number) {
    this.endsAt = performance.now() + ms;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  /** Whether `ms` more work still fits. */
  allows(ms = 0): boolean {
    return this.remainingMs() > ms;
  }

  /** A budget ending `fraction` of the remaining time from now (for a step that must leave room). */
  share(fraction: number): TimeBudget {
    return new TimeBudget(this.remainingMs() * fraction);
  }
}

/** Runs `work` on each item, at most `limit` at once, starting none once `budget` has run out. */
export async function eachWithin<T>(
  items: T[],
  limit: number,
  budget: TimeBudget,
  work: (item: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  let started = 0;
  const lane = async () => {
    while (next < items.length && budget.allows()) {
      const item = items[next++];
      started += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return started;
}
