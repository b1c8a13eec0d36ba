/**
 * Failures around the calls against the emulator: IP whitelist, daily quota, injected
 * system errors, dropped connections and slow answers (spec §0, §8.1, §9).
 */
import { CallRecord, isTransientError } from '../../../cloudfunctions/authorization/src/openapi';
import { clientFor, componentToken, Emulator, failureOf, freshTicket, LeakWatch, startEmulator } from './harness';

const watch = new LeakWatch();
const opened: Emulator[] = [];

async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const op = await startEmulator(options);
  opened.push(op);
  return op;
}

afterAll(async () => {
  await Promise.all(opened.map((op) => op.close()));
});

describe('configuration and quota errors are not retried', () => {
  it('61004 carries the caller IP WeChat saw', async () => {
    const op = await emulator({ ipAllowList: ['10.1.2.3'] });
    const api = clientFor(op, watch);
    const error = await failureOf(api.getComponentAccessToken(await freshTicket(op, watch)), watch);
    expect(error).toMatchObject({ errcode: 61004, category: 'configuration', attempts: 1 });
    expect(error.requestIp).toMatch(/127\.0\.0\.1$/);
    expect(error.errmsg).toContain('access clientip is not registered');
    expect(error.errmsg).not.toContain('rid:');
    expect(error.rid).toBeTruthy();
    expect(op.calls).toHaveLength(1);
  });

  it('45009 once the daily quota is used up', async () => {
    const op = await emulator({ dailyQuota: { api_create_preauthcode: 1 } });
    const api = clientFor(op, watch);
    const token = await componentToken(op, api, watch);
    await api.createPreAuthCode(token);
    op.resetCalls();
    const error = await failureOf(api.createPreAuthCode(token), watch);
    expect(error).toMatchObject({ errcode: 45009, category: 'quota', attempts: 1 });
    expect(op.calls).toHaveLength(1);
  });
});

describe('transient failures are retried with a bound', () => {
  let op: Emulator;
  let token: string;

  beforeAll(async () => {
    op = await emulator();
    token = await componentToken(op, clientFor(op, watch), watch);
  });

  afterEach(() => op.faults.clear());

  it('a single -1 system error is retried, then succeeds', async () => {
    const records: CallRecord[] = [];
    const api = clientFor(op, watch, { onCall: (r) => (watch.records.push(r), records.push(r)) });
    op.faults.inject({ api: 'api_create_preauthcode', errcode: -1, times: 1 });
    op.resetCalls();
    await expect(api.createPreAuthCode(token)).resolves.toHaveProperty('pre_auth_code');
    expect(records.map((r) => [r.api, r.attempt, r.errcode])).toEqual([
      ['api_create_preauthcode', 1, -1],
      ['api_create_preauthcode', 2, 0],
    ]);
    expect(op.calls.map((c) => c.errcode)).toEqual([-1, 0]);
  });

  it('a persistent -1 fails after the configured attempts', async () => {
    const api = clientFor(op, watch, { retry: { attempts: 2, baseDelayMs: 1 } });
    op.faults.inject({ api: 'api_create_preauthcode', errcode: -1 });
    op.resetCalls();
    const error = await failureOf(api.createPreAuthCode(token), watch);
    expect(error).toMatchObject({ errcode: -1, category: 'transient', failure: 'errcode', attempts: 2 });
    expect(op.calls).toHaveLength(2);
  });

  it('a dropped connection is retried, then succeeds', async () => {
    const records: CallRecord[] = [];
    const api = clientFor(op, watch, { onCall: (r) => (watch.records.push(r), records.push(r)) });
    op.faults.inject({ api: 'api_get_authorizer_list', drop: true, times: 1 });
    await expect(api.getAuthorizerList(token, 0, 10)).resolves.toHaveProperty('total_count');
    expect(records.map((r) => [r.attempt, r.errcode])).toEqual([
      [1, -1],
      [2, 0],
    ]);
  });

  it('connections dropped every time end in a transient network error', async () => {
    const api = clientFor(op, watch);
    op.faults.inject({ api: 'api_get_authorizer_list', drop: true });
    const error = await failureOf(api.getAuthorizerList(token, 0, 10), watch);
    expect(error).toMatchObject({ category: 'transient', failure: 'network', attempts: 3 });
    expect(error.networkCode).toBeTruthy();
    expect(isTransientError(error)).toBe(true);
  });

  it('an answer slower than timeoutMs is a transient timeout after the bounded attempts', async () => {
    const api = clientFor(op, watch, { timeoutMs: 150, retry: { attempts: 2, baseDelayMs: 1 } });
    op.faults.inject({ api: 'api_create_preauthcode', delayMs: 1500 });
    op.resetCalls();
    const error = await failureOf(api.createPreAuthCode(token), watch);
    expect(error).toMatchObject({ errcode: -1, category: 'transient', failure: 'timeout', attempts: 2 });
    expect(error.message).toBe('api_create_preauthcode failed: timeout (no complete answer within the timeout)');
    expect(op.calls.filter((c) => c.api === 'api_create_preauthcode').length).toBeLessThanOrEqual(2);
  });

  it('a slow answer within timeoutMs is fine', async () => {
    const api = clientFor(op, watch, { timeoutMs: 2000 });
    op.faults.inject({ api: 'api_create_preauthcode', delayMs: 100, times: 1 });
    await expect(api.createPreAuthCode(token)).resolves.toHaveProperty('pre_auth_code');
  });
});

describe('nothing exposed carries a secret', () => {
  it('no error message, error JSON or metrics record contains a token or secret', () => {
    expect(watch.errors.length).toBeGreaterThanOrEqual(5);
    expect(watch.leaks()).toEqual([]);
  });
});
