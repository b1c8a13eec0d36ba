/**
 * The admin's 全网发布 status: released or not and the test list (as configured), which sets
 * trigger which release-test items, what WeChat's test did, and message counts.
 */
import { DEFAULT_ACCOUNTS, RELEASE_TEST_ACCOUNTS } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { rehearseOn } from '../helpers/release';

jest.setTimeout(60_000);

const ADMIN = 'o-release-admin';
const LISTED = DEFAULT_ACCOUNTS.find((a) => a.kind === 'official_account')!;
let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack({
    adminOpenIds: [ADMIN],
    functionEnv: {
      REQUIRED_CATEGORY_IDS: '1,15',
      RELEASE_TEST_LIST: `${LISTED.userName};gh_0123456789ab`,
      PLATFORM_RELEASED: 'false',
    },
  });
});
afterAll(async () => {
  await flow?.close();
});

test('before the test: not released, the test list with who authorized, set 1 selected and set 19 not', async () => {
  const { plugin } = await flow.ok(ADMIN, 'createAuthSession', { authType: 1, channel: 'plugin' });
  await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: plugin!.preAuthCode,
    authorizerAppid: LISTED.appid,
    channel: 'plugin',
  });
  const status = await flow.ok(ADMIN, 'releaseStatus', {});
  expect(status.released).toBe(false);
  expect(status.testList).toEqual([
    { userName: LISTED.userName, authorizedAppid: LISTED.appid, name: LISTED.nickName },
    { userName: 'gh_0123456789ab', authorizedAppid: null, name: null },
  ]);
  expect(status.alwaysItems).toEqual(['component_verify_ticket', '预授权码', '授权', '取消授权']);
  expect(status.messageCases.map((c) => [c.setId, c.kind, c.selected])).toEqual([
    [1, 'official_account', true],
    [19, 'mini_program', false],
  ]);
  expect(status.testAccounts).toEqual([]);
  expect(status.messageForwarding).toBe(false);
});

test('after a rehearsal: the test accounts, their jobs and message counts show', async () => {
  const report = await rehearseOn(flow, { groups: [4], selectedFuncIds: [1] });
  expect(report.ok).toBe(true);
  const status = await flow.ok(ADMIN, 'releaseStatus', {});
  const oa = RELEASE_TEST_ACCOUNTS.find((a) => a.group === 4 && a.kind === 'official_account')!;
  expect(status.testAccounts).toEqual([
    expect.objectContaining({ appid: oa.appid, group: 4, kind: 'official_account', lastEvent: 'unauthorized' }),
  ]);
  expect(status.jobs).toEqual({ pending: 0, done: 1, failed: 0 });
  expect(status.messages).toEqual([expect.objectContaining({ appid: oa.appid, type: 'text', count: 2, releaseTest: true })]);
  expect(JSON.stringify(status)).not.toMatch(/queryauthcode@@@|_from_api|TESTCOMPONENT/);
});

test('a merchant may not read it', async () => {
  const result = await flow.call('o-some-merchant', 'releaseStatus', {});
  expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
});
