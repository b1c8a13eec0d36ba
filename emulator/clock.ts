/**
 * A clock that tests can move forward without sleeping.
 *
 * The Open Platform emulator and the local cloud runtime share one instance in a local stack,
 * so "two hours later" means the same thing to WeChat's side and to the cloud function.
 */
export class Clock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, as the emulated world sees it. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds, the unit WeChat uses in payloads. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advance() takes a non-negative number of seconds');
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/**
 * A `Date` constructor whose "now" follows the clock. The cloud runtime hands it to the function
 * bundle in place of the global `Date`, so the function's own time moves with the clock too.
 */
export function clockedDate(clock: Clock): DateConstructor {
  const Base = Date;
  class ClockedDate extends Base {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(clock.now());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return clock.now();
    }
  }
  return ClockedDate as unknown as DateConstructor;
}
