/**
 * A clock that tests can move forward without sleeping.
 *
 * The Open Platform emulator and the local cloud runtime share one instance in a local stack,
 * so "two hours later" means the same thing to WeChat's side and to the cloud function. The
 * function's timers and `performance.now()` follow it too (`setTimer`, `monotonicNow`): moving the
 * clock is time passing for every wait the function is in.
 */
export interface ClockOptions {
  /**
   * Virtual waits: when nothing the function started is running (no `hold()` is open) and it
   * still waits on timers, time jumps to the next one instead of passing in real time. The
   * outcome then depends on the order of events, never on the machine's speed. Default false.
   */
  virtualWaits?: boolean;
}

/** A pending timer on the clock; shaped like Node's `Timeout` so function code can use it as one. */
export class ClockTimer {
  /** When it fires, on the clock's monotonic scale (`monotonicNow`). */
  dueAt: number;
  /** Node's timer behind it, armed for the real time left until `dueAt`. */
  real: NodeJS.Timeout | undefined;
  private referenced = true;

  constructor(
    private readonly clock: Clock,
    readonly callback: () => void,
    readonly ms: number,
    readonly repeat: boolean,
  ) {
    this.dueAt = clock.monotonicNow() + ms;
  }

  hasRef(): boolean {
    return this.referenced;
  }

  /** A timer that is not referenced neither keeps the process alive nor is waited for by virtual waits. */
  ref(): this {
    this.referenced = true;
    this.real?.ref();
    this.clock.changed();
    return this;
  }

  unref(): this {
    this.referenced = false;
    this.real?.unref();
    this.clock.changed();
    return this;
  }

  refresh(): this {
    this.dueAt = this.clock.monotonicNow() + this.ms;
    this.clock.rearm(this);
    return this;
  }

  [Symbol.toPrimitive](): number {
    return Number(this.real?.[Symbol.toPrimitive]() ?? 0);
  }
}

export class Clock {
  private offsetMs = 0;
  /** Every move forward, never undone (not even by `reset`): keeps `monotonicNow` monotonic. */
  private movedMs = 0;
  private readonly timers = new Set<ClockTimer>();
  /** Whether this clock runs virtual waits (see ClockOptions); only then do holds count. */
  readonly virtualWaits: boolean;
  private holds = 0;
  private checkPending = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: ClockOptions = {}) {
    this.virtualWaits = options.virtualWaits ?? false;
  }

  /** Milliseconds since the epoch, as the emulated world sees it. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds, the unit WeChat uses in payloads. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** `performance.now()` as the function sees it: real elapsed time plus every move of the clock. */
  monotonicNow(): number {
    return performance.now() + this.movedMs;
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advance() takes a non-negative number of seconds');
    this.moveBy(seconds * 1000);
  }

  reset(): void {
    this.offsetMs = 0;
  }

  /** Calls `callback` once the clock has moved `ms` on (by real time passing, `advance`, or a virtual wait). */
  setTimer(callback: () => void, ms: number, repeat = false): ClockTimer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : repeat ? 1 : 0;
    const timer = new ClockTimer(this, callback, delay, repeat);
    this.timers.add(timer);
    this.rearm(timer);
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    clearTimeout(timer.real);
    if (this.timers.delete(timer)) this.changed();
  }

  /**
   * Work in flight that time must not jump over (a database call, an HTTP request): virtual waits
   * stay off until the returned release is called (once; later calls do nothing). A clock without
   * virtual waits counts no holds.
   */
  hold(): () => void {
    if (!this.virtualWaits) return () => undefined;
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.changed();
    };
  }

  /**
   * Resolves once nothing holds the clock and no referenced timer is pending (a run's leftovers are
   * done). Holds count only with virtual waits, so without them this waits for the timers alone.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.changed();
    });
  }

  /** Something the waits depend on changed: look again once the event loop has run what is ready. */
  changed(): void {
    // Only virtual waits and whenIdle need the check: other clocks skip it (timers call this often).
    if (this.checkPending || (!this.virtualWaits && this.idleWaiters.length === 0)) return;
    this.checkPending = true;
    // Two turns: callbacks of I/O already done, and the promise chains they resume, run first.
    setImmediate(() =>
      setImmediate(() => {
        this.checkPending = false;
        this.settle();
      }),
    );
  }

  /** Re-arms Node's timer behind `timer` for the time now left until it is due. */
  rearm(timer: ClockTimer): void {
    clearTimeout(timer.real);
    timer.real = setTimeout(() => this.fire(timer), Math.max(timer.dueAt - this.monotonicNow(), 0));
    if (!timer.hasRef()) timer.real.unref();
    this.changed();
  }

  private moveBy(ms: number): void {
    this.offsetMs += ms;
    this.movedMs += ms;
    const pending = [...this.timers].sort((a, b) => a.dueAt - b.dueAt);
    for (const timer of pending) this.rearm(timer);
  }

  private fire(timer: ClockTimer): void {
    if (!this.timers.has(timer)) return;
    // Node may fire a millisecond early by the clock's reckoning: wait out the rest.
    if (timer.dueAt > this.monotonicNow()) return this.rearm(timer);
    if (timer.repeat) timer.refresh();
    else this.timers.delete(timer);
    this.changed();
    timer.callback();
  }

  private settle(): void {
    if (this.holds > 0) return;
    const waited = [...this.timers].filter((timer) => timer.hasRef());
    if (waited.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    if (!this.virtualWaits) return;
    const next = Math.min(...waited.map((timer) => timer.dueAt));
    const ahead = next - this.monotonicNow();
    if (ahead > 0) this.moveBy(ahead);
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

/** A `performance` whose `now()` follows the clock; the rest is Node's own. */
export function clockedPerformance(clock: Clock): typeof performance {
  const now = () => clock.monotonicNow();
  return new Proxy(performance, {
    get(target, key) {
      if (key === 'now') return now;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
