/**
 * The message-and-event URL refuses whatever WeChat did not send for an account we serve, and
 * stores nothing for it: unknown or revoked appids, forged signatures, other keys, another
 * platform's messages, messages addressed to another account.
 */
import { DEFAULT_ACCOUNTS, RELEASE_TEST_ACCOUNTS } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { collection, postMessage, type RawMessage } from '../helpers/release';

jest.setTimeout(60_000);

const [ACTIVE, REVOKED, NEVER] = DEFAULT_ACCOUNTS.filter((a) => a.kind === 'official_account' || a.kind === 'mini_program');
const TEST_OA = RELEASE_TEST_ACCOUNTS[0];
const OTHER_KEY = 'Zx9cV8bN7mQ6wE5rT4yU3iO2pA1sD0fG9hJ8kL7zX6c';

let flow: FlowStack;

async function authorize(appid: string): Promise<void> {
  const { plugin } = await flow.ok('o-merchant', 'createAuthSession', { authType: 3, channel: 'plugin' });
  await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: plugin!.preAuthCode,
    authorizerAppid: appid,
    channel: 'plugin',
  });
}

beforeAll(async () => {
  flow = await startFlowStack();
  await authorize(ACTIVE.appid);
  await authorize(REVOKED.appid);
  await flow.stack.openPlatform.revoke(REVOKED.appid);
  expect(await flow.doc('authorizers', REVOKED.appid)).toMatchObject({ status: 'revoked' });
});
afterAll(async () => {
  await flow?.close();
});

const fields = (toUser: string, content = 'hi') => ({
  ToUserName: toUser,
  FromUserName: 'o-user',
  CreateTime: '1',
  MsgType: 'text',
  Content: content,
});
const send = (message: RawMessage) => postMessage(flow.stack.publicBaseUrl, flow.stack.openPlatform.component, message);

const refused: [string, () => RawMessage, number][] = [
  ['an appid nobody authorized', () => ({ appid: NEVER.appid, fields: fields(NEVER.userName) }), 403],
  ['a revoked authorizer', () => ({ appid: REVOKED.appid, fields: fields(REVOKED.userName) }), 403],
  ['a forged msg_signature', () => ({ appid: ACTIVE.appid, fields: fields(ACTIVE.userName), msgSignature: 'a'.repeat(40) }), 403],
  [
    'a signature made with another token',
    () => ({ appid: ACTIVE.appid, fields: fields(ACTIVE.userName), token: 'someoneElsesToken' }),
    403,
  ],
  ['another EncodingAESKey', () => ({ appid: ACTIVE.appid, fields: fields(ACTIVE.userName), encodingAesKey: OTHER_KEY }), 400],
  [
    "another platform's appid trailer",
    () => ({ appid: ACTIVE.appid, fields: fields(ACTIVE.userName), trailerAppId: 'wx0000000000000000' }),
    403,
  ],
  ['a message for another account under this appid', () => ({ appid: ACTIVE.appid, fields: fields(NEVER.userName) }), 403],
  [
    'an envelope naming another account',
    () => ({ appid: ACTIVE.appid, fields: fields(ACTIVE.userName), envelopeTo: NEVER.userName }),
    403,
  ],
  [
    "a test account's appid with another account's 原始ID",
    () => ({ appid: TEST_OA.appid, fields: fields(ACTIVE.userName, 'TESTCOMPONENT_MSG_TYPE_TEXT') }),
    403,
  ],
  [
    'a forged QUERY_AUTH_CODE for a test account',
    () => ({
      appid: TEST_OA.appid,
      fields: fields(TEST_OA.userName, 'QUERY_AUTH_CODE:queryauthcode@@@x'),
      msgSignature: 'b'.repeat(40),
    }),
    403,
  ],
  ['a malformed appid in the path', () => ({ appid: 'not-an-appid', fields: fields(ACTIVE.userName) }), 404],
];

test.each(refused)('%s is refused', async (_name, message, status) => {
  const answer = await send(message());
  expect(answer.status).toBe(status);
  expect(answer.body).not.toBe('success');
});

test('missing signature parameters are refused', async () => {
  const response = await fetch(`${flow.stack.publicBaseUrl}/message/${ACTIVE.appid}`, {
    method: 'POST',
    body: '<xml><Encrypt>x</Encrypt></xml>',
  });
  expect(response.status).toBe(400);
});

test('nothing was stored for any refused message', async () => {
  expect(await collection(flow, 'messageStats')).toEqual([]);
  expect(await collection(flow, 'releaseJobs')).toEqual([]);
  expect(await collection(flow, 'releaseTestAccounts')).toEqual([]);
});

test('an unknown job id is refused; the same message for the active account is accepted', async () => {
  const job = await fetch(`${flow.stack.publicBaseUrl}/release-jobs/${'0'.repeat(64)}`, { method: 'POST' });
  expect(job.status).toBe(404);
  const answer = await send({ appid: ACTIVE.appid, fields: fields(ACTIVE.userName) });
  expect(answer).toMatchObject({ status: 200, body: 'success' });
  expect((await collection(flow, 'messageStats')).map((s) => [s.appid, s.type, s.count])).toEqual([[ACTIVE.appid, 'text', 1]]);
});
