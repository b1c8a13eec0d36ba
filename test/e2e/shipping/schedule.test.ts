/**
 * Issue 19, the job's later features over the broker's signed HTTP way in, on the local stack: a
 * gray schedule the timer raises step by step (held while the job is paused, 100 completes
 * WeChat's plan), the notes a job's status shows for merchants left in place with a reason
 * (a delayed audit, a release WeChat refuses for now, a refused rollback), and `npm run template`
 * never deleting a template a running job ships.
 */
import { TEMPLATE_APIS } from '../../../scripts/ship/template-library';
import { EXIT } from '../../../scripts/ship/cli';
import type { ShipCreateInput } from '../../../clients/broker-client/src';
import { runTemplateCli } from '../../ship/template-helpers';
import { runTimer, seedMerchants, throughAudit as throughAuditOn } from './ship-steps';
import { httpClient } from '../helpers/broker-stack';
import { act, ADMIN, captureOutputOfFile, dataOf, startRulesStack, type RulesStack } from '../helpers/rules-stack';

jest.setTimeout(240_000);
const output = captureOutputOfFile();

const secret = (name: string) => `${name}-secret-0123456789abcdef0123456789abcdef`;
const KEYS = {
  releases: { id: 'releases', secret: secret('releases'), scope: { ops: ['ship'], appids: '*' } },
  templates: {
    id: 'templates',
    secret: secret('templates'),
    scope: { ops: ['component', 'ship'], apis: Object.values(TEMPLATE_APIS), appids: '*' },
  },
  libraryOnly: {
    id: 'library-only',
    secret: secret('library-only'),
    scope: { ops: ['component'], apis: Object.values(TEMPLATE_APIS), appids: '*' },
  },
};
const HOUR_S = 3600;

let stack: RulesStack;
afterEach(() => stack?.close());

async function start(): Promise<void> {
  stack = await startRulesStack({ functionEnv: { BROKER_CLIENT_KEYS: JSON.stringify(Object.values(KEYS)) } });
}

const merchants = (count: number) => seedMerchants(stack, count, 'sched');
const timer = () => runTimer(stack);
const throughAudit = () => throughAuditOn(stack);

function plan(userVersion: string, targets: string[], extra: Partial<ShipCreateInput> = {}): ShipCreateInput {
  const { templateId } = stack.openPlatform.codeManagement.uploadDraft({ userVersion, userDesc: 'sched', toTemplate: true });
  return {
    templateId: templateId!,
    userVersion,
    userDesc: '上新',
    extJsonTemplate: { extEnable: true, extAppid: '{{appid}}' },
    targets,
    ...extra,
  };
}

const code = (appid: string) => stack.openPlatform.codeManagement.app(appid)!;

async function template(argv: string[], key: { id: string; secret: string } = KEYS.templates) {
  const env = { BROKER_URL: stack.publicBaseUrl, BROKER_KEY_ID: key.id, BROKER_KEY_SECRET: key.secret };
  return runTemplateCli(argv, env, process.cwd());
}

test('a gray schedule rises by the timer, holds while the job is paused, ends online; prune keeps its template meanwhile', async () => {
  await start();
  const ops = httpClient(stack, KEYS.releases).ship;
  const [a, b] = await merchants(2);
  const first = plan('1.0.0', [a, b]);
  const { jobId: firstJob } = await ops.create(first);
  // While a job runs, its template is never deleted: prune keeps it and says why; delete refuses
  // (checked before the stack's clock moves: the command signs with the real clock).
  const kept = await template(['prune', '--keep', '0', '--dry-run']);
  expect(kept.err).toBe('');
  expect(kept.code).toBe(EXIT.ok);
  expect(kept.out).toContain(`  kept ${first.templateId}: in use by running job ${firstJob} (1.0.0)`);
  expect(kept.out).toMatch(/^ {2}would delete 1 \(draft /m);
  expect(kept.out).not.toMatch(new RegExp(`would delete ${first.templateId} `));
  expect(kept.out).toContain('dry run: nothing deleted');
  const refused = await template(['delete', String(first.templateId)]);
  expect(refused.code).toBe(EXIT.failed);
  expect(refused.err).toContain(`${first.templateId}: in use by running job ${firstJob} (1.0.0)`);
  // A key that cannot read the jobs deletes nothing.
  const blind = await template(['prune', '--keep', '0'], KEYS.libraryOnly);
  expect(blind.code).toBe(EXIT.failed);
  expect(blind.err).toContain('add "ship" to the key\'s "ops"');
  const library = await template(['list', '--json']);
  expect((JSON.parse(library.out) as { templates: { templateId: number }[] }).templates.map((t) => t.templateId)).toContain(
    first.templateId,
  );

  await throughAudit();
  for (const appid of [a, b]) expect(code(appid).online?.userVersion).toBe('1.0.0');

  // Bad schedules are refused before anything is written.
  const bad = plan('2.0.0', [a, b], { graySchedule: { steps: [50, 20], intervalMinutes: 60 } });
  await expect(ops.create(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('逐步升高') });
  const tooLong = plan('2.0.0', [a, b], { graySchedule: { steps: [5, 20, 50, 100], intervalMinutes: 7 * 24 * 60 } });
  await expect(ops.create(tooLong)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('14 天') });

  const job = plan('2.0.0', [a, b], { graySchedule: { steps: [10, 50, 100], intervalMinutes: 60 } });
  const { jobId } = await ops.create(job);
  await throughAudit();
  for (const appid of [a, b]) expect(code(appid).grayPlan).toMatchObject({ percentage: 10, status: 1 });
  let status = await ops.status(jobId);
  expect(status.job).toMatchObject({
    state: 'running',
    grayPercentage: 10,
    graySchedule: { steps: [10, 50, 100], intervalMinutes: 60 },
    counts: { released: 2 },
  });
  const firstStep = status.job.nextGrayStepAt!;
  expect(firstStep).toBeGreaterThan(stack.clock.now());
  expect(status.releases).toEqual(
    [a, b].sort().map((appid) => ({ appid, stage: 'released', percentage: 10, nextStepAt: expect.any(Number) })),
  );

  // Paused: the step's time passes and nothing rises; resumed (on command), the timer raises it.
  // An operator's pause lasts until the resume command: the timer never resumes it.
  await ops.pause(jobId, '观察灰度数据');
  stack.clock.advance(HOUR_S + 1);
  await timer();
  await timer();
  expect(code(a).grayPlan?.percentage).toBe(10);
  expect((await ops.status(jobId)).job).toMatchObject({
    state: 'paused',
    pause: { message: '人工暂停：观察灰度数据', action: expect.stringContaining('不会自动恢复') },
  });
  await ops.resume(jobId);
  await timer();
  for (const appid of [a, b]) expect(code(appid).grayPlan?.percentage).toBe(50);
  status = await ops.status(jobId);
  expect(status.releases.map((r) => r.percentage)).toEqual([50, 50]);
  expect(status.job.nextGrayStepAt).toBeGreaterThan(firstStep);

  // The last step, 100, completes WeChat's plan: the version is online for everyone, the job ends.
  stack.clock.advance(HOUR_S + 1);
  await timer();
  for (const appid of [a, b]) {
    expect(code(appid).online?.userVersion).toBe('2.0.0');
    expect(code(appid).grayPlan?.status).toBe(3);
  }
  await timer();
  status = await ops.status(jobId);
  expect(status.job).toMatchObject({ state: 'done', nextGrayStepAt: null });
  expect(status.releases.map((r) => [r.percentage, r.nextStepAt])).toEqual([
    [100, null],
    [100, null],
  ]);
  expect((await ops.templates()).templates).toEqual([]);

  for (const key of Object.values(KEYS)) expect(output.text()).not.toContain(key.secret);
});

test('status notes the merchants left in place with a reason: a delayed audit, a release refused for now, a refused rollback', async () => {
  await start();
  const ops = httpClient(stack, KEYS.releases).ship;
  const [a, b] = await merchants(2);
  stack.openPlatform.codeManagement.configure(b, {
    reviewSeconds: 3000,
    delay: { afterSeconds: 60, reason: '需要更多时间审核' },
  });
  stack.openPlatform.codeManagement.injectError(a, '/wxa/release', 85020, 1);
  const { jobId } = await ops.create(plan('1.0.0', [a, b]));
  await throughAudit();

  let status = await ops.status(jobId);
  expect(status.job.counts).toEqual({ releasing: 1, submitted: 1 });
  expect(status.problems).toEqual([]);
  expect(status.notes).toEqual(
    [
      {
        appid: a,
        stage: 'releasing',
        errcode: 85020,
        message: '发布暂未成功：当前状态不能发布',
        action: expect.stringContaining('稍后自动重试'),
      },
      {
        appid: b,
        stage: 'submitted',
        errcode: null,
        message: '微信审核延期：需要更多时间审核',
        action: '无需处理，等待微信的审核结果',
      },
    ].sort((x, y) => x.appid.localeCompare(y.appid)),
  );

  // The wait ends: `a` is released; `b`'s review ends and it is released too; the notes are gone.
  stack.clock.advance(2200);
  await stack.openPlatform.codeManagement.settle();
  await timer();
  for (const appid of [a, b]) expect(code(appid).online?.userVersion).toBe('1.0.0');
  status = await ops.status(jobId);
  expect(status.notes).toEqual([]);

  // No earlier version: WeChat refuses the rollback (87012); it stays online and status says why.
  await ops.rollback(jobId, { appid: b });
  expect(code(b).online?.userVersion).toBe('1.0.0');
  status = await ops.status(jobId);
  const refusal = { appid: b, stage: 'released', errcode: 87012, message: '该版本不能回退', action: expect.any(String) };
  expect(status.notes).toEqual([refusal]);
  expect(status.job.counts).toEqual({ released: 2 });
  // The admin page's status shows the same notes.
  expect(dataOf(await act(stack, ADMIN, 'shipJobStatus', { jobId }))).toMatchObject({ notes: [refusal], problems: [] });
});
