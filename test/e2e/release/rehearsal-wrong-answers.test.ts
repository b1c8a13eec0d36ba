/**
 * The rehearsal must fail when the platform answers wrongly. A man in the middle on 127.0.0.1
 * turns the (correct) function into one that answers late, says the wrong thing, or never sends
 * the customer-service message; the function itself is not touched.
 */
import { RELEASE_TEST_ACCOUNTS, type RehearsalItem } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { itemOf, rehearseOn, sealedTextReply, startMiddleman, type Middleman, type Tamper } from '../helpers/release';

jest.setTimeout(60_000);

const OA = RELEASE_TEST_ACCOUNTS.find((a) => a.group === 2 && a.kind === 'official_account')!;
const DEADLINES = { replyDeadlineMs: 800, apiMessageDeadlineMs: 1500 };

let flow: FlowStack;
let middleman: Middleman | undefined;
beforeAll(async () => {
  flow = await startFlowStack();
});
afterEach(async () => {
  await middleman?.close();
  middleman = undefined;
  flow.stack.openPlatform.setMessageUrl(`${flow.stack.publicBaseUrl}/message/$APPID$`);
});
afterAll(async () => {
  await flow?.close();
});

async function rehearseThrough(tamper: Tamper): Promise<{ ok: boolean; plain: RehearsalItem; api: RehearsalItem }> {
  middleman = await startMiddleman(flow.stack.openPlatform.component, flow.stack.publicBaseUrl, tamper);
  flow.stack.openPlatform.setMessageUrl(`${middleman.url}/message/$APPID$`);
  const report = await rehearseOn(flow, { groups: [2], selectedFuncIds: [1], ...DEADLINES });
  return { ok: report.ok, plain: itemOf(report, OA.appid, '返回普通文本消息'), api: itemOf(report, OA.appid, '返回Api文本消息') };
}

const isText = (content: string) => content === 'TESTCOMPONENT_MSG_TYPE_TEXT';
const isQuery = (content: string) => content.startsWith('QUERY_AUTH_CODE:');

test('the untouched path through the middleman passes (the harness itself is sound)', async () => {
  const result = await rehearseThrough(() => undefined);
  expect([result.ok, result.plain.ok, result.api.ok]).toEqual([true, true, true]);
});

test('a passive reply later than the deadline fails 返回普通文本消息', async () => {
  const result = await rehearseThrough((content) => (isText(content) ? { delayMs: 1200 } : undefined));
  expect(result.ok).toBe(false);
  expect(result.plain).toMatchObject({ ok: false, detail: expect.stringContaining('800 ms 内没有收到回复') });
  expect(result.api.ok).toBe(true);
});

test('a reply with the wrong content fails 返回普通文本消息', async () => {
  const component = flow.stack.openPlatform.component;
  const wrong = () => sealedTextReply(component, OA.testerOpenid, OA.userName, 'TESTCOMPONENT_MSG_TYPE_TEXT');
  const result = await rehearseThrough((content) => (isText(content) ? { replaceBody: wrong } : undefined));
  expect(result.ok).toBe(false);
  expect(result.plain).toMatchObject({ ok: false, detail: expect.stringContaining('回复内容应为文本') });
});

test('an unencrypted reply fails 返回普通文本消息', async () => {
  const result = await rehearseThrough((content) =>
    isText(content) ? { replaceBody: () => 'TESTCOMPONENT_MSG_TYPE_TEXT_callback' } : undefined,
  );
  expect(result.plain).toMatchObject({ ok: false, detail: expect.stringContaining('不是加密消息') });
});

test('a late empty answer to QUERY_AUTH_CODE fails 返回Api文本消息', async () => {
  const result = await rehearseThrough((content) => (isQuery(content) ? { delayMs: 1200 } : undefined));
  expect(result.ok).toBe(false);
  expect(result.api).toMatchObject({ ok: false, detail: expect.stringContaining('没有收到回复') });
});

test('an empty answer without the customer-service message fails 返回Api文本消息', async () => {
  const result = await rehearseThrough((content) => (isQuery(content) ? { answerWithoutForwarding: '' } : undefined));
  expect(result.ok).toBe(false);
  expect(result.api).toMatchObject({ ok: false, detail: expect.stringContaining('没有收到客服消息') });
  expect(result.plain.ok).toBe(true);
});

test('a passive reply instead of the empty answer fails 返回Api文本消息', async () => {
  const component = flow.stack.openPlatform.component;
  const reply = () => sealedTextReply(component, OA.testerOpenid, OA.userName, 'hello');
  const result = await rehearseThrough((content) => (isQuery(content) ? { replaceBody: reply } : undefined));
  expect(result.api).toMatchObject({ ok: false, detail: expect.stringContaining('应先回复空串') });
});

test('no customer-service message because api_query_auth fails: the rehearsal fails', async () => {
  const fault = flow.stack.openPlatform.faults.inject({ api: 'api_query_auth', errcode: 61010 });
  try {
    const report = await rehearseOn(flow, { groups: [2], selectedFuncIds: [1], ...DEADLINES });
    expect(report.ok).toBe(false);
    expect(itemOf(report, OA.appid, '返回Api文本消息')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('没有收到客服消息'),
    });
  } finally {
    flow.stack.openPlatform.faults.clear(fault);
  }
});
