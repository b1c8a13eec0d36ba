/**
 * Tokens and secrets never leave the server: every action answer, every page of ours and every
 * line the function logs during all three flows, an update, a revocation, the admin actions and
 * the error paths is scanned for the app secret, the message token and key, the ticket, the
 * component token, every authorizer access and refresh token, and any `@@@` code other than a
 * session's own pre_auth_code in the answer or entry page that hands it out.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import { collectSecrets, findLeaks, type Secret } from '../helpers/flows-secrets';
import { entryTarget, pushesSettled, startFlowStack, unescapeHtml, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const ADMIN = 'o-secrets-admin';
const merchant = 'o-secrets-merchant';
const [oa, , mp, game, channels] = DEFAULT_ACCOUNTS;

let flow: FlowStack;
/** Every secret seen at any point (tokens are replaced and deleted along the way). */
const secrets = new Map<string, Secret>();

async function snapshotSecrets(): Promise<void> {
  for (const secret of await collectSecrets(flow)) if (!secrets.has(secret.value)) secrets.set(secret.value, secret);
}

beforeAll(async () => {
  flow = await startFlowStack({ adminOpenIds: [ADMIN] });
});

afterAll(async () => {
  await flow?.close();
});

/** Submits WeChat's authorization form for one account, as a browser would, and follows to our callback. */
async function confirmOnPage(pageHtml: string, appid: string): Promise<string> {
  const hidden = [...pageHtml.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m): [string, string] => [
    m[1],
    unescapeHtml(m[2]),
  ]);
  const sets = [...pageHtml.matchAll(new RegExp(`id="func-${appid}-(\\d+)"`, 'g'))].map((m): [string, string] => [
    'func_id',
    m[1],
  ]);
  const response = await fetch(`${flow.stack.openPlatform.url}/__emulator/pages/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([...hidden, ['authorizer_appid', appid], ...sets]).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return response.headers.get('location')!;
}

test('all three flows, an update, a revocation, admin actions and error paths leak nothing', async () => {
  const { stack } = flow;
  const origin = `${new URL(stack.publicBaseUrl).origin}/`;
  await flow.ok(merchant, 'getAppConfig', {});

  // Plugin: the plugin must receive its own pre_auth_code.
  const plugin = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'plugin' });
  expect(plugin.plugin!.preAuthCode).toMatch(/^preauthcode@@@/);
  await stack.openPlatform.confirmAuthorization({
    preAuthCode: plugin.plugin!.preAuthCode,
    authorizerAppid: oa.appid,
    channel: 'plugin',
    funcIds: [1, 2],
  });
  await flow.ok(merchant, 'getAuthSession', { sessionId: plugin.sessionId });
  await snapshotSecrets();

  // PC: entry page → WeChat page (with the Referer) → confirm → our callback.
  const pc = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'pc', categoryIds: [17, 18] });
  const entry = await flow.page(pc.pcEntryUrl!);
  const pcPage = await (await fetch(entryTarget(entry.html), { headers: { referer: origin } })).text();
  const pcCallback = await flow.page(await confirmOnPage(pcPage, mp.appid));
  expect(pcCallback.html).toContain('授权成功');
  await pushesSettled(stack);
  await flow.ok(merchant, 'getAuthSession', { sessionId: pc.sessionId });
  await snapshotSecrets();

  // H5.
  const h5 = await flow.ok(merchant, 'createAuthSession', { authType: 5, channel: 'h5' });
  const h5Page = await (await fetch(h5.h5Url!)).text();
  const h5Callback = await flow.page(await confirmOnPage(h5Page, channels.appid));
  expect(h5Callback.html).toContain('授权成功');
  await pushesSettled(stack);
  await snapshotSecrets();

  // Update (new tokens) and the lists.
  const again = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'plugin' });
  await stack.openPlatform.confirmAuthorization({
    preAuthCode: again.plugin!.preAuthCode,
    authorizerAppid: oa.appid,
    channel: 'plugin',
    funcIds: [1, 2, 3],
  });
  await flow.ok(merchant, 'getAuthSession', { sessionId: again.sessionId });
  await flow.ok(merchant, 'listMyAuthorizers', {});
  for (const appid of [oa.appid, mp.appid, channels.appid]) await flow.ok(merchant, 'getAuthorizer', { appid });
  await flow.ok(ADMIN, 'listAuthorizers', {});
  await flow.ok(ADMIN, 'platformHealth', {});
  await flow.ok(ADMIN, 'reconcile', {});
  await snapshotSecrets();

  // Revocation, then everything read again.
  await stack.openPlatform.revoke(channels.appid);
  await pushesSettled(stack);
  await flow.ok(merchant, 'getAuthorizer', { appid: channels.appid });
  await flow.ok(ADMIN, 'platformHealth', {});

  // Error paths: a forged or reused code on the callback, a failed exchange, bad input, others' data.
  const forged = await flow.page(
    `${stack.publicBaseUrl}/callback?sid=${h5.sessionId}&auth_code=queryauthcode@@@forged-${'x'.repeat(40)}`,
  );
  // The session is already authorized: a new code on its link is refused without a call to WeChat.
  expect(forged.html).toContain('链接已失效');
  const reused = new URL(
    await confirmOnPage(
      await (await fetch((await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'h5' })).h5Url!)).text(),
      game.appid,
    ),
  );
  await pushesSettled(stack);
  await flow.page(`${stack.publicBaseUrl}/callback?sid=${pc.sessionId}&auth_code=${reused.searchParams.get('auth_code')}`);
  await flow.page(`${stack.publicBaseUrl}/entry?sid=${plugin.sessionId}`);
  await flow.page(`${stack.publicBaseUrl}/entry?sid=${'f'.repeat(32)}`);
  await flow.call(merchant, 'createAuthSession', { authType: 7, channel: 'pc' } as never);
  await flow.call('o-someone-else', 'getAuthSession', { sessionId: pc.sessionId });
  await flow.call(merchant, 'platformHealth', {});
  stack.openPlatform.faults.inject({ api: 'api_create_preauthcode', errcode: 61004, times: 1 });
  expect(await flow.call(merchant, 'createAuthSession', { authType: 1, channel: 'plugin' })).toMatchObject({
    ok: false,
    error: { code: 'CONFIGURATION' },
  });
  expect((await flow.ok(ADMIN, 'platformHealth', {})).lastUpstreamError).toMatchObject({ errcode: 61004 });
  await snapshotSecrets();

  const all = [...secrets.values()];
  const names = all.map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining(['app secret', 'message token', 'EncodingAESKey', 'ticket', 'component token']));
  expect(names.filter((n) => n.startsWith('refresh token of')).length).toBeGreaterThanOrEqual(4);
  expect(names.filter((n) => n.startsWith('access token of')).length).toBeGreaterThanOrEqual(4);
  // The scan itself finds a planted secret, so an empty result below means something.
  expect(findLeaks([{ what: 'probe', text: `x${all.find((s) => s.name === 'component token')!.value}x` }], all)).toHaveLength(1);
  expect(findLeaks([{ what: 'probe', text: 'queryauthcode%40%40%40abc' }], all)).toHaveLength(1);

  const seenKinds = new Set(flow.seen.map((s) => s.what.replace(/\?.*$/, '')));
  expect([...seenKinds].sort()).toEqual(
    [
      'action createAuthSession',
      'action getAppConfig',
      'action getAuthSession',
      'action getAuthorizer',
      'action listAuthorizers',
      'action listMyAuthorizers',
      'action platformHealth',
      'action reconcile',
      'page /wx/callback',
      'page /wx/entry',
    ].sort(),
  );
  expect(findLeaks(flow.seen, all)).toEqual([]);
  expect(flow.functionLogs.length).toBeGreaterThan(5);
  expect(
    findLeaks(
      flow.functionLogs.map((line) => ({ what: 'function log', text: line })),
      all,
    ),
  ).toEqual([]);
});
