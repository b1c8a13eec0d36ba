/**
 * The go-live check as a provider runs it: `npm run rehearse` on a stack with the product's own
 * limits (as `npm start` runs, 5 authorization sessions per merchant per minute), all five groups
 * in one go, and with WeChat's custom/send answering -1 (system busy) once.
 */
import { RELEASE_TEST_ACCOUNTS } from '../../../emulator/open-platform';
import { CUSTOM_SEND_PATH } from '../../../emulator/open-platform/areas/custom-send';
import { rehearseRunning } from '../../../scripts/release/rehearsal';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { collection, itemOf, rehearseOn } from '../helpers/release';

jest.setTimeout(90_000);

let flow: FlowStack;
beforeEach(async () => {
  flow = await startFlowStack({ lenientLimits: false });
});
afterEach(async () => {
  await flow?.close();
});

const failures = (report: Awaited<ReturnType<typeof rehearseOn>>) =>
  report.tests.flatMap((t) => t.items.filter((i) => !i.ok).map((i) => `${t.appid} ${i.name}: ${i.detail}`));

const preAuthCodesCreated = () =>
  flow.stack.openPlatform.calls.filter((call) => call.api === 'api_create_preauthcode' && call.errcode === 0).length;

test('all ten test accounts pass with the production limits, and the per-merchant limit still holds', async () => {
  const report = await rehearseOn(flow);
  expect(failures(report)).toEqual([]);
  expect(report.tests).toHaveLength(10);
  expect(report.ok).toBe(true);
  // One authorization started for the whole rehearsal, not one per test account.
  expect(preAuthCodesCreated()).toBe(1);

  // The limit is untouched: a merchant's sixth start within the minute is still refused.
  const starts = [];
  for (let i = 0; i < 6; i += 1)
    starts.push(await flow.call('o-busy-merchant', 'createAuthSession', { authType: 3, channel: 'plugin' }));
  expect(starts.slice(0, 5).every((answer) => (answer as { ok: boolean }).ok)).toBe(true);
  expect(starts[5]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
});

test('custom/send answering -1 once: the message is sent again within seconds and the item passes', async () => {
  const oa = RELEASE_TEST_ACCOUNTS.find((a) => a.group === 1 && a.kind === 'official_account')!;
  flow.stack.openPlatform.authorizerApiFaults.inject({ path: CUSTOM_SEND_PATH, errcode: -1, times: 1 });
  const started = Date.now();
  const report = await rehearseOn(flow, { groups: [1], selectedFuncIds: [1] });
  expect(failures(report)).toEqual([]);
  expect(itemOf(report, oa.appid, '返回Api文本消息')).toMatchObject({ ok: true });
  // The fault was hit (it is used up) and the timer was never needed.
  expect(flow.stack.openPlatform.authorizerApiFaults.take(CUSTOM_SEND_PATH)).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(await collection(flow, 'releaseJobs')).toEqual([expect.objectContaining({ state: 'done', attempts: 0, code: null })]);
});

test('a permanent custom/send error is not retried in the run: the job is left to the timer', async () => {
  const oa = RELEASE_TEST_ACCOUNTS.find((a) => a.group === 1 && a.kind === 'official_account')!;
  // 45047: too many customer-service messages; sending again at once would not help.
  flow.stack.openPlatform.authorizerApiFaults.inject({ path: CUSTOM_SEND_PATH, errcode: 45047, times: 1 });
  const report = await rehearseOn(flow, { groups: [1], selectedFuncIds: [1], apiMessageDeadlineMs: 2500 });
  expect(itemOf(report, oa.appid, '返回Api文本消息')).toMatchObject({ ok: false });
  expect(await collection(flow, 'releaseJobs')).toEqual([
    expect.objectContaining({ state: 'pending', attempts: 1, error: 'custom send errcode 45047' }),
  ]);
});

test('against the running stack through its admin API (npm start), with custom/send failing once', async () => {
  const inject = await fetch(`${flow.stack.openPlatform.url}/__emulator/authorizer-api-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: CUSTOM_SEND_PATH, errcode: -1, times: 1 }),
  });
  expect(await inject.json()).toEqual({ ok: true });
  const report = await rehearseRunning(flow.stack.openPlatform.url, flow.stack.cloud.url, {});
  expect(failures(report)).toEqual([]);
  expect(report.ok).toBe(true);
  expect(flow.stack.openPlatform.authorizerApiFaults.take(CUSTOM_SEND_PATH)).toBeUndefined();
});
