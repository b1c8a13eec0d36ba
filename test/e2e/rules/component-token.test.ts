/**
 * DESIGN "Tickets and tokens": one refresher at a time across all instances (a lease on the
 * platform document), never a token per request; on 40001/40014/42001 drop the token only if it
 * is still the one that failed, refresh once, retry once. No ticket yet: a clear NOT_READY.
 */
import {
  act,
  callsOf,
  captureOutputOfFile,
  dataOf,
  docById,
  MERCHANT,
  startRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

jest.setTimeout(60_000);

let stack: RulesStack;
captureOutputOfFile();
afterEach(async () => {
  await stack?.close();
});

const newSession = (instance?: Parameters<typeof act>[4]) =>
  act(stack, MERCHANT, 'createAuthSession', { authType: 3, channel: 'plugin' }, instance);

async function storedToken(): Promise<{ componentToken: string | null; componentTokenExpiresAt: number }> {
  const doc = await docById<{ componentToken: string | null; componentTokenExpiresAt: number }>(
    stack,
    'platform',
    stack.openPlatform.component.appId,
  );
  if (!doc) throw new Error('no platform document');
  return doc;
}

/** Another process (a staging copy, a script) fetches its own token from WeChat. */
async function tokenFetchedElsewhere(): Promise<string> {
  const { component } = stack.openPlatform;
  const response = await fetch(`${stack.openPlatform.url}/cgi-bin/component/api_component_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: stack.openPlatform.latestTicket(),
    }),
  });
  const json = (await response.json()) as { component_access_token?: string };
  if (!json.component_access_token) throw new Error('no token');
  return json.component_access_token;
}

test('4 instances × 5 concurrent createAuthSession right after expiry: exactly one api_component_token', async () => {
  stack = await startRulesStack();
  dataOf(await newSession());
  const before = await storedToken();
  stack.clock.advance(7200);
  await stack.openPlatform.pushTicket(); // fresh ticket, so only the token is stale
  stack.openPlatform.resetCalls();

  const instances = [1, 2, 3, 4].map(() => stack.cloud.newInstance('authorization'));
  const replies = await Promise.all(instances.flatMap((instance) => [1, 2, 3, 4, 5].map(() => newSession(instance))));

  expect(replies.filter((r) => !r.ok)).toEqual([]);
  expect(callsOf(stack, 'api_component_token')).toHaveLength(1);
  expect(callsOf(stack, 'api_create_preauthcode').map((c) => c.errcode)).toEqual(Array(20).fill(0));
  const after = await storedToken();
  expect(after.componentToken).not.toBe(before.componentToken);
  expect(after.componentTokenExpiresAt).toBeGreaterThan(stack.clock.now() + 7000_000);
  expect(new Set(replies.map((r) => (r.ok ? r.data.sessionId : '')))).toHaveProperty('size', 20);
});

test('a fresh stored token is shared: many calls, no api_component_token at all', async () => {
  stack = await startRulesStack();
  dataOf(await newSession());
  stack.openPlatform.resetCalls();
  const instances = [1, 2, 3].map(() => stack.cloud.newInstance('authorization'));
  const replies = await Promise.all(instances.flatMap((instance) => [1, 2, 3].map(() => newSession(instance))));
  expect(replies.every((r) => r.ok)).toBe(true);
  expect(callsOf(stack, 'api_component_token')).toHaveLength(0);
});

test('a token superseded elsewhere keeps working within 300 s; after that 40001 → one refresh, one retry', async () => {
  stack = await startRulesStack();
  dataOf(await newSession());
  const ours = (await storedToken()).componentToken;
  const theirs = await tokenFetchedElsewhere();
  expect(theirs).not.toBe(ours);
  stack.openPlatform.resetCalls();

  stack.clock.advance(240);
  dataOf(await newSession());
  expect(callsOf(stack, 'api_component_token')).toHaveLength(0);
  expect((await storedToken()).componentToken).toBe(ours);

  stack.clock.advance(120); // 360 s after it was superseded: WeChat now says "not latest"
  stack.openPlatform.resetCalls();
  dataOf(await newSession());
  expect(stack.openPlatform.calls.map((c) => [c.api, c.errcode])).toEqual([
    ['api_create_preauthcode', 40001],
    ['api_component_token', 0],
    ['api_create_preauthcode', 0],
  ]);
  const replaced = (await storedToken()).componentToken;
  expect(replaced).not.toBe(ours);
  expect(replaced).not.toBe(theirs);
});

test.each([40001, 40014, 42001])(
  'WeChat answers %i for the stored token: dropped, refreshed once, retried once',
  async (errcode) => {
    stack = await startRulesStack();
    dataOf(await newSession());
    const before = (await storedToken()).componentToken;
    stack.openPlatform.resetCalls();
    stack.openPlatform.faults.inject({ api: 'api_create_preauthcode', errcode, times: 1 });

    const reply = await newSession();

    expect(reply.ok).toBe(true);
    expect(stack.openPlatform.calls.map((c) => [c.api, c.errcode])).toEqual([
      ['api_create_preauthcode', errcode],
      ['api_component_token', 0],
      ['api_create_preauthcode', 0],
    ]);
    expect((await storedToken()).componentToken).not.toBe(before);
  },
);

test('a second rejection in a row is not retried again: UPSTREAM, exactly one extra token', async () => {
  stack = await startRulesStack();
  dataOf(await newSession());
  stack.openPlatform.resetCalls();
  stack.openPlatform.faults.inject({ api: 'api_create_preauthcode', errcode: 40001, times: 2 });

  const reply = await newSession();

  expect(reply).toMatchObject({ ok: false, error: { code: 'UPSTREAM' } });
  expect(stack.openPlatform.calls.map((c) => [c.api, c.errcode])).toEqual([
    ['api_create_preauthcode', 40001],
    ['api_component_token', 0],
    ['api_create_preauthcode', 40001],
  ]);
});

test('42001 after a real expiry the backend did not see coming: refresh once, retry once', async () => {
  stack = await startRulesStack();
  dataOf(await newSession());
  const { componentToken } = await storedToken();
  // The stored expiry is wrong (clock skew, a hand-edited record): WeChat's own expiry decides.
  await stack.cloud.db
    .collection('platform')
    .doc(stack.openPlatform.component.appId)
    .update({ data: { componentTokenExpiresAt: stack.clock.now() + 48 * 3600_000 } });
  stack.clock.advance(7300);
  await stack.openPlatform.pushTicket();
  stack.openPlatform.resetCalls();

  dataOf(await newSession());

  expect(stack.openPlatform.calls.map((c) => [c.api, c.errcode])).toEqual([
    ['api_create_preauthcode', 42001],
    ['api_component_token', 0],
    ['api_create_preauthcode', 0],
  ]);
  expect((await storedToken()).componentToken).not.toBe(componentToken);
});

test('concurrent callers all hit 40001 on the same token: the token is refreshed once, all succeed', async () => {
  stack = await startRulesStack();
  dataOf(await newSession());
  await tokenFetchedElsewhere();
  stack.clock.advance(400); // ours is now "not latest"
  stack.openPlatform.resetCalls();
  const instances = [1, 2, 3, 4].map(() => stack.cloud.newInstance('authorization'));

  const replies = await Promise.all(instances.flatMap((instance) => [1, 2].map(() => newSession(instance))));

  expect(replies.filter((r) => !r.ok)).toEqual([]);
  expect(callsOf(stack, 'api_component_token')).toHaveLength(1);
  expect(callsOf(stack, 'api_create_preauthcode').filter((c) => c.errcode === 0)).toHaveLength(8);
});

test('no ticket yet: createAuthSession answers NOT_READY and asks WeChat for nothing', async () => {
  stack = await startRulesStack({ pushTicketAtStart: false });

  const reply = await newSession();

  expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_READY' } });
  if (reply.ok) return;
  expect(reply.error.message).toContain('component_verify_ticket');
  expect(stack.openPlatform.calls).toEqual([]);
  const platform = await storedToken();
  expect(platform.componentToken).toBeNull();

  // Once the ticket arrives the same call works.
  await stack.openPlatform.pushTicket();
  expect((await newSession()).ok).toBe(true);
  expect(callsOf(stack, 'api_component_token')).toHaveLength(1);
});

test('an expired ticket (older than 12 h, no newer push) is reported, not retried in a loop', async () => {
  stack = await startRulesStack();
  stack.clock.advance(13 * 3600);
  stack.openPlatform.resetCalls();

  const reply = await newSession();

  expect(reply.ok).toBe(false);
  expect(stack.openPlatform.calls.map((c) => [c.api, c.errcode])).toEqual([['api_component_token', 61005]]);
});
