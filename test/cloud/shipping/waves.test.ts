/** The job's side of shipping, pure: waves, the submission budget, a wave's verdict. */
import {
  grayScheduleOf,
  MAX_GRAY_SCHEDULE_MS,
  submitBudget,
  waveOf,
  waveVerdict,
} from '../../../cloudfunctions/authorization/src/shipping/waves';

test('waves: the canary first, then larger ones, the last size repeating', () => {
  const sizes = [2, 5];
  expect([0, 1, 2, 6, 7, 11, 12].map((i) => waveOf(i, sizes))).toEqual([0, 0, 1, 1, 2, 2, 3]);
  expect(waveOf(3, [])).toBe(3);
});

test('a wave never spends the reserve, nor more than its merchants', () => {
  expect(submitBudget(100, 10, 5)).toBe(5);
  expect(submitBudget(12, 10, 5)).toBe(2);
  expect(submitBudget(8, 10, 5)).toBe(0);
});

test('a wave is open while any audit is undecided; it stops the job past the rejection threshold', () => {
  expect(waveVerdict({ released: 3, submitted: 1 }, 0.2)).toEqual({ state: 'open', undecided: 1 });
  expect(waveVerdict({ released: 4, rejected: 1, skipped: 5 }, 0.2)).toEqual({ state: 'passed', rejectionRate: 0.2 });
  expect(waveVerdict({ released: 3, rejected: 2 }, 0.2)).toEqual({ state: 'stop', rejectionRate: 0.4 });
  expect(waveVerdict({ skipped: 3 }, 0.2)).toEqual({ state: 'passed', rejectionRate: 0 });
});

describe('the gray schedule of a job', () => {
  const schedule = (steps: number[], intervalMinutes = 60) => ({ graySchedule: { steps, intervalMinutes } });

  test('rising steps become the plan: the first is the gray percentage, minutes become ms', () => {
    expect(grayScheduleOf(schedule([5, 20, 50, 100], 30))).toEqual({
      grayPercentage: 5,
      graySchedule: { steps: [5, 20, 50, 100], intervalMs: 30 * 60_000 },
    });
    expect(grayScheduleOf({ grayPercentage: 5, ...schedule([5, 100]) }).grayPercentage).toBe(5);
    expect(grayScheduleOf({ grayPercentage: 30 })).toEqual({});
    expect(grayScheduleOf({ graySchedule: null })).toEqual({});
  });

  test.each([
    [[50], '2–10'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], '2–10'],
    [[20, 10], '逐步升高'],
    [[10, 10], '逐步升高'],
    [[0, 10], '1–100'],
    [[10, 101], '1–100'],
    [[10.5, 20], '1–100'],
  ])('steps %j are refused (%s)', (steps, words) => {
    expect(() => grayScheduleOf(schedule(steps))).toThrow(words);
  });

  test('the interval is whole minutes and the plan ends within 14 days (WeChat completes it on day 15)', () => {
    expect(() => grayScheduleOf(schedule([10, 50], 0))).toThrow('14 天');
    expect(() => grayScheduleOf(schedule([10, 50], 1.5))).toThrow('14 天');
    expect(grayScheduleOf(schedule([10, 50], MAX_GRAY_SCHEDULE_MS / 60_000)).graySchedule?.intervalMs).toBe(MAX_GRAY_SCHEDULE_MS);
    expect(() => grayScheduleOf(schedule([10, 50, 100], MAX_GRAY_SCHEDULE_MS / 60_000))).toThrow('14 天');
  });

  test('a gray percentage other than the first step is refused', () => {
    expect(() => grayScheduleOf({ grayPercentage: 10, ...schedule([5, 100]) })).toThrow('第一个比例');
  });
});
