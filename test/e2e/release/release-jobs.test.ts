/**
 * QUERY_AUTH_CODE is answered at once and finished by another invocation. When that self-call is
 * lost (here: PUBLIC_BASE_URL points nowhere), the job waits, durable, for the timer to finish it.
 */
import { RELEASE_TEST_ACCOUNTS } from '../../../emulator/open-platform';
import { eventually, startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { collection, itemOf, rehearseOn } from '../helpers/release';

jest.setTimeout(60_000);

const OA = RELEASE_TEST_ACCOUNTS.find((a) => a.group === 3 && a.kind === 'official_account')!;
let flow: FlowStack;

beforeAll(async () => {
  // Port 9 (discard) has no listener here: the function's call to itself is refused.
  flow = await startFlowStack({ functionEnv: { PUBLIC_BASE_URL: 'http://127.0.0.1:9/wx' } });
});
afterAll(async () => {
  await flow?.close();
});

test('a lost self-call: the empty answer goes out, the job waits, the timer sends the message', async () => {
  const rehearsal = rehearseOn(flow, { groups: [3], selectedFuncIds: [1], apiMessageDeadlineMs: 8000 });
  const pending = await eventually(
    async () => (await collection(flow, 'releaseJobs')).find((job) => job.state === 'pending'),
    'a pending job',
  );
  expect(pending).toMatchObject({ appid: OA.appid, touser: OA.testerOpenid, exchanged: false });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(flow.stack.openPlatform.customMessages).toEqual([]);

  await flow.stack.cloud.triggerTimer('authorization');
  const report = await rehearsal;
  expect(itemOf(report, OA.appid, '返回Api文本消息')).toMatchObject({ ok: true });
  expect(report.ok).toBe(true);
  const [job] = await collection(flow, 'releaseJobs');
  expect(job).toMatchObject({ state: 'done', code: null, exchanged: true });
});

test('a finished job is not run twice: its URL answers its state and sends nothing more', async () => {
  const [job] = await collection(flow, 'releaseJobs');
  const before = flow.stack.openPlatform.customMessages.length;
  const response = await fetch(`${flow.stack.publicBaseUrl}/release-jobs/${String(job._id)}`, { method: 'POST' });
  expect(await response.text()).toBe('done');
  expect(flow.stack.openPlatform.customMessages).toHaveLength(before);
});
