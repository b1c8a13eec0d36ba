/**
 * Recovery paths: a code spent by a lost reply, a forged callback code, and an expired ticket.
 */
import {
  act,
  account,
  callsOf,
  dataOf,
  docById,
  MERCHANT,
  ADMIN,
  pluginSession,
  useRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

let stack: RulesStack;
useRulesStack('all', (started) => (stack = started));
afterEach(() => stack.openPlatform.faults.clear());

test('a code WeChat exchanged while its answer was lost is recovered from the authorizer info', async () => {
  const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT, 2);
  const appid = account(stack, 'mini_program').appid;
  const exchangesBefore = callsOf(stack, 'api_query_auth').length;
  // The first api_query_auth is handled (code spent) but its reply never arrives; the retry gets 61009.
  stack.openPlatform.faults.inject({ api: 'api_query_auth', dropReply: true, times: 1 });
  await stack.openPlatform.confirmAuthorization({ preAuthCode, authorizerAppid: appid, channel: 'plugin' });

  const exchanges = callsOf(stack, 'api_query_auth')
    .slice(exchangesBefore)
    .map((c) => c.errcode);
  expect(exchanges).toEqual([0, 61009]);
  const view = dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId }));
  expect(view.status).toBe('authorized');
  expect(view.authorizer.appid).toBe(appid);
  const tokens = await docById<{ refreshToken: string }>(stack, 'authorizerTokens', appid);
  expect(tokens?.refreshToken).toMatch(/^refreshtoken@@@/);
});

test("a forged auth_code on the callback page does not spoil the merchant's pending session", async () => {
  const { sessionId } = dataOf(await act(stack, MERCHANT, 'createAuthSession', { authType: 1, channel: 'pc' }));
  const before = callsOf(stack, 'api_query_auth').length;
  const response = await fetch(`${stack.publicBaseUrl}/callback?sid=${sessionId}&auth_code=queryauthcode@@@forged`);
  expect(await response.text()).toContain('授权未完成');
  expect(
    callsOf(stack, 'api_query_auth')
      .slice(before)
      .map((c) => c.errcode),
  ).toEqual([61009]);
  const view = dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId }));
  expect(view.status).toBe('pending');
});

test('an expired ticket is reported as not ready and shows on the health page', async () => {
  // Fresh token needed: drop the stored one, then let the ticket age past its 12 hours.
  stack.clock.advance(13 * 3600);
  const reply = await act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' });
  expect(reply).toEqual({ ok: false, error: { code: 'NOT_READY', message: expect.stringContaining('票据') } });
  const health = dataOf(await act(stack, ADMIN, 'platformHealth', {}));
  expect(health.ticket.ok).toBe(false);
  expect(health.lastUpstreamError).toMatchObject({ errcode: 61005, meaning: expect.stringContaining('api_start_push_ticket') });
  // The admin asks WeChat to restart the push (merchants may not); the ticket it sends heals it.
  expect((await act(stack, MERCHANT, 'startPushTicket', {})).ok).toBe(false);
  const restarted = dataOf(await act(stack, ADMIN, 'startPushTicket', {}));
  expect(restarted.message).toContain('重新推送');
  expect(callsOf(stack, 'api_start_push_ticket').map((c) => c.errcode)).toEqual([0]);
  for (let i = 0; i < 50 && !dataOf(await act(stack, ADMIN, 'platformHealth', {})).ticket.ok; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect((await act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' })).ok).toBe(true);
});
