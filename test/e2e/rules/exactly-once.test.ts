/**
 * DESIGN "Exactly once": an authorization code reaches the backend through the push, WeChat's
 * retries of it and the redirect callback, often at the same moment; it is exchanged once and the
 * authorizer and the session are written once.
 */
import { sealPush } from '../../helpers/wechat-push';
import { callbackOnInstance, httpGet, postPush, pushToInstance } from '../helpers/rules-push';
import {
  account,
  act,
  allDocs,
  authorizeWithPush,
  callsOf,
  codeIdFor,
  confirmSilently,
  dataOf,
  docById,
  h5Session,
  MERCHANT,
  pluginSession,
  useRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

let stack: RulesStack;
useRulesStack('each', (started) => (stack = started));

/** The one authorizer, code record and session the rule allows, checked together. */
async function expectWrittenOnce(appid: string, authCode: string, sessionId: string, owner: string) {
  expect(callsOf(stack, 'api_query_auth')).toHaveLength(1);
  const authorizers = await allDocs(stack, 'authorizers');
  expect(authorizers.map((a) => a._id)).toEqual([appid]);
  expect(authorizers[0].owners).toEqual([owner]);
  expect(authorizers[0].history.map((h: { event: string }) => h.event)).toEqual(['authorized']);
  const codes = await allDocs(stack, 'authCodes');
  expect(codes).toHaveLength(1);
  expect(codes[0]).toMatchObject({ _id: codeIdFor(authCode), claimState: 'done', authorizerAppid: appid, code: null });
  const session = dataOf(await act(stack, owner, 'getAuthSession', { sessionId }));
  expect(session).toMatchObject({ status: 'authorized', authorizer: { appid, status: 'active' } });
  expect(await allDocs(stack, 'authorizerTokens')).toHaveLength(1);
}

test('three identical pushes and the callback page at the same moment: one exchange, one account', async () => {
  const mp = account(stack, 'mini_program');
  const { sessionId, preAuthCode } = await h5Session(stack, MERCHANT);
  const silent = await confirmSilently(stack, { preAuthCode, authorizerAppid: mp.appid, channel: 'h5' });
  const sealed = sealPush(stack.openPlatform.component, silent.plaintext);
  stack.openPlatform.resetCalls();

  const callbackUrl = `${stack.publicBaseUrl}/callback?sid=${sessionId}&auth_code=${encodeURIComponent(silent.authCode)}`;
  const [p1, p2, p3, page] = await Promise.all([
    postPush(stack.publicBaseUrl, sealed),
    postPush(stack.publicBaseUrl, sealed),
    postPush(stack.publicBaseUrl, sealed),
    httpGet(callbackUrl),
  ]);

  for (const reply of [p1, p2, p3]) expect(reply).toEqual({ status: 200, body: 'success' });
  // The page shows the account; if it answered before a push bound the session it says it is waiting.
  expect(page.body).toContain(`data-appid="${mp.appid}"`);
  expect(page.status === 200 ? page.body : '授权成功').toContain('授权成功');
  await expectWrittenOnce(mp.appid, silent.authCode, sessionId, MERCHANT);
  expect((await httpGet(callbackUrl)).body).toContain('授权成功');
  const log = await allDocs(stack, 'pushLog');
  expect(log.filter((l) => l.infoType === 'authorized')).toHaveLength(1);
  expect(log.find((l) => l.infoType === 'authorized')).toMatchObject({ outcome: 'ok', authorizerAppid: mp.appid });
});

test('re-encrypted copies of the push (new nonce, new ciphertext) are still one push', async () => {
  const oa = account(stack, 'official_account');
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  const silent = await confirmSilently(stack, { preAuthCode, authorizerAppid: oa.appid, channel: 'plugin' });
  stack.openPlatform.resetCalls();

  const copies = [1, 2, 3].map(() => sealPush(stack.openPlatform.component, silent.plaintext));
  expect(new Set(copies.map((c) => c.encrypt)).size).toBe(3);
  const replies = await Promise.all(copies.map((c) => postPush(stack.publicBaseUrl, c)));

  for (const reply of replies) expect(reply).toEqual({ status: 200, body: 'success' });
  await expectWrittenOnce(oa.appid, silent.authCode, sessionId, MERCHANT);
  expect((await allDocs(stack, 'pushLog')).filter((l) => l.infoType === 'authorized')).toHaveLength(1);
});

test('a push whose exchange fails transiently is acknowledged once durable; the poll finishes it, still one account', async () => {
  const mp = account(stack, 'mini_program');
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  const silent = await confirmSilently(stack, { preAuthCode, authorizerAppid: mp.appid, channel: 'plugin' });
  const sealed = sealPush(stack.openPlatform.component, silent.plaintext);
  stack.openPlatform.resetCalls();
  // -1 is transient: the client retries it itself (3 tries), so all three must fail.
  stack.openPlatform.faults.inject({ api: 'api_query_auth', errcode: -1, times: 3 });

  // WeChat documents no retry: the code record is durable, so the push is acknowledged at once.
  expect(await postPush(stack.publicBaseUrl, sealed)).toEqual({ status: 200, body: 'success' });
  expect(callsOf(stack, 'api_query_auth').map((c) => c.errcode)).toEqual([-1, -1, -1]);
  expect(await allDocs(stack, 'authorizers')).toHaveLength(0);
  expect(await docById(stack, 'authCodes', codeIdFor(silent.authCode))).toMatchObject({
    claimState: 'in_progress',
    leaseUntil: 0,
    signed: true,
    exchanged: null,
  });
  expect(await docById(stack, 'authSessions', sessionId)).toMatchObject({ status: 'pending', authorizerAppid: null });

  // The page's poll is an input of the same machine: it finishes the released record.
  expect(dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId })).status).toBe('authorized');
  expect(callsOf(stack, 'api_query_auth').map((c) => c.errcode)).toEqual([-1, -1, -1, 0]);
  stack.openPlatform.resetCalls();
  expect((await allDocs(stack, 'authorizers')).map((a) => a._id)).toEqual([mp.appid]);
  expect(await docById(stack, 'authCodes', codeIdFor(silent.authCode))).toMatchObject({ claimState: 'done', code: null });

  // A late copy changes nothing.
  expect(await postPush(stack.publicBaseUrl, sealed)).toEqual({ status: 200, body: 'success' });
  expect(callsOf(stack, 'api_query_auth')).toHaveLength(0);
  expect(await allDocs(stack, 'authorizers')).toHaveLength(1);
});

test('a transient failure with nobody polling: the timer finishes it, one account, the right owner', async () => {
  const oa = account(stack, 'official_account', 1);
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  stack.openPlatform.resetCalls();
  stack.openPlatform.faults.inject({ api: 'api_query_auth', errcode: -1, times: 3 });

  const result = await stack.openPlatform.confirmAuthorization({ preAuthCode, authorizerAppid: oa.appid, channel: 'plugin' });
  expect(result.push!.attempts.map((a) => a.ok)).toEqual([true]);
  expect(await allDocs(stack, 'authorizers')).toHaveLength(0);

  await stack.cloud.triggerTimer('authorization');
  expect(callsOf(stack, 'api_query_auth').filter((c) => c.errcode === 0)).toHaveLength(1);
  expect((await allDocs(stack, 'authorizers')).map((a) => a._id)).toEqual([oa.appid]);
  expect(await docById(stack, 'authSessions', sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: oa.appid });
});

test('separately cold-started instances race: one push each way, three callbacks and a poll', async () => {
  const mp = account(stack, 'mini_program', 1);
  const { sessionId, preAuthCode } = await h5Session(stack, MERCHANT);
  const silent = await confirmSilently(stack, { preAuthCode, authorizerAppid: mp.appid, channel: 'h5' });
  const instances = [1, 2, 3, 4, 5, 6].map(() => stack.cloud.newInstance('authorization'));
  const component = stack.openPlatform.component;
  stack.openPlatform.resetCalls();

  const [pushA, pushB, pageA, pageB, pageC, poll] = await Promise.all([
    pushToInstance(instances[0], sealPush(component, silent.plaintext)),
    pushToInstance(instances[1], sealPush(component, silent.plaintext)),
    callbackOnInstance(instances[2], sessionId, silent.authCode),
    callbackOnInstance(instances[3], sessionId, silent.authCode),
    callbackOnInstance(instances[4], sessionId, silent.authCode),
    act(stack, MERCHANT, 'getAuthSession', { sessionId }, instances[5]),
  ]);

  expect(pushA).toEqual({ status: 200, body: 'success' });
  expect(pushB).toEqual({ status: 200, body: 'success' });
  // Each page shows the account; one that answered before the push bound the session says it is confirming.
  for (const page of [pageA, pageB, pageC]) {
    expect([200, 202]).toContain(page.status);
    expect(page.body).toContain(`data-appid="${mp.appid}"`);
  }
  expect(poll.ok).toBe(true);
  const reload = await httpGet(
    `${stack.publicBaseUrl}/callback?sid=${sessionId}&auth_code=${encodeURIComponent(silent.authCode)}`,
  );
  expect(reload.body).toContain('授权成功');
  await expectWrittenOnce(mp.appid, silent.authCode, sessionId, MERCHANT);
});

test('the callback before the push: it waits for the push, which binds the session and answers success', async () => {
  const oa = account(stack, 'official_account');
  const { sessionId, preAuthCode } = await h5Session(stack, MERCHANT);
  const silent = await confirmSilently(stack, { preAuthCode, authorizerAppid: oa.appid, channel: 'h5' });
  stack.openPlatform.resetCalls();

  const url = `${stack.publicBaseUrl}/callback?sid=${sessionId}&auth_code=${encodeURIComponent(silent.authCode)}`;
  const page = await httpGet(url);
  // Exchanged and stored, but only the signed push may tie the account to this merchant.
  expect(page.status).toBe(202);
  expect(page.body).toContain('正在等待微信的授权通知');
  expect(await docById(stack, 'authSessions', sessionId)).toMatchObject({ status: 'pending' });
  const push = await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, silent.plaintext));
  expect(push).toEqual({ status: 200, body: 'success' });
  await expectWrittenOnce(oa.appid, silent.authCode, sessionId, MERCHANT);
  expect((await httpGet(url)).body).toContain('授权成功');
});

test('a second merchant re-authorizing the same account adds an owner to the one record', async () => {
  const mp = account(stack, 'mini_program');
  await authorizeWithPush(stack, MERCHANT, mp.appid);
  // The same account confirms again with fewer sets through another merchant's session.
  const { sessionId, preAuthCode } = await pluginSession(stack, 'oMERCHANT-rules-0003');
  const fewer = mp.grantableFuncIds.slice(0, 2);
  const result = await stack.openPlatform.confirmAuthorization({
    preAuthCode,
    authorizerAppid: mp.appid,
    channel: 'plugin',
    funcIds: fewer,
  });
  expect(result.push?.infoType).toBe('updateauthorized');
  expect(result.push?.delivered).toBe(true);

  const authorizers = await allDocs(stack, 'authorizers');
  expect(authorizers).toHaveLength(1);
  expect(authorizers[0].owners).toEqual([MERCHANT, 'oMERCHANT-rules-0003']);
  expect(authorizers[0].grantedSets).toEqual(fewer);
  expect(authorizers[0].history.map((h: { event: string }) => h.event)).toEqual(['authorized', 'updateauthorized']);
  expect(dataOf(await act(stack, 'oMERCHANT-rules-0003', 'getAuthSession', { sessionId })).status).toBe('authorized');
});
