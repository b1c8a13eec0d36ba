/** The one status model (miniprogram/shared/status.ts), as pages and the function's web pages use it. */
import { ACCOUNT_STATE, ACCOUNT_STATES, accountState, AUTH_OUTCOME, TONE_COLOR } from '../../../miniprogram/shared/status';

const SET = { id: 1, name: '消息管理' };

test.each([
  ['active', [], 'ok', '正常'],
  ['active', [SET], 'needs_permissions', '需补充权限'],
  ['needs_reauth', [], 'needs_reauth', '需重新授权'],
  ['needs_reauth', [SET], 'needs_reauth', '需重新授权'],
  ['revoked', [], 'revoked', '已取消'],
  ['revoked', [SET], 'revoked', '已取消'],
] as const)('%s with %j missing is %s (%s)', (status, missingSets, state, label) => {
  expect(accountState({ status, missingSets })).toBe(state);
  expect(ACCOUNT_STATE[accountState({ status, missingSets })].label).toBe(label);
});

test('each state has its own colour and word; every state but 正常 offers an action', () => {
  const looks = ACCOUNT_STATES.map((state) => ACCOUNT_STATE[state]);
  expect(new Set(looks.map((look) => look.tone)).size).toBe(ACCOUNT_STATES.length);
  expect(new Set(looks.map((look) => look.label)).size).toBe(ACCOUNT_STATES.length);
  expect(ACCOUNT_STATES.filter((state) => ACCOUNT_STATE[state].action === '')).toEqual(['ok']);
});

test('the unchanged outcome is neutral-positive: neither success green nor a warning colour', () => {
  expect(AUTH_OUTCOME.unchanged).toEqual({ title: '授权未变更', tone: 'primary' });
  expect(TONE_COLOR[AUTH_OUTCOME.unchanged.tone]).not.toBe(TONE_COLOR.success);
  expect(['warning', 'danger']).not.toContain(AUTH_OUTCOME.unchanged.tone);
});
