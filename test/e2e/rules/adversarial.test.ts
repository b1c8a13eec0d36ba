/**
 * The attacks and faults of issue "Exactly once, owned right", items 1-8, each as it was tried on
 * the old backend: a forged or replayed callback, a lost reply, a crash mid-exchange, a push whose
 * processing died, a late push, a forged timer event, quota burning, framing.
 */
import { createHash } from 'node:crypto';
import { sealPush } from '../../helpers/wechat-push';
import { httpGet, postPush } from '../helpers/rules-push';
import {
  captureOutputOfFile,
  account,
  act,
  ADMIN,
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
  startRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

// The function's log stays out of the test report.
captureOutputOfFile();

const ATTACKER = OTHER_MERCHANT;
let stack: RulesStack;

afterEach(async () => {
  await stack?.close();
});

async function pcSession(openid: string): Promise<{ sessionId: string; preAuthCode: string }> {
  const { sessionId } = dataOf(await act(stack, openid, 'createAuthSession', { authType: 3, channel: 'pc' }));
  const stored = await docById<{ preAuthCode: string }>(stack, 'authSessions', sessionId);
  return { sessionId, preAuthCode: stored!.preAuthCode };
}

const callbackUrl = (sessionId: string, code: string) =>
  `${stack.publicBaseUrl}/callback?sid=${sessionId}&auth_code=${encodeURIComponent(code)}`;

/** A genuine code with no push: re-confirming an account's unchanged sets through a link (spec §5). */
async function unchangedReconfirmCode(openid: string, appid: string): Promise<string> {
  const { preAuthCode, sessionId } = await pcSession(openid);
  const confirmed = await stack.openPlatform.confirmAuthorization({
    preAuthCode,
    authorizerAppid: appid,
    channel: 'pc',
    redirectUri: `${stack.publicBaseUrl}/callback?sid=${sessionId}`,
  });
  expect(confirmed.push).toBeUndefined();
  return confirmed.authCode;
}

/** The merchant authorizes `appid`, then revokes it a minute later while the push is lost. */
async function authorizedThenRevokedUnheardNow(appid: string) {
  await authorizeWithPush(stack, MERCHANT, appid);
  stack.clock.advance(60);
  const url = stack.openPlatform.component.authEventUrl;
  stack.openPlatform.setAuthEventUrl(undefined);
  const revoked = await stack.openPlatform.revoke(appid);
  stack.openPlatform.setAuthEventUrl(url);
  return revoked;
}

/** As above, then a minute passes. */
async function authorizedThenRevokedUnheard(appid: string) {
  const revoked = await authorizedThenRevokedUnheardNow(appid);
  stack.clock.advance(60);
  return revoked;
}

const owners = async (appid: string) => (await docById<{ owners: string[] }>(stack, 'authorizers', appid))?.owners;
const session = (sessionId: string) =>
  docById<{ status: string; authorizerAppid: string | null }>(stack, 'authSessions', sessionId);

describe('1. the callback never binds, rebinds or fails a session', () => {
  beforeEach(async () => {
    stack = await startRulesStack();
  });

  test("a genuine code of the attacker's own account on the victim's pending session: nothing bound", async () => {
    const own = account(stack, 'official_account').appid;
    await authorizeWithPush(stack, ATTACKER, own);
    const code = await unchangedReconfirmCode(ATTACKER, own);
    const victim = await pcSession(MERCHANT);

    const page = await httpGet(callbackUrl(victim.sessionId, code));

    expect(page.body).not.toContain('授权成功');
    expect(await owners(own)).toEqual([ATTACKER]);
    expect(await session(victim.sessionId)).toMatchObject({ status: 'pending', authorizerAppid: null });
    expect(dataOf(await act(stack, MERCHANT, 'listMyAuthorizers', {})).authorizers).toEqual([]);
  });

  test("the victim's completed session cannot be re-pointed to the attacker's account", async () => {
    const own = account(stack, 'official_account').appid;
    const victimAccount = account(stack, 'mini_program').appid;
    await authorizeWithPush(stack, ATTACKER, own);
    const victim = await pcSession(MERCHANT);
    await stack.openPlatform.confirmAuthorization({
      preAuthCode: victim.preAuthCode,
      authorizerAppid: victimAccount,
      channel: 'pc',
      redirectUri: `${stack.publicBaseUrl}/callback?sid=${victim.sessionId}`,
    });
    expect(await session(victim.sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: victimAccount });
    const code = await unchangedReconfirmCode(ATTACKER, own);

    await httpGet(callbackUrl(victim.sessionId, code));

    expect(await session(victim.sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: victimAccount });
    expect(await owners(own)).toEqual([ATTACKER]);
    expect(await owners(victimAccount)).toEqual([MERCHANT]);
  });

  test("a leaked, unclaimed code of the victim's account on the attacker's session: the victim still owns it", async () => {
    const victimAccount = account(stack, 'mini_program').appid;
    const victim = await pcSession(MERCHANT);
    const leaked = await confirmSilently(stack, {
      preAuthCode: victim.preAuthCode,
      authorizerAppid: victimAccount,
      channel: 'pc',
      redirectUri: `${stack.publicBaseUrl}/callback?sid=${victim.sessionId}`,
    });
    const attacker = await pcSession(ATTACKER);

    await httpGet(callbackUrl(attacker.sessionId, leaked.authCode));
    expect(await session(attacker.sessionId)).toMatchObject({ status: 'pending', authorizerAppid: null });
    expect(await owners(victimAccount)).toEqual([]);

    // WeChat's signed push ties the account to the victim's pre_auth_code.
    expect(await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, leaked.plaintext))).toEqual({
      status: 200,
      body: 'success',
    });
    expect(await session(victim.sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: victimAccount });
    expect(await owners(victimAccount)).toEqual([MERCHANT]);
    expect(dataOf(await act(stack, ATTACKER, 'listMyAuthorizers', {})).authorizers).toEqual([]);
  });

  test('a plugin session has no callback: refused before any call to WeChat', async () => {
    const { sessionId } = await pluginSession(stack, MERCHANT);
    stack.openPlatform.resetCalls();
    const page = await httpGet(callbackUrl(sessionId, `queryauthcode@@@${'x'.repeat(40)}`));
    expect(page.status).toBe(404);
    expect(callsOf(stack, 'api_query_auth')).toEqual([]);
    expect(await session(sessionId)).toMatchObject({ status: 'pending' });
  });

  test('a forged code on a PC session fails the code, never the session', async () => {
    const victim = await pcSession(MERCHANT);
    const page = await httpGet(callbackUrl(victim.sessionId, `queryauthcode@@@${'F'.repeat(60)}`));
    expect(page.body).toContain('授权未完成');
    expect(await session(victim.sessionId)).toMatchObject({ status: 'pending', authorizerAppid: null });
  });
});

describe('2-5. lost replies, crashes, dead push processing, late pushes', () => {
  beforeEach(async () => {
    stack = await startRulesStack();
  });

  test('2. the callback reaches the code first and its reply is lost: the push names the account and it is recovered', async () => {
    const appid = account(stack, 'official_account').appid;
    const pc = await pcSession(MERCHANT);
    const silent = await confirmSilently(stack, {
      preAuthCode: pc.preAuthCode,
      authorizerAppid: appid,
      channel: 'pc',
      redirectUri: `${stack.publicBaseUrl}/callback?sid=${pc.sessionId}`,
    });
    stack.openPlatform.resetCalls();
    stack.openPlatform.faults.inject({ api: 'api_query_auth', dropReply: true, times: 1 });

    const first = await httpGet(callbackUrl(pc.sessionId, silent.authCode));
    expect(first.status).toBe(202);
    expect(first.body).not.toContain('授权码无效');
    expect(callsOf(stack, 'api_query_auth').map((c) => c.errcode)).toEqual([0, 61009]);
    expect(await docById(stack, 'authCodes', codeIdFor(silent.authCode))).toMatchObject({ stage: 'awaiting_appid', code: null });

    expect(await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, silent.plaintext))).toEqual({
      status: 200,
      body: 'success',
    });
    expect(await session(pc.sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: appid });
    expect(await owners(appid)).toEqual([MERCHANT]);
    expect((await httpGet(callbackUrl(pc.sessionId, silent.authCode))).body).toContain('授权成功');
  });

  test('3. an instance dies with api_query_auth in flight: the next attempt, in a new instance, recovers the spent code', async () => {
    const appid = account(stack, 'mini_program').appid;
    const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
    const silent = await confirmSilently(stack, { preAuthCode, authorizerAppid: appid, channel: 'plugin' });
    stack.openPlatform.resetCalls();
    stack.cloud.crashWarmInstance('authorization', (op) => op.collection === 'authorizerTokens' && op.method === 'document.set');

    const dead = await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, silent.plaintext));
    expect(dead.body).not.toBe('success');
    expect(callsOf(stack, 'api_query_auth').map((c) => c.errcode)).toEqual([0]);

    stack.clock.advance(30);
    expect(dataOf(await act(stack, MERCHANT, 'getAuthSession', { sessionId })).status).toBe('authorized');
    expect(callsOf(stack, 'api_query_auth').map((c) => c.errcode)).toEqual([0, 61009]);
    expect(callsOf(stack, 'api_get_authorizer_info').length).toBeGreaterThanOrEqual(1);
    expect(await owners(appid)).toEqual([MERCHANT]);
    expect(await docById(stack, 'authorizerTokens', appid)).toMatchObject({ refreshToken: expect.any(String) });
  });

  test('4. an unauthorized push whose processor died is processed by an identical later push', async () => {
    const appid = account(stack, 'official_account').appid;
    await authorizeWithPush(stack, MERCHANT, appid);
    const url = stack.openPlatform.component.authEventUrl;
    stack.openPlatform.setAuthEventUrl(undefined);
    const revoked = await stack.openPlatform.revoke(appid);
    stack.openPlatform.setAuthEventUrl(url);
    stack.cloud.crashWarmInstance('authorization', (op) => op.collection === 'authorizers' && op.method === 'collection.update');

    const dead = await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, revoked.plaintext));
    expect(dead.body).not.toBe('success');
    expect(await allDocs(stack, 'pushLog')).toContainEqual(
      expect.objectContaining({ infoType: 'unauthorized', claimState: 'in_progress' }),
    );

    stack.clock.advance(15);
    expect(await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, revoked.plaintext))).toEqual({
      status: 200,
      body: 'success',
    });
    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'revoked' });
    expect(await docById(stack, 'authorizerTokens', appid)).toBeNull();
  });

  test('5. an unauthorized push delivered after the merchant re-authorized changes nothing', async () => {
    const appid = account(stack, 'official_account').appid;
    const revoked = await authorizedThenRevokedUnheard(appid);
    await authorizeWithPush(stack, MERCHANT, appid);
    const tokensBefore = await docById(stack, 'authorizerTokens', appid);

    expect(await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, revoked.plaintext))).toEqual({
      status: 200,
      body: 'success',
    });

    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'active' });
    expect(await docById(stack, 'authorizerTokens', appid)).toEqual(tokensBefore);
    expect((await allDocs(stack, 'pushLog')).find((l) => l.infoType === 'unauthorized')).toMatchObject({
      detail: 'older than the recorded state',
    });
  });

  test('5b. the revocation arrives before the older grant: the account ends revoked, as WeChat has it', async () => {
    const appid = account(stack, 'mini_program').appid;
    const { sessionId, preAuthCode } = await pluginSession(stack, MERCHANT);
    const granted = await confirmSilently(stack, { preAuthCode, authorizerAppid: appid, channel: 'plugin' });
    stack.clock.advance(60);
    const url = stack.openPlatform.component.authEventUrl;
    stack.openPlatform.setAuthEventUrl(undefined);
    const revoked = await stack.openPlatform.revoke(appid);
    stack.openPlatform.setAuthEventUrl(url);

    await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, revoked.plaintext));
    await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, granted.plaintext));

    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'revoked' });
    // The merchant did authorize (then revoke): their session says so, their account shows revoked.
    expect(await session(sessionId)).toMatchObject({ status: 'authorized', authorizerAppid: appid });
    expect(dataOf(await act(stack, MERCHANT, 'listMyAuthorizers', {})).authorizers).toEqual([
      expect.objectContaining({ appid, status: 'revoked' }),
    ]);
  });
});

describe('5c. events that tie in one CreateTime second are settled by asking WeChat', () => {
  beforeEach(async () => {
    stack = await startRulesStack();
  });

  /** Revoked and granted again in one second of WeChat's clock; the revocation's push is held back. */
  async function revokedAndRegrantedInOneSecond(appid: string, regrantBy: string) {
    const revoked = await authorizedThenRevokedUnheardNow(appid);
    await authorizeWithPush(stack, regrantBy, appid);
    return revoked;
  }

  test('the revocation processed after the re-grant of the same second: WeChat says authorized, the account stays active', async () => {
    const appid = account(stack, 'official_account').appid;
    const revoked = await revokedAndRegrantedInOneSecond(appid, ATTACKER);
    const tokensBefore = await docById(stack, 'authorizerTokens', appid);
    const regrant = await docById<{ lastEventAt: number }>(stack, 'authorizers', appid);
    expect(regrant!.lastEventAt).toBe(Number(revoked.fields.CreateTime) * 1000);
    stack.openPlatform.resetCalls();

    await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, revoked.plaintext));

    expect(stack.openPlatform.calls.filter((c) => c.api === 'api_get_authorizer_info')).toHaveLength(1);
    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'active', owners: [ATTACKER] });
    expect(await docById(stack, 'authorizerTokens', appid)).toEqual(tokensBefore);
  });

  test('a grant processed after a revocation of the same second that came later: WeChat says revoked, so it stays revoked', async () => {
    const appid = account(stack, 'mini_program').appid;
    await authorizeWithPush(stack, MERCHANT, appid);
    stack.clock.advance(60);
    const { preAuthCode } = await pluginSession(stack, ATTACKER);
    const fewerSets = (await docById<{ grantedSets: number[] }>(stack, 'authorizers', appid))!.grantedSets.slice(1);
    const regrant = await confirmSilently(stack, { preAuthCode, authorizerAppid: appid, channel: 'plugin', funcIds: fewerSets });
    await stack.openPlatform.revoke(appid);
    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'revoked' });

    await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, regrant.plaintext));

    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'revoked' });
    expect(dataOf(await act(stack, ATTACKER, 'listMyAuthorizers', {})).authorizers).toEqual([
      expect.objectContaining({ appid, status: 'revoked' }),
    ]);
  });
});

describe('9. ownership ends with a revocation', () => {
  beforeEach(async () => {
    stack = await startRulesStack();
  });

  test('whoever authorizes after a revocation owns the account alone; a late push of an earlier grant brings no one back', async () => {
    const appid = account(stack, 'official_account').appid;
    await authorizeWithPush(stack, MERCHANT, appid);
    // The old owner starts an update whose push WeChat is slow to deliver.
    stack.clock.advance(30);
    const late = await pluginSession(stack, MERCHANT);
    const fewerSets = (await docById<{ grantedSets: number[] }>(stack, 'authorizers', appid))!.grantedSets.slice(1);
    const lateGrant = await confirmSilently(stack, {
      preAuthCode: late.preAuthCode,
      authorizerAppid: appid,
      channel: 'plugin',
      funcIds: fewerSets,
    });
    stack.clock.advance(30);
    await stack.openPlatform.revoke(appid);
    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'revoked', owners: [MERCHANT] });

    // The account changed hands: its new admin authorizes through another merchant.
    stack.clock.advance(60);
    await authorizeWithPush(stack, ATTACKER, appid);
    expect(await owners(appid)).toEqual([ATTACKER]);
    expect(await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, lateGrant.plaintext))).toEqual({
      status: 200,
      body: 'success',
    });

    expect(await owners(appid)).toEqual([ATTACKER]);
    expect((await session(late.sessionId))?.status).not.toBe('authorized');
    expect(dataOf(await act(stack, MERCHANT, 'listMyAuthorizers', {})).authorizers).toEqual([]);
    expect(await act(stack, MERCHANT, 'getAuthorizer', { appid })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(dataOf(await act(stack, ATTACKER, 'listMyAuthorizers', {})).authorizers).toEqual([
      expect.objectContaining({ appid, status: 'active' }),
    ]);
  });

  test('a revocation push that arrives after the next grant removes the earlier owner, not the new one', async () => {
    const appid = account(stack, 'official_account').appid;
    const revoked = await authorizedThenRevokedUnheard(appid);
    await authorizeWithPush(stack, ATTACKER, appid);
    expect(await owners(appid)).toEqual([MERCHANT, ATTACKER]);

    expect(await postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, revoked.plaintext))).toEqual({
      status: 200,
      body: 'success',
    });

    expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'active', owners: [ATTACKER] });
    expect(dataOf(await act(stack, MERCHANT, 'listMyAuthorizers', {})).authorizers).toEqual([]);
  });

  test('the same merchant authorizing again after revoking owns it again', async () => {
    const appid = account(stack, 'mini_program').appid;
    await authorizeWithPush(stack, MERCHANT, appid);
    stack.clock.advance(60);
    await stack.openPlatform.revoke(appid);
    stack.clock.advance(60);
    await authorizeWithPush(stack, MERCHANT, appid);
    expect(await owners(appid)).toEqual([MERCHANT]);
    expect(dataOf(await act(stack, MERCHANT, 'listMyAuthorizers', {})).authorizers).toEqual([
      expect.objectContaining({ appid, status: 'active' }),
    ]);
  });
});

describe('6-8. triggers, quotas, retention and page headers', () => {
  test('6. a timer-shaped event from a mini-program user is an action, not the timer', async () => {
    stack = await startRulesStack();
    stack.openPlatform.resetCalls();
    for (const event of [
      { Type: 'Timer', TriggerName: 'maintenance', Time: '2026-12-03T00:00:00Z' },
      { Type: 'timer', TriggerName: 'maintenance' },
    ]) {
      expect(await stack.cloud.callFunction('authorization', event, { openid: MERCHANT })).toEqual({
        ok: false,
        error: expect.objectContaining({ code: 'UNKNOWN_ACTION' }),
      });
      // Without an OPENID but from a mini-program (SOURCE wx_client): still an action.
      const instance = stack.cloud.newInstance('authorization');
      expect(await instance.invoke(event, { SOURCE: 'wx_client' })).toEqual({
        ok: false,
        error: expect.objectContaining({ code: 'UNKNOWN_ACTION' }),
      });
    }
    expect(callsOf(stack, 'api_get_authorizer_list')).toEqual([]);
    expect(
      (await docById<{ lastReconciledAt: number }>(stack, 'platform', stack.openPlatform.component.appId))?.lastReconciledAt ?? 0,
    ).toBe(0);
    // The health page shows a timer that never ran; the cloud's own timer does run maintenance.
    expect(dataOf(await act(stack, ADMIN, 'platformHealth', {})).timer).toEqual({ ok: false, lastRunAt: null });
    expect(await stack.cloud.triggerTimer('authorization')).toMatchObject({ reconcile: { ok: true } });
    expect(callsOf(stack, 'api_get_authorizer_list').length).toBeGreaterThan(0);
    expect(dataOf(await act(stack, ADMIN, 'platformHealth', {})).timer).toEqual({ ok: true, lastRunAt: expect.any(Number) });
    stack.clock.advance(17 * 60);
    expect(dataOf(await act(stack, ADMIN, 'platformHealth', {})).timer).toMatchObject({ ok: false });
  });

  test('7. made-up codes cost a bounded number of WeChat calls and documents; createAuthSession is limited per merchant', async () => {
    stack = await startRulesStack({ lenientLimits: false });
    const pc = await pcSession(MERCHANT);
    stack.openPlatform.resetCalls();
    const pages = [];
    for (let i = 0; i < 10; i++)
      pages.push(await httpGet(callbackUrl(pc.sessionId, `queryauthcode@@@made-up-${i}-${'z'.repeat(30)}`)));
    expect(callsOf(stack, 'api_query_auth')).toHaveLength(3);
    expect(pages.slice(3).map((p) => p.status)).toEqual(Array(7).fill(429));
    expect(await allDocs(stack, 'authCodes')).toHaveLength(3);
    // The same made-up code again is never a second call.
    await httpGet(callbackUrl(pc.sessionId, `queryauthcode@@@made-up-0-${'z'.repeat(30)}`));
    expect(callsOf(stack, 'api_query_auth')).toHaveLength(3);

    const replies = [];
    for (let i = 0; i < 6; i++)
      replies.push(await act(stack, OTHER_MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' }));
    expect(replies.slice(0, 5).every((r) => r.ok)).toBe(true);
    expect(replies[5]).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringContaining('太频繁') } });
    stack.clock.advance(61);
    expect((await act(stack, OTHER_MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' })).ok).toBe(true);
  });

  test('7c. new sessions buy no new attempts: unknown codes per merchant, and sessions per day for everyone, are bounded', async () => {
    stack = await startRulesStack({ lenientLimits: false, functionEnv: { SESSIONS_PER_MINUTE: '100', SESSIONS_PER_DAY: '6' } });
    stack.openPlatform.resetCalls();
    const statuses: number[] = [];
    for (let session = 0; session < 5; session++) {
      const pc = await pcSession(MERCHANT);
      for (let i = 0; i < 3; i++)
        statuses.push(
          (await httpGet(callbackUrl(pc.sessionId, `queryauthcode@@@made-up-${session}-${i}-${'y'.repeat(20)}`))).status,
        );
    }
    // 10 a merchant an hour, whichever sessions they come through.
    expect(callsOf(stack, 'api_query_auth')).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);

    // Five sessions so far, one more allowed today, for all merchants together.
    expect((await act(stack, OTHER_MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' })).ok).toBe(true);
    expect(await act(stack, OTHER_MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' })).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringContaining('今天') },
    });
  });

  test('7b. expired sessions, spent codes, old push records and rate counters are deleted after retention', async () => {
    stack = await startRulesStack();
    await authorizeWithPush(stack, MERCHANT, account(stack, 'official_account').appid);
    await pluginSession(stack, OTHER_MERCHANT);
    for (const name of ['authSessions', 'authCodes', 'pushLog', 'rateLimits'])
      expect((await allDocs(stack, name)).length).toBeGreaterThan(0);

    stack.clock.advance(31 * 24 * 3600);
    await stack.openPlatform.pushTicket();
    const report = (await stack.cloud.triggerTimer('authorization')) as { retention: { ok: boolean } };
    expect(report.retention.ok).toBe(true);

    expect(await allDocs(stack, 'authSessions')).toEqual([]);
    expect(await allDocs(stack, 'authCodes')).toEqual([]);
    expect(
      (await allDocs(stack, 'pushLog')).filter((l) => l.infoType !== 'component_verify_ticket' || l.claimState !== 'done'),
    ).toEqual([]);
    expect(await allDocs(stack, 'rateLimits')).toEqual([]);
    expect((await allDocs(stack, 'authorizers')).length).toBe(1);
  });

  test('8. every HTML page forbids framing and sniffing, caches nothing and runs no script but its own', async () => {
    stack = await startRulesStack();
    const pc = await pcSession(MERCHANT);
    const urls = [
      `${stack.publicBaseUrl}/entry?sid=${pc.sessionId}`,
      `${stack.publicBaseUrl}/entry?sid=${'0'.repeat(32)}`,
      callbackUrl(pc.sessionId, 'queryauthcode@@@forged-one'),
      `${stack.publicBaseUrl}/callback`,
    ];
    for (const url of urls) {
      const response = await fetch(url);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('referrer-policy')).toMatch(/^(origin|no-referrer)$/);
      const html = await response.text();
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/\sstyle="/i);
      // Each inline script and style is allowed by its exact hash.
      for (const [, tag, body] of html.matchAll(/<(script|style)>([\s\S]*?)<\/\1>/g)) {
        expect(csp).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
        expect(['script', 'style']).toContain(tag);
      }
    }
    // The entry page sends its origin to WeChat (initiation-domain check); the callback, whose URL holds a code, sends nothing.
    expect((await fetch(urls[0])).headers.get('referrer-policy')).toBe('origin');
    expect((await fetch(urls[2])).headers.get('referrer-policy')).toBe('no-referrer');
  });
});
