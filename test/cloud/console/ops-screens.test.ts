/**
 * The problems 代理调用 and 全网发布 list, from the admin actions' views: which count, which are
 * history, and that a caller's own strings are escaped (the browser test draws the screens).
 */
import type { BrokerCallerView, CallerApiUsage, ReleaseStatus } from '../../../typings/api';
import { callerProblems } from '../../../cloudfunctions/authorization/src/console/proxyScreen';
import { releaseBlockers } from '../../../cloudfunctions/authorization/src/console/releaseScreen';

const AT = Date.UTC(2026, 11, 4, 3);
const row = (api: string, lastOutcome: number | string, extra: Partial<CallerApiUsage> = {}): CallerApiUsage => ({
  api,
  calls: 3,
  errors: 0,
  refused: typeof lastOutcome === 'string' ? 2 : 0,
  lastOutcome,
  lastAt: AT,
  ...extra,
});
const caller = (usage: CallerApiUsage[], extra: Partial<BrokerCallerView> = {}): BrokerCallerView => ({
  way: 'http',
  id: 'orders',
  revoked: false,
  legacyScope: false,
  scope: { ops: ['call'], apis: ['/cgi-bin/message/'], appids: '*' },
  totals: { calls: 0, errors: 0, refused: 0, lastAt: AT },
  usage,
  ...extra,
});

describe('代理调用 problems', () => {
  test('a row refused now is a problem with the missing part named; one that succeeded since is not', () => {
    const problems = callerProblems(
      caller([
        row('call', 'SCOPE_DENIED', { lastMissing: { part: 'api', value: '/wxa/getwxacode' } }),
        row('token', 'SCOPE_DENIED', { lastMissing: { part: 'operation', value: 'token' } }),
        row('/cgi-bin/message/custom/send', 0, { refused: 4 }),
      ]),
    );
    expect(problems.map((p) => p.id)).toEqual(['refused-http-orders-call', 'refused-http-orders-token']);
    expect(problems[0].fix).toContain('apis 加上 <code>/wxa/getwxacode</code>');
    expect(problems[1].fix).toContain('ops 加上 <code>token</code>');
  });

  test('a revoked key: only that it is still used counts, not its refusals from before', () => {
    const usage = [row('call', 'SCOPE_DENIED'), row('auth', 'KEY_REVOKED')];
    const retired = callerProblems(caller(usage, { revoked: true }));
    expect(retired.map((p) => p.id)).toEqual(['refused-http-orders-auth']);
    expect(retired[0].text).toContain('仍有服务在用');
    // Reinstated: its old KEY_REVOKED row is history.
    expect(callerProblems(caller(usage)).map((p) => p.id)).toEqual(['refused-http-orders-call']);
  });

  test('a key without a scope is a problem; a caller’s strings are escaped', () => {
    const problems = callerProblems(
      caller([row('<img src=x>', 'API_NOT_SERVED')], {
        id: '<b>k</b>',
        legacyScope: true,
        scope: { ops: ['list'], apis: [], appids: '*' },
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0].text).toContain('没有写权限范围');
    // The id is escaped where it becomes an attribute; text and fix are HTML already.
    expect(problems.map((p) => p.text + p.fix).join('')).not.toMatch(/<b>|<img/);
    expect(problems[1].text).toContain('&lt;img src=x&gt;');
  });
});

describe('全网发布 blockers', () => {
  const status = (extra: Partial<ReleaseStatus>): ReleaseStatus => ({
    released: false,
    testList: [],
    alwaysItems: [],
    messageCases: [],
    testAccounts: [],
    jobs: { pending: 0, done: 0, failed: 0 },
    messageForwarding: false,
    messages: [],
    ...extra,
  });

  test('before release: no test list, an account not yet authorized, failed replies; each with a fix', () => {
    expect(releaseBlockers(status({})).map((b) => b.id)).toEqual(['no-test-list']);
    const blockers = releaseBlockers(
      status({
        testList: [
          { userName: 'gh_aaaaaaaaaaaa', authorizedAppid: 'wx0123456789abcdef', name: '店' },
          { userName: 'gh_bbbbbbbbbbbb', authorizedAppid: null, name: null },
        ],
        jobs: { pending: 0, done: 3, failed: 1 },
      }),
    );
    expect(blockers.map((b) => b.id)).toEqual(['test-list-unauthorized', 'reply-failed']);
    expect(blockers[0].text).toContain('gh_bbbbbbbbbbbb');
    expect(blockers[0].text).not.toContain('gh_aaaaaaaaaaaa');
    expect(blockers.every((b) => b.fix.length > 0)).toBe(true);
  });

  test('once released, an empty test list is no longer in the way', () => {
    expect(releaseBlockers(status({ released: true }))).toEqual([]);
  });
});
