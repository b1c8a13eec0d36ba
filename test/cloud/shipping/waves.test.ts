/** The job's side of shipping, pure: waves, the submission budget, a wave's verdict. */
import { submitBudget, waveOf, waveVerdict } from '../../../cloudfunctions/authorization/src/shipping/waves';

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
