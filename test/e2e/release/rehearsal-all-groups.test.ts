/** WeChat picks one of five groups at random: each group's rehearsal passes on its own. */
import { RELEASE_GROUPS } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { collection, rehearseOn } from '../helpers/release';

jest.setTimeout(60_000);

let flow: FlowStack;
beforeAll(async () => {
  flow = await startFlowStack();
});
afterAll(async () => {
  await flow?.close();
});

test.each([...RELEASE_GROUPS])('group %i: official account and mini-program pass every item', async (group) => {
  const report = await rehearseOn(flow, { groups: [group] });
  expect(report.tests.map((t) => [t.group, t.kind])).toEqual([
    [group, 'official_account'],
    [group, 'mini_program'],
  ]);
  expect(report.tests.flatMap((t) => t.items.filter((i) => !i.ok).map((i) => `${t.appid} ${i.name}: ${i.detail}`))).toEqual([]);
  expect(report.ok).toBe(true);
});

test('after all five groups, no test account is among the merchants', async () => {
  expect(await collection(flow, 'authorizers')).toEqual([]);
  expect(await collection(flow, 'authorizerTokens')).toEqual([]);
  expect(await collection(flow, 'releaseTestAccounts')).toHaveLength(10);
});
