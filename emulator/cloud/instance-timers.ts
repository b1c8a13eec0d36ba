/**
 * A function instance's own timers. When the instance ends (a crash, or its timeout) a real
 * container would be gone and its timers with it; here the abandoned run stays in the process, so
 * its timers are unref'd: they may still fire, but they no longer keep the process (a test run)
 * alive after everything else has closed.
 */
type Callback = (...args: unknown[]) => void;
type TimerId = NodeJS.Timeout | string | number | undefined;

export interface InstanceTimers {
  setTimeout(callback: Callback, ms?: number, ...args: unknown[]): NodeJS.Timeout;
  setInterval(callback: Callback, ms?: number, ...args: unknown[]): NodeJS.Timeout;
  clearTimeout(timer: TimerId): void;
  clearInterval(timer: TimerId): void;
  /** The instance has ended: its pending and later timers stop holding the process. */
  end(): void;
}

export function instanceTimers(): InstanceTimers {
  const live = new Set<NodeJS.Timeout>();
  let ended = false;
  const track = (timer: NodeJS.Timeout) => {
    if (ended) timer.unref();
    else live.add(timer);
    return timer;
  };
  const forget = (timer: TimerId) => {
    if (typeof timer === 'object') live.delete(timer);
  };
  return {
    setTimeout(callback, ms, ...args) {
      const timer: NodeJS.Timeout = setTimeout(() => {
        live.delete(timer);
        callback(...args);
      }, ms);
      return track(timer);
    },
    setInterval: (callback, ms, ...args) => track(setInterval(callback, ms, ...args)),
    clearTimeout(timer) {
      forget(timer);
      clearTimeout(timer);
    },
    clearInterval(timer) {
      forget(timer);
      clearInterval(timer);
    },
    end() {
      ended = true;
      for (const timer of live) timer.unref();
      live.clear();
    },
  };
}
