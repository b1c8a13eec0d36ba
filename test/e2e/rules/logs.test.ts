/**
 * DESIGN "Secrets": tokens, tickets, codes and secrets never reach the logs. The function's
 * logger is console.log; everything it prints during full authorizations (all three ways, with
 * failures, retries, token refreshes, revocation and reconcile) is captured and searched.
 */
import { sealPush } from '../../helpers/wechat-push';
import { httpGet, postPush } from '../helpers/rules-push';
import {
  account,
  act,
  ADMIN,
  allDocs,
  confirmSilently,
  dataOf,
  h5Session,
  MERCHANT,
  pluginSession,
  useRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

let stack: RulesStack;
const output = useRulesStack('all', (started) => (stack = started));
/** Every secret value seen during the run, collected as the flows produce them. */
const secrets = new Set<string>();

beforeAll(() => {
  const { appSecret, token, encodingAesKey } = stack.openPlatform.component;
  [appSecret, token, encodingAesKey].forEach((s) => secrets.add(s));
});

/** Tokens the backend holds right now (component, authorizer access and refresh tokens). */
async function collectStoredSecrets(): Promise<void> {
  for (const doc of await allDocs(stack, 'platform')) {
    if (doc.componentToken) secrets.add(doc.componentToken);
    if (doc.ticket) secrets.add(doc.ticket);
  }
  for (const doc of await allDocs(stack, 'authorizerTokens')) {
    if (doc.accessToken) secrets.add(doc.accessToken);
    secrets.add(doc.refreshToken);
  }
  for (const doc of await allDocs(stack, 'authSessions')) secrets.add(doc.preAuthCode);
}

test('a day of authorizations, failures and maintenance prints no token, ticket, secret or code', async () => {
  const oa = account(stack, 'official_account').appid;
  const mp = account(stack, 'mini_program').appid;
  const channels = account(stack, 'channels').appid;

  // 1. Plugin, with a first delivery that fails on a dropped connection (WeChat retries the push).
  const plugin = await pluginSession(stack, MERCHANT);
  stack.openPlatform.faults.inject({ api: 'api_get_authorizer_info', drop: true, times: 3 });
  await stack.openPlatform.confirmAuthorization({ preAuthCode: plugin.preAuthCode, authorizerAppid: mp, channel: 'plugin' });
  await collectStoredSecrets();

  // 2. H5 with the callback page racing the push, the component token rejected once.
  const h5 = await h5Session(stack, MERCHANT);
  const silent = await confirmSilently(stack, { preAuthCode: h5.preAuthCode, authorizerAppid: oa, channel: 'h5' });
  stack.openPlatform.faults.inject({ api: 'api_query_auth', errcode: 40001, times: 1 });
  await Promise.all([
    postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, silent.plaintext)),
    httpGet(`${stack.publicBaseUrl}/callback?sid=${h5.sessionId}&auth_code=${encodeURIComponent(silent.authCode)}`),
  ]);
  secrets.add(silent.authCode);
  await collectStoredSecrets();

  // 3. PC: entry page, then a forged and an unusable code on the callback.
  const pc = dataOf(await act(stack, MERCHANT, 'createAuthSession', { authType: 5, channel: 'pc' }));
  await httpGet(pc.pcEntryUrl);
  await httpGet(`${stack.publicBaseUrl}/callback?sid=${pc.sessionId}&auth_code=queryauthcode@@@forgedforgedforged`);
  const pcCode = (await allDocs(stack, 'authSessions')).find((s) => s._id === pc.sessionId)!.preAuthCode;
  const pcConfirm = await stack.openPlatform.confirmAuthorization({
    preAuthCode: pcCode,
    authorizerAppid: channels,
    channel: 'pc',
    redirectUri: `${stack.publicBaseUrl}/callback?sid=${pc.sessionId}`,
  });
  await httpGet(pcConfirm.redirectUrl!);
  await collectStoredSecrets();

  // 4. The merchant updates the grant; polls; lists.
  const again = await pluginSession(stack, MERCHANT);
  await stack.openPlatform.confirmAuthorization({
    preAuthCode: again.preAuthCode,
    authorizerAppid: mp,
    channel: 'plugin',
    funcIds: account(stack, 'mini_program').grantableFuncIds.slice(0, 1),
  });
  await act(stack, MERCHANT, 'getAuthSession', { sessionId: again.sessionId });
  await act(stack, MERCHANT, 'listMyAuthorizers', {});
  await act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin', openid: 'x' });
  stack.openPlatform.faults.inject({ api: 'api_create_preauthcode', errcode: 40001, times: 2 });
  expect(await act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' })).toMatchObject({ ok: false });
  await collectStoredSecrets();

  // 5. Hours pass: timer refreshes everything; one refresh token is dead; a transient error.
  stack.clock.advance(7200 - 200);
  await stack.openPlatform.pushTicket();
  stack.openPlatform.faults.inject({ api: 'api_authorizer_token', errcode: 61023, times: 1 });
  stack.openPlatform.faults.inject({ api: 'api_authorizer_token', errcode: -1, times: 3 });
  await stack.cloud.triggerTimer('authorization');
  await collectStoredSecrets();
  await stack.cloud.triggerTimer('authorization');
  await collectStoredSecrets();

  // 6. Revocation, health, reconcile, a forged push.
  await stack.openPlatform.revoke(oa);
  await act(stack, ADMIN, 'platformHealth', {});
  await act(stack, ADMIN, 'reconcile', {});
  await postPush(
    stack.publicBaseUrl,
    sealPush(stack.openPlatform.component, '<xml><InfoType>x</InfoType></xml>', { token: 'forgedToken9' }),
  );
  await collectStoredSecrets();

  for (const push of stack.openPlatform.pushes) {
    for (const field of ['ComponentVerifyTicket', 'AuthorizationCode', 'PreAuthCode'] as const) {
      const value = push.fields[field];
      if (typeof value === 'string') secrets.add(value);
    }
  }

  // The capture works and saw the flows.
  const text = output.text();
  expect(text).toMatch(/"event":"push".*"infoType":"authorized"/);
  expect(text).toMatch(/"event":"push".*"infoType":"updateauthorized"/);
  expect(text).toMatch(/"event":"push".*"infoType":"unauthorized"/);
  expect(text).toMatch(/"event":"authorization step failed","reason":"OpenApiError"/);
  expect(text).toMatch(/"event":"maintenance"/);
  // …and says why, without the values: the rejection reason and WeChat's errcode survive scrubbing.
  expect(text).toMatch(/"event":"push rejected","reason":"BAD_SIGNATURE"/);
  expect(text).toMatch(/"event":"upstream error","api":"api_create_preauthcode","errcode":40001/);
  expect(secrets.size).toBeGreaterThan(15);

  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThanOrEqual(3);
    if (text.includes(secret)) throw new Error(`a secret value reached the logs: ${secret.slice(0, 12)}…`);
  }
  expect(text).not.toContain('@@@');
  expect(text).not.toMatch(/\b\d{1,3}_[A-Za-z0-9_-]{60,}/); // access-token shape
  expect(text).not.toMatch(/component_access_token=|access_token=/);
});
