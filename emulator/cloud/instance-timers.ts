import { ClockTimer, type Clock } from '../clock';

/**
 * A function instance's own timers, on the runtime's clock: a wait of 500 ms ends once the clock
 * has moved 500 ms on, whether real time passed, a test advanced the clock or a virtual wait
 * jumped (clock.ts). When the instance ends (a crash, or its timeout) a real container would be
 * gone and its timers with it; here the abandoned run stays in the process, so its timers are
 * unref'd: they may still fire, but they no longer keep the process (a test run) alive after
 * everything else has closed, nor does a virtual wait wait for them.
 */
type Callback = (...args: unknown[]) => void;
type TimerId = ClockTimer | NodeJS.Timeout | string | number | undefined;

export interface InstanceTimers {
  setTimeout(callback: Callback, ms?: number, ...args: unknown[]): ClockTimer;
  setInterval(callback: Callback, ms?: number, ...args: unknown[]): ClockTimer;
  clearTimeout(timer: TimerId): void;
  clearInterval(timer: TimerId): void;
  /** The instance has ended: its pending and later timers stop holding the process. */
  end(): void;
}

export function instanceTimers(clock: Clock): InstanceTimers {
  const live = new Set<ClockTimer>();
  let ended = false;
  const start = (callback: Callback, ms: number | undefined, args: unknown[], repeat: boolean) => {
    const timer = clock.setTimer(
      () => {
        if (!repeat) live.delete(timer);
        callback(...args);
      },
      Number(ms ?? 0),
      repeat,
    );
    if (ended) timer.unref();
    else live.add(timer);
    return timer;
  };
  const clear = (timer: TimerId) => {
    if (!(timer instanceof ClockTimer)) return;
    live.delete(timer);
    clock.clearTimer(timer);
  };
  return {
    setTimeout: (callback, ms, ...args) => start(callback, ms, args, false),
    setInterval: (callback, ms, ...args) => start(callback, ms, args, true),
    clearTimeout: clear,
    clearInterval: clear,
    end() {
      ended = true;
      for (const timer of live) timer.unref();
      live.clear();
    },
  };
}
