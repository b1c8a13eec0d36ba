import { Clock } from '../../emulator/clock';

/** Resolves after `ms` of real time (the clock's own timers are what is under test). */
const realPause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a timer fires when the clock is advanced past it, not before', async () => {
  const clock = new Clock();
  const fired: string[] = [];
  clock.setTimer(() => fired.push('30 s'), 30_000);
  const later = clock.setTimer(() => fired.push('90 s'), 90_000);
  await realPause(30);
  expect(fired).toEqual([]);
  clock.advance(60);
  await realPause(30);
  clock.clearTimer(later);
  expect(fired).toEqual(['30 s']);
});

test('without moves, a timer fires after its delay in real time', async () => {
  const clock = new Clock();
  const started = performance.now();
  await new Promise<void>((resolve) => clock.setTimer(resolve, 40));
  expect(performance.now() - started).toBeGreaterThanOrEqual(39);
});

test('monotonicNow moves with advance, and reset does not take it back', () => {
  const clock = new Clock();
  const before = clock.monotonicNow();
  clock.advance(10);
  clock.reset();
  expect(clock.monotonicNow() - before).toBeGreaterThanOrEqual(10_000);
});

test('a cleared timer never fires; an interval fires again until cleared', async () => {
  const clock = new Clock();
  let once = 0;
  let repeated = 0;
  clock.clearTimer(clock.setTimer(() => (once += 1), 1_000));
  const interval = clock.setTimer(() => (repeated += 1), 1_000, true);
  for (let i = 0; i < 3; i++) {
    clock.advance(1);
    await realPause(10);
  }
  clock.clearTimer(interval);
  clock.advance(5);
  await realPause(10);
  expect({ once, repeated }).toEqual({ once: 0, repeated: 3 });
});

describe('virtual waits', () => {
  test('time jumps to the next timer when nothing holds the clock', async () => {
    const clock = new Clock({ virtualWaits: true });
    const startedReal = performance.now();
    const startedClock = clock.monotonicNow();
    await new Promise<void>((resolve) => clock.setTimer(resolve, 3_600_000));
    expect(performance.now() - startedReal).toBeLessThan(1_000);
    expect(clock.monotonicNow() - startedClock).toBeGreaterThanOrEqual(3_600_000);
  });

  test('a hold keeps time from jumping until it is released', async () => {
    const clock = new Clock({ virtualWaits: true });
    const release = clock.hold();
    let fired = false;
    clock.setTimer(() => (fired = true), 60_000);
    await realPause(50);
    expect(fired).toBe(false);
    release();
    await clock.whenIdle();
    expect(fired).toBe(true);
  });

  test('an unref’d timer is not waited for, and whenIdle does not wait for it either', async () => {
    const clock = new Clock({ virtualWaits: true });
    let fired = false;
    clock.setTimer(() => (fired = true), 60_000).unref();
    await clock.whenIdle();
    await realPause(20);
    expect(fired).toBe(false);
  });

  test('a clock without virtual waits never jumps', async () => {
    const clock = new Clock();
    let fired = false;
    clock.setTimer(() => (fired = true), 60_000).unref();
    const ref = clock.setTimer(() => undefined, 60_000);
    await realPause(50);
    clock.clearTimer(ref);
    expect(fired).toBe(false);
  });
});
