/**
 * DESIGN "Lifecycle" and "What providers trip over": authorizer access tokens are refreshed
 * ahead of expiry by the timer, once per authorizer however many instances run it; 61023 marks
 * the account needs_reauth; reconcile with api_get_authorizer_list restores refresh tokens,
 * recovers accounts, records missed authorizations and marks revoked ones.
 */
import {
  account,
  act,
  ADMIN,
  allDocs,
  authorizeWithPush,
  callsOf,
  confirmSilently,
  dataOf,
  docById,
  MERCHANT,
  pluginSession,
  useRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

let stack: RulesStack;
useRulesStack('each', (started) => (stack = started));

interface TokenDoc {
  _id: string;
  accessToken: string | null;
  expiresAt: number;
  refreshToken: string;
}

const tokenDoc = (appid: string) => docById<TokenDoc>(stack, 'authorizerTokens', appid);
const authorizer = (appid: string) => docById<Record<string, any>>(stack, 'authorizers', appid);
const events = async (appid: string) => ((await authorizer(appid))?.history ?? []).map((h: { event: string }) => h.event);

/** Two authorized accounts and one timer run, so reconcile is not due for the next 6 h. */
async function twoAuthorizedAccounts(): Promise<[string, string]> {
  const oa = account(stack, 'official_account').appid;
  const mp = account(stack, 'mini_program').appid;
  await authorizeWithPush(stack, MERCHANT, oa);
  await authorizeWithPush(stack, MERCHANT, mp);
  await stack.cloud.triggerTimer('authorization');
  return [oa, mp];
}

/** WeChat's current refresh token of an account, as api_get_authorizer_list returns it. */
async function wechatRefreshToken(appid: string): Promise<string | undefined> {
  const { component, url } = stack.openPlatform;
  const tokenAnswer = await fetch(`${url}/cgi-bin/component/api_component_token`, {
    method: 'POST',
    body: JSON.stringify({
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: stack.openPlatform.latestTicket(),
    }),
  });
  const { component_access_token: token } = (await tokenAnswer.json()) as { component_access_token: string };
  const listAnswer = await fetch(
    `${url}/cgi-bin/component/api_get_authorizer_list?component_access_token=${encodeURIComponent(token)}`,
    {
      method: 'POST',
      body: JSON.stringify({ component_appid: component.appId, offset: 0, count: 500 }),
    },
  );
  const { list } = (await listAnswer.json()) as { list: { authorizer_appid: string; refresh_token: string }[] };
  return list.find((entry) => entry.authorizer_appid === appid)?.refresh_token;
}

test('timer on 4 instances at once near expiry: one api_authorizer_token per authorizer, tokens replaced', async () => {
  const [oa, mp] = await twoAuthorizedAccounts();
  const before = { [oa]: await tokenDoc(oa), [mp]: await tokenDoc(mp) };
  stack.clock.advance(7200 - 300); // inside the 600 s refresh margin
  stack.openPlatform.resetCalls();

  const instances = [1, 2, 3, 4].map(() => stack.cloud.newInstance('authorization'));
  const reports = (await Promise.all(instances.map((i) => i.triggerTimer()))) as Record<string, { ok: boolean }>[];

  for (const report of reports) expect(report.authorizerTokens.ok).toBe(true);
  const refreshCalls = callsOf(stack, 'api_authorizer_token');
  expect(refreshCalls).toHaveLength(2);
  expect(refreshCalls.every((c) => c.errcode === 0)).toBe(true);
  expect(callsOf(stack, 'api_component_token')).toHaveLength(1); // the component token was due too
  for (const appid of [oa, mp]) {
    const after = (await tokenDoc(appid))!;
    expect(after.accessToken).not.toBe(before[appid]!.accessToken);
    expect(after.expiresAt).toBeGreaterThan(stack.clock.now() + 7000_000);
    expect(stack.openPlatform.checkAuthorizerAccessToken(after.accessToken!)).toEqual({ ok: true, authorizerAppid: appid });
  }

  // Run again: nothing is due any more.
  stack.openPlatform.resetCalls();
  await Promise.all(instances.map((i) => i.triggerTimer()));
  expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(0);
});

test('tokens far from expiry are left alone by the timer', async () => {
  await twoAuthorizedAccounts();
  stack.clock.advance(3600);
  stack.openPlatform.resetCalls();
  await stack.cloud.triggerTimer('authorization');
  expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(0);
});

test('61023 on refresh: needs_reauth with a history entry, listed by platformHealth under needsAttention', async () => {
  const [oa, mp] = await twoAuthorizedAccounts();
  stack.clock.advance(7200 - 300);
  stack.openPlatform.faults.inject({ api: 'api_authorizer_token', errcode: 61023, times: 1 });

  const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;

  expect(report.authorizerTokens).toEqual({ ok: true, detail: { refreshed: 1, failed: 1 } });
  const statuses = { [oa]: (await authorizer(oa))!.status, [mp]: (await authorizer(mp))!.status };
  expect(Object.values(statuses).sort()).toEqual(['active', 'needs_reauth']);
  const broken = statuses[oa] === 'needs_reauth' ? oa : mp;
  expect(await events(broken)).toEqual(['authorized', 'needs_reauth']);

  const health = dataOf(await act(stack, ADMIN, 'platformHealth', {}));
  expect(health.ok).toBe(false);
  expect(health.authorizers).toEqual({ total: 2, active: 1, needsReauth: 1, revoked: 0 });
  expect(health.needsAttention.map((a: { appid: string }) => a.appid)).toEqual([broken]);
  expect(health.needsAttention[0].status).toBe('needs_reauth');
  // The merchant sees it too, and nothing secret travels with it.
  const mine = dataOf(await act(stack, MERCHANT, 'listMyAuthorizers', {}));
  expect(mine.authorizers.find((a: { appid: string }) => a.appid === broken).status).toBe('needs_reauth');
  expect(JSON.stringify(mine)).not.toMatch(/refreshtoken@@@|accessToken|refreshToken/);
});

test('reconcile restores a corrupted refresh token and brings the needs_reauth account back', async () => {
  const [oa] = await twoAuthorizedAccounts();
  const good = (await tokenDoc(oa))!.refreshToken;
  await stack.cloud.db
    .collection('authorizerTokens')
    .doc(oa)
    .update({ data: { refreshToken: 'refreshtoken@@@corrupted' } });
  stack.clock.advance(7200 - 300);
  stack.openPlatform.resetCalls();

  await stack.cloud.triggerTimer('authorization');
  // WeChat itself rejects the corrupted token (no injected fault).
  expect(
    callsOf(stack, 'api_authorizer_token')
      .map((c) => c.errcode)
      .sort(),
  ).toEqual([0, 61023]);
  expect((await authorizer(oa))!.status).toBe('needs_reauth');

  const report = dataOf(await act(stack, ADMIN, 'reconcile', {}));

  expect(report).toMatchObject({ listed: 2, restored: 1, markedRevoked: 0 });
  const restored = (await tokenDoc(oa))!;
  expect(restored.refreshToken).toBe(good);
  expect(restored.refreshToken).toBe(await wechatRefreshToken(oa));
  expect(stack.openPlatform.checkAuthorizerAccessToken(restored.accessToken!)).toEqual({ ok: true, authorizerAppid: oa });
  expect((await authorizer(oa))!.status).toBe('active');
  expect(await events(oa)).toEqual(['authorized', 'needs_reauth', 'reconciled']);
  expect((await authorizer(oa))!.owners).toEqual([MERCHANT]);
});

test('reconcile restores a lost token record', async () => {
  const [oa, mp] = await twoAuthorizedAccounts();
  await stack.cloud.db.collection('authorizerTokens').doc(mp).remove();

  const report = dataOf(await act(stack, ADMIN, 'reconcile', {}));

  expect(report).toMatchObject({ listed: 2, restored: 1, markedRevoked: 0 });
  expect((await tokenDoc(mp))!.refreshToken).toBe(await wechatRefreshToken(mp));
  expect((await authorizer(mp))!.status).toBe('active');
  expect((await authorizer(oa))!.status).toBe('active');
  // The restored record is usable: the next timer run near expiry refreshes it without error.
  stack.clock.advance(7200 - 300);
  stack.openPlatform.resetCalls();
  await stack.cloud.triggerTimer('authorization');
  expect(callsOf(stack, 'api_authorizer_token').every((c) => c.errcode === 0)).toBe(true);
  expect((await authorizer(mp))!.status).toBe('active');
});

test('reconcile leaves needs_reauth accounts alone while WeChat still rejects their tokens', async () => {
  const [oa, mp] = await twoAuthorizedAccounts();
  stack.clock.advance(7200 - 300);
  const fault = stack.openPlatform.faults.inject({ api: 'api_authorizer_token', errcode: 61023 });
  await stack.cloud.triggerTimer('authorization');
  expect([(await authorizer(oa))!.status, (await authorizer(mp))!.status]).toEqual(['needs_reauth', 'needs_reauth']);

  const report = dataOf(await act(stack, ADMIN, 'reconcile', {}));

  expect(report).toMatchObject({ listed: 2, restored: 0, markedRevoked: 0 });
  for (const appid of [oa, mp]) {
    expect((await authorizer(appid))!.status).toBe('needs_reauth');
    expect(await events(appid)).toEqual(['authorized', 'needs_reauth']);
  }

  // WeChat accepts the tokens again: the next reconcile brings both back.
  stack.openPlatform.faults.clear(fault);
  expect(dataOf(await act(stack, ADMIN, 'reconcile', {}))).toMatchObject({ listed: 2, restored: 0, markedRevoked: 0 });
  for (const appid of [oa, mp]) {
    expect((await authorizer(appid))!.status).toBe('active');
    expect(await events(appid)).toEqual(['authorized', 'needs_reauth', 'reconciled']);
  }
});

test('reconcile records an authorization whose push never arrived, with its refresh token', async () => {
  await twoAuthorizedAccounts();
  const channels = account(stack, 'channels').appid;
  const { preAuthCode } = await pluginSession(stack, MERCHANT, 5);
  await confirmSilently(stack, { preAuthCode, authorizerAppid: channels, channel: 'plugin' });
  expect(await authorizer(channels)).toBeNull();

  const report = dataOf(await act(stack, ADMIN, 'reconcile', {}));

  expect(report).toMatchObject({ listed: 3, restored: 1, markedRevoked: 0 });
  const doc = (await authorizer(channels))!;
  expect(doc).toMatchObject({ status: 'active', kind: 'channels', owners: [] });
  expect(doc.grantedSets.length).toBeGreaterThan(0);
  expect(await events(channels)).toEqual(['reconciled']);
  expect((await tokenDoc(channels))!.refreshToken).toBe(await wechatRefreshToken(channels));
  expect((await allDocs(stack, 'authorizers')).map((a) => a._id).sort()).toHaveLength(3);
});

test('reconcile marks revoked an account WeChat no longer lists, and deletes its tokens', async () => {
  const [oa, mp] = await twoAuthorizedAccounts();
  const url = stack.openPlatform.component.authEventUrl;
  stack.openPlatform.setAuthEventUrl(undefined); // the unauthorized push is lost
  await stack.openPlatform.revoke(mp);
  stack.openPlatform.setAuthEventUrl(url);
  expect((await authorizer(mp))!.status).toBe('active');
  // A listing in the very second of the grant cannot tell which came first: it revokes nothing then.
  stack.clock.advance(60);

  const report = dataOf(await act(stack, ADMIN, 'reconcile', {}));

  expect(report).toMatchObject({ listed: 1, restored: 0, markedRevoked: 1 });
  expect((await authorizer(mp))!.status).toBe('revoked');
  expect(await events(mp)).toEqual(['authorized', 'reconciled']);
  expect(await tokenDoc(mp)).toBeNull();
  expect((await authorizer(oa))!.status).toBe('active');

  // Idempotent: a second reconcile changes nothing.
  const again = dataOf(await act(stack, ADMIN, 'reconcile', {}));
  expect(again).toMatchObject({ listed: 1, restored: 0, markedRevoked: 0 });
  expect(await events(mp)).toEqual(['authorized', 'reconciled']);
});

test('reconcile is an admin action', async () => {
  const reply = await act(stack, MERCHANT, 'reconcile', {});
  expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(callsOf(stack, 'api_get_authorizer_list')).toHaveLength(0);
});

test('the timer on 4 instances when reconcile is due: one reconcile, each change recorded once', async () => {
  const oa = account(stack, 'official_account').appid;
  const mp = account(stack, 'mini_program').appid;
  const channels = account(stack, 'channels').appid;
  await authorizeWithPush(stack, MERCHANT, oa);
  await authorizeWithPush(stack, MERCHANT, mp);
  // Missed pushes: one new authorization, one revocation.
  const { preAuthCode } = await pluginSession(stack, MERCHANT, 5);
  await confirmSilently(stack, { preAuthCode, authorizerAppid: channels, channel: 'plugin' });
  const url = stack.openPlatform.component.authEventUrl;
  stack.openPlatform.setAuthEventUrl(undefined);
  await stack.openPlatform.revoke(mp);
  stack.openPlatform.setAuthEventUrl(url);
  stack.clock.advance(60);
  stack.openPlatform.resetCalls();

  const instances = [1, 2, 3, 4].map(() => stack.cloud.newInstance('authorization'));
  await Promise.all(instances.map((i) => i.triggerTimer()));

  expect(await events(channels)).toEqual(['reconciled']);
  expect(await events(mp)).toEqual(['authorized', 'reconciled']);
  expect((await authorizer(mp))!.status).toBe('revoked');
  expect(await events(oa)).toEqual(['authorized']);
  expect(callsOf(stack, 'api_get_authorizer_list')).toHaveLength(1);
});

test('a reconcile that fails (quota) is retried by the next timer run, not six hours later', async () => {
  const oa = account(stack, 'official_account').appid;
  await authorizeWithPush(stack, MERCHANT, oa);
  stack.openPlatform.faults.inject({ api: 'api_get_authorizer_list', errcode: 45009, times: 1 });
  stack.openPlatform.resetCalls();

  const first = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean }>;
  expect(first.reconcile.ok).toBe(false);
  expect(first.authorizerTokens.ok).toBe(true); // one failing step does not stop the others

  const second = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;
  expect(second.reconcile).toEqual({ ok: true, detail: { listed: 1, restored: 0, markedRevoked: 0 } });
  expect(callsOf(stack, 'api_get_authorizer_list').map((c) => c.errcode)).toEqual([45009, 0]);

  const third = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;
  expect(third.reconcile).toEqual({ ok: true, detail: 'not due' });
});
