/**
 * Issue 19, the operator's side: release jobs driven from a terminal or CI through the broker's
 * signed HTTP way in (the `ship` operation, real signing, real HTTP) on the local stack. A key
 * scoped to `ship` creates a job, follows it, pauses and resumes it, releases on command, rolls one
 * merchant back (WeChat's previous version is online again) and retries a failed one; a key
 * without `ship` is refused before anything is read or called.
 */
import { BrokerError, type ShipCreateInput } from '../../../clients/broker-client/src';
import { loadConfig } from '../../../cloudfunctions/authorization/src/config';
import { runTimer, seedMerchants, throughAudit as throughAuditOn } from './ship-steps';
import { brokerError, httpClient } from '../helpers/broker-stack';
import {
  act,
  ADMIN,
  docById,
  captureOutputOfFile,
  dataOf,
  MERCHANT,
  startRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(180_000);
const output = captureOutputOfFile();

const secret = (name: string) => `${name}-secret-0123456789abcdef0123456789abcdef`;
const KEYS = {
  releases: { id: 'releases', secret: secret('releases'), scope: { ops: ['ship'], appids: '*' } },
  lister: { id: 'lister', secret: secret('lister'), scope: { ops: ['list', 'call'], apis: ['/wxa/'], appids: '*' } },
};

let stack: RulesStack;
afterEach(() => stack?.close());

const merchants = (count: number) => seedMerchants(stack, count, 'ops');
const timer = () => runTimer(stack);
const throughAudit = () => throughAuditOn(stack);

function plan(userVersion: string, targets: string[], extra: Partial<ShipCreateInput> = {}): ShipCreateInput {
  const { templateId } = stack.openPlatform.codeManagement.uploadDraft({ userVersion, userDesc: 'ops', toTemplate: true });
  return {
    templateId: templateId!,
    userVersion,
    userDesc: '上新',
    extJsonTemplate: { extEnable: true, extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } },
    targets,
    ...extra,
  };
}

const code = (appid: string) => stack.openPlatform.codeManagement.app(appid)!;

test('a key scoped to ship runs a job: create, status, pause/resume, release on command, roll one back, retry a failed one', async () => {
  // The default functions root (the broker-caller function is not needed): the timer is the real one.
  stack = await startRulesStack({ functionEnv: { BROKER_CLIENT_KEYS: JSON.stringify(Object.values(KEYS)) } });
  const ops = httpClient(stack, KEYS.releases).ship;
  const [a, b, c] = await merchants(3);
  for (const appid of [a, b, c]) await ops.values(appid, { shopName: `店${appid.slice(-3)}` });

  // A first version online for `a`, so a rollback has something to go back to.
  const first = await ops.create(plan('1.0.0', [a]));
  expect(first).toEqual({ jobId: expect.stringMatching(/^ship-/), targets: 1 });
  await throughAudit();
  expect(code(a).online?.userVersion).toBe('1.0.0');

  // The second waits for the release command; `c`'s commit is refused with a code we do not know.
  stack.openPlatform.codeManagement.injectError(c, '/wxa/commit', 99999, 1);
  const { jobId } = await ops.create(plan('2.0.0', [a, b, c], { release: 'command' }));
  await expect(brokerError(ops.create(plan('2.0.0', [a])))).resolves.toMatchObject({
    code: 'INVALID_INPUT',
    message: expect.stringContaining('已有发布任务'),
  });

  const paused = await ops.pause(jobId, '等运营确认文案');
  expect(paused).toMatchObject({ state: 'paused' });
  await timer();
  expect(code(b)?.commits ?? 0).toBe(0);
  expect((await ops.status(jobId)).job).toMatchObject({
    state: 'paused',
    pause: { message: expect.stringContaining('等运营确认文案') },
  });
  await expect(brokerError(ops.pause(jobId, 'again'))).resolves.toMatchObject({ code: 'INVALID_INPUT' });
  expect(await ops.resume(jobId)).toMatchObject({ state: 'running' });

  await throughAudit();
  let status = await ops.status(jobId);
  expect(status.job).toMatchObject({ state: 'running', userVersion: '2.0.0', counts: { audit_passed: 2, failed: 1 } });
  expect(status.problems).toEqual([
    { appid: c, stage: 'failed', errcode: 99999, message: expect.stringContaining('上传代码'), action: expect.any(String) },
  ]);
  expect(code(a).online?.userVersion).toBe('1.0.0');

  // Retry: `c` starts again from its readiness, is committed, submitted and approved.
  expect(await ops.retry(jobId)).toMatchObject({ moved: 1, busy: 0 });
  await throughAudit();
  status = await ops.status(jobId);
  expect(status.job.counts).toEqual({ audit_passed: 3 });
  expect(status.problems).toEqual([]);
  expect(code(c)).toMatchObject({ submissions: 1 });

  // Nothing went online before the command.
  expect(code(b).online).toBeUndefined();
  expect(await ops.release(jobId)).toMatchObject({ moved: 3, busy: 0, more: false });
  for (const appid of [a, b, c]) expect(code(appid).online?.userVersion).toBe('2.0.0');

  // One merchant rolled back: WeChat serves its previous version again.
  expect(await ops.rollback(jobId, { appid: a })).toMatchObject({ moved: 1 });
  expect(code(a).online?.userVersion).toBe('1.0.0');
  expect(code(b).online?.userVersion).toBe('2.0.0');
  await timer();
  status = await ops.status(jobId);
  expect(status.job).toMatchObject({ state: 'done', counts: { released: 2, rolled_back: 1 } });

  // A key without `ship`: refused before anything is read; WeChat is not called.
  const calls = stack.openPlatform.authorizerCalls.length;
  const refused = await brokerError(httpClient(stack, KEYS.lister).ship.status(jobId));
  expect(refused).toBeInstanceOf(BrokerError);
  expect(refused).toMatchObject({ code: 'SCOPE_DENIED', scope: 'operation' });
  await expect(brokerError(httpClient(stack, KEYS.lister).ship.release(jobId))).resolves.toMatchObject({
    code: 'SCOPE_DENIED',
  });
  expect(stack.openPlatform.authorizerCalls.length).toBe(calls);
  // Bad input is named; the action comes from the path only.
  await expect(brokerError(ops.status('nope'))).resolves.toMatchObject({ code: 'INVALID_INPUT' });

  // The admin page's actions: the same job, for ADMIN_OPENIDS only.
  const { jobs } = dataOf(await act(stack, ADMIN, 'shipJobs', {}));
  expect(jobs.map((j: { userVersion: string }) => j.userVersion)).toEqual(['2.0.0', '1.0.0']);
  expect(dataOf(await act(stack, ADMIN, 'shipJobStatus', { jobId }))).toMatchObject({ job: { state: 'done' }, problems: [] });
  expect(dataOf(await act(stack, ADMIN, 'shipJobCommand', { jobId, action: 'rollback', appid: b }))).toMatchObject({
    moved: 1,
  });
  // `b` had no earlier version: WeChat refuses the revert (87012); it stays online with the reason noted.
  expect(code(b).online?.userVersion).toBe('2.0.0');
  expect(await docById(stack, 'shipItems', `${jobId}:${b}`)).toMatchObject({ stage: 'released', note: { errcode: 87012 } });
  for (const action of ['shipJobs', 'shipJobStatus', 'shipJobCommand'] as const) {
    const input = action === 'shipJobs' ? {} : { jobId, action: 'resume' };
    expect(await act(stack, MERCHANT, action, input as never)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }

  // Usage is counted per caller under the operation, refusals too.
  expect(await docById(stack, 'brokerCallerUsage', 'http:releases:ship')).toMatchObject({ calls: expect.any(Number) });
  expect(await docById(stack, 'brokerCallerUsage', 'http:lister:ship')).toMatchObject({ calls: 2, refused: 2 });

  for (const key of Object.values(KEYS)) expect(output.text()).not.toContain(key.secret);
  expect(output.text()).not.toMatch(/access_token=/);
});

test('a key with ship must cover every appid: refused when the configuration is loaded', async () => {
  stack = await startRulesStack();
  const problem = (scope: unknown) => {
    try {
      loadConfig({
        ...stack.functionEnv,
        BROKER_CLIENT_KEYS: JSON.stringify([{ id: 'narrow', secret: secret('narrow'), scope }]),
      });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  expect(problem({ ops: ['ship'], appids: ['wx0123456789abcdef'] })).toContain('ship operation must have appids "*"');
  expect(problem({ ops: ['ship'], appids: '*' })).toBe('');
});
