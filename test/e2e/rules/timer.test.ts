/**
 * The timer's housekeeping (DESIGN "Parts": timer): stale pending sessions expire, and an
 * authorization whose push processing died (claimed code, lease run out, code still valid) is
 * finished — by the timer or by the merchant's page polling getAuthSession.
 */
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
  MERCHANT,
  OTHER_MERCHANT,
  pluginSession,
  useRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

let stack: RulesStack;
useRulesStack('each', (started) => (stack = started));

const session = (id: string) => docById<Record<string, any>>(stack, 'authSessions', id);

/**
 * What a push handler leaves behind when its instance dies mid-way: the code claimed under a
 * 20 s lease, never exchanged (or exchanged but nothing stored yet), nothing else written.
 */
async function dyingClaim(
  code: string,
  sessionId: string,
  appid: string,
  exchanged: { authorizerAppid: string; grantedSets: number[] } | null = null,
): Promise<void> {
  const now = stack.clock.now();
  await stack.cloud.db.collection('authCodes').add({
    data: {
      _id: codeIdFor(code),
      code: exchanged ? null : code,
      stage: exchanged ? 'exchanged' : 'received',
      signed: true,
      sessionId,
      authorizerAppid: appid,
      eventAt: now,
      event: 'authorized',
      callbackSessionId: null,
      exchangeAttempts: exchanged ? 1 : 0,
      claimState: 'in_progress',
      exchanged,
      bindingDone: false,
      error: null,
      createdAt: now,
      expiresAt: now + 3600_000,
      leaseOwner: 'instance-that-died',
      leaseUntil: now + 20_000,
    },
  });
}

test('stale pending sessions expire; fresh and finished ones are left alone', async () => {
  const done = await authorizeWithPush(stack, OTHER_MERCHANT, account(stack, 'official_account').appid);
  const stale = await pluginSession(stack, MERCHANT);
  stack.clock.advance(600 + 300 + 5); // the pre_auth_code's life plus the late-push grace
  const fresh = await pluginSession(stack, OTHER_MERCHANT);

  const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;

  expect(report.expiredSessions).toEqual({ ok: true, detail: 1 });
  expect(await session(stale.sessionId)).toMatchObject({ status: 'expired' });
  expect((await session(stale.sessionId))!.completedAt).toBeGreaterThan(0);
  expect(await session(fresh.sessionId)).toMatchObject({ status: 'pending', completedAt: null });
  expect(await session(done)).toMatchObject({ status: 'authorized' });
  expect(dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId: stale.sessionId })).status).toBe('expired');
});

test('a session inside the late-push grace is not expired yet', async () => {
  const { sessionId } = await pluginSession(stack, MERCHANT);
  stack.clock.advance(600 + 200);
  await stack.cloud.triggerTimer('authorization');
  expect(await session(sessionId)).toMatchObject({ status: 'pending' });
});

test('the timer finishes an authorization whose push processing died', async () => {
  const mp = account(stack, 'mini_program');
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  const { authCode } = await confirmSilently(stack, { preAuthCode, authorizerAppid: mp.appid, channel: 'plugin' });
  await dyingClaim(authCode, sessionId, mp.appid);
  stack.openPlatform.resetCalls();

  // While the dead instance's lease runs, nobody steals the claim.
  await stack.cloud.triggerTimer('authorization');
  expect(callsOf(stack, 'api_query_auth')).toHaveLength(0);
  expect(await session(sessionId)).toMatchObject({ status: 'pending' });

  stack.clock.advance(30);
  const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;

  expect(report.stuckAuthorizations).toEqual({ ok: true, detail: 1 });
  expect(callsOf(stack, 'api_query_auth')).toEqual([expect.objectContaining({ errcode: 0 })]);
  expect(await session(sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: mp.appid });
  expect(await docById(stack, 'authCodes', codeIdFor(authCode))).toMatchObject({ claimState: 'done', code: null });
  const authorizers = await allDocs(stack, 'authorizers');
  expect(authorizers.map((a) => a._id)).toEqual([mp.appid]);
  expect(authorizers[0].owners).toEqual([MERCHANT]);
  expect(await docById(stack, 'authorizerTokens', mp.appid)).not.toBeNull();

  // The push that WeChat retries later finds it done.
  stack.openPlatform.resetCalls();
  await stack.cloud.triggerTimer('authorization');
  expect(callsOf(stack, 'api_query_auth')).toHaveLength(0);
});

test('the merchant polling getAuthSession finishes it too (and only after the lease ran out)', async () => {
  const oa = account(stack, 'official_account');
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  const { authCode } = await confirmSilently(stack, { preAuthCode, authorizerAppid: oa.appid, channel: 'plugin' });
  await dyingClaim(authCode, sessionId, oa.appid);
  stack.openPlatform.resetCalls();

  const early = dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId }));
  expect(early.status).toBe('pending');
  expect(callsOf(stack, 'api_query_auth')).toHaveLength(0);
  // Another merchant's poll learns nothing and finishes nothing.
  expect(await act(stack, OTHER_MERCHANT, 'getAuthSession', { sessionId })).toMatchObject({
    ok: false,
    error: { code: 'NOT_FOUND' },
  });

  stack.clock.advance(25);
  const polls = await Promise.all(
    [1, 2, 3].map(() => act(stack, MERCHANT, 'getAuthSession', { sessionId }, stack.cloud.newInstance('authorization'))),
  );

  expect(callsOf(stack, 'api_query_auth')).toHaveLength(1);
  const finished = polls.map(dataOf).filter((view) => view.status === 'authorized');
  expect(finished.length).toBeGreaterThanOrEqual(1);
  expect(finished[0].authorizer).toMatchObject({ appid: oa.appid, status: 'active' });
  expect(dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId })).status).toBe('authorized');
  expect((await allDocs(stack, 'authorizers')).map((a) => a._id)).toEqual([oa.appid]);
});

test('a claim that died after the exchange continues from there, without spending the code twice', async () => {
  const mp = account(stack, 'mini_program', 1);
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  const { authCode } = await confirmSilently(stack, { preAuthCode, authorizerAppid: mp.appid, channel: 'plugin' });
  const granted = stack.openPlatform.authorizations().find((a) => a.authorizerAppid === mp.appid)!.funcIds;
  await dyingClaim(authCode, sessionId, mp.appid, { authorizerAppid: mp.appid, grantedSets: granted });
  stack.clock.advance(30);
  stack.openPlatform.resetCalls();

  await stack.cloud.triggerTimer('authorization');

  expect(callsOf(stack, 'api_query_auth')).toHaveLength(0);
  expect(await session(sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: mp.appid });
  const doc = await docById<Record<string, any>>(stack, 'authorizers', mp.appid);
  expect(doc).toMatchObject({ status: 'active', owners: [MERCHANT], grantedSets: granted });
});

test('a dead claim whose code has expired: never sent to WeChat; the account WeChat signed is recovered and bound', async () => {
  const oa = account(stack, 'official_account', 1);
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
  const { authCode } = await confirmSilently(stack, { preAuthCode, authorizerAppid: oa.appid, channel: 'plugin' });
  await dyingClaim(authCode, sessionId, oa.appid);
  stack.clock.advance(3600 + 60);
  stack.openPlatform.resetCalls();

  await stack.cloud.triggerTimer('authorization');

  expect(callsOf(stack, 'api_query_auth')).toHaveLength(0);
  // The push that named it was signed in time: the merchant did authorize, so the session is theirs.
  expect(await session(sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: oa.appid });
});
