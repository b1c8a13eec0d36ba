/**
 * WeChat's 全网发布 test for one group against the local stack: every item passes, the result page
 * lists them, and WeChat's test accounts leave no trace among the merchants' data.
 */
import { PortListener } from '../../../emulator/listener';
import { RELEASE_TEST_ACCOUNTS, ITEM_NAMES } from '../../../emulator/open-platform';
import { formatReport, rehearseRemote, rehearseRunning } from '../../../scripts/release/rehearsal';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { collection, itemOf, rehearseOn } from '../helpers/release';

jest.setTimeout(60_000);

let flow: FlowStack;
beforeAll(async () => {
  flow = await startFlowStack();
});
afterAll(async () => {
  await flow?.close();
});

test('group 1, both sets selected: every item of both accounts passes', async () => {
  const report = await rehearseOn(flow, { groups: [1] });
  const group1 = RELEASE_TEST_ACCOUNTS.filter((a) => a.group === 1).map((a) => a.appid);

  expect(report.tests.map((t) => t.appid)).toEqual(group1);
  for (const test of report.tests) {
    expect(test.items.map((i) => i.name)).toEqual([...ITEM_NAMES]);
    expect(test.items.filter((i) => !i.ok)).toEqual([]);
    expect(test.items.some((i) => i.skipped)).toBe(false);
  }
  expect(report.ok).toBe(true);
  const printed = formatReport(report);
  expect(printed).toContain('检测结果：全部通过');
  expect(printed).toContain('返回普通文本消息');

  // The customer-service messages really went out, with each test account's own token.
  const sent = flow.stack.openPlatform.customMessages.filter((m) => group1.includes(m.authorizerAppid));
  expect(sent.map((m) => m.authorizerAppid).sort()).toEqual([...group1].sort());
  expect(sent.every((m) => /^queryauthcode@@@.+_from_api$/.test(m.content ?? ''))).toBe(true);
});

test("test accounts stay out of the merchants' collections; their jobs keep no code", async () => {
  expect(await collection(flow, 'authorizers')).toEqual([]);
  expect(await collection(flow, 'authorizerTokens')).toEqual([]);
  const jobs = await collection(flow, 'releaseJobs');
  expect(jobs).toHaveLength(2);
  expect(jobs.every((job) => job.state === 'done' && job.code === null)).toBe(true);
  const accounts = await collection(flow, 'releaseTestAccounts');
  // Un-authorized at the end of the test: the event is noted and the token dropped.
  expect(accounts.map((a) => [a.lastEvent, a.accessToken])).toEqual([
    ['unauthorized', null],
    ['unauthorized', null],
  ]);
  const stats = await collection(flow, 'messageStats');
  expect(stats.map((s) => [s.type, s.count])).toEqual([
    ['text', 2],
    ['text', 2],
  ]);
});

test('the function logged the release test without a code, token or secret', async () => {
  const logs = flow.functionLogs.join('\n');
  expect(logs).toContain('"event":"release job"');
  expect(logs).not.toMatch(/@@@|_from_api/);
  const { appSecret, token, encodingAesKey } = flow.stack.openPlatform.component;
  for (const secret of [appSecret, token, encodingAesKey]) expect(logs).not.toContain(secret);
  for (const message of flow.stack.openPlatform.customMessages) expect(logs).not.toContain(message.content ?? '');
});

test('only set 1 selected: the mini-program is not tested; neither selected: no message cases', async () => {
  const oaOnly = await rehearseOn(flow, { groups: [1], selectedFuncIds: [1] });
  expect(oaOnly.tests.map((t) => t.kind)).toEqual(['official_account']);
  expect(oaOnly.ok).toBe(true);

  const none = await rehearseOn(flow, { groups: [1], selectedFuncIds: [] });
  expect(none.ok).toBe(true);
  const skipped = none.tests[0].items.filter((i) => i.skipped).map((i) => i.name);
  expect(skipped).toEqual(['返回Api文本消息', '返回普通文本消息']);
});

test('against a running stack through its admin API, as `npm run rehearse -- --emulator-url … --cloud-url …` does', async () => {
  const report = await rehearseRunning(flow.stack.openPlatform.url, flow.stack.cloud.url, { groups: [1] });
  expect(report.ok).toBe(true);
  expect(itemOf(report, RELEASE_TEST_ACCOUNTS[0].appid, '预授权码')).toMatchObject({ ok: true });
});

test('against a deployment (--base-url): this machine plays WeChat for a function that calls it', async () => {
  // This machine's emulator port is bound first (the function must name it) and handed over.
  const listener = await PortListener.bind();
  const deployed = await startFlowStack({
    functionEnv: { WX_API_BASE_URL: listener.url },
    pushTicketAtStart: false,
  });
  try {
    const { appId, appSecret, token, encodingAesKey } = deployed.stack.openPlatform.component;
    const report = await rehearseRemote(
      {
        baseUrl: deployed.stack.publicBaseUrl,
        component: { appId, appSecret, token, encodingAesKey },
        host: listener.host,
        port: listener.port,
        listener,
        preAuthWaitMs: 5000,
        startAuthorization: async () =>
          void (await deployed.ok('o-merchant', 'createAuthSession', { authType: 3, channel: 'plugin' })),
      },
      { groups: [2] },
    );
    expect(report.tests.flatMap((t) => t.items.filter((i) => !i.ok).map((i) => `${t.appid} ${i.name}: ${i.detail}`))).toEqual([]);
    expect(report.ok).toBe(true);
  } finally {
    await deployed.close();
    await listener.close();
  }
});
