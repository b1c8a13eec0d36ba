/**
 * The admin's health answer over the real function and emulator: a configuration error WeChat
 * returns (61004, the IP whitelist) is recorded in plain words, and cleared by the next call
 * that WeChat accepts, so the admin page's whitelist card goes away once the IP is added.
 */
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const ADMIN = 'o-health-admin';
const MERCHANT = 'o-health-merchant';

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack({ adminOpenIds: [ADMIN] });
});

afterAll(async () => {
  await flow?.close();
});

test('61004 is recorded in plain words, and cleared once a later call succeeds', async () => {
  await flow.ok(MERCHANT, 'createAuthSession', { authType: 1, channel: 'plugin' });
  expect((await flow.ok(ADMIN, 'platformHealth', {})).lastUpstreamError).toBeNull();

  flow.stack.openPlatform.faults.inject({ api: 'api_create_preauthcode', errcode: 61004, times: 1 });
  const refused = await flow.call(MERCHANT, 'createAuthSession', { authType: 1, channel: 'plugin' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'CONFIGURATION' } });
  const noted = (await flow.ok(ADMIN, 'platformHealth', {})).lastUpstreamError;
  expect(noted).toMatchObject({ errcode: 61004 });
  expect(noted?.meaning).toContain('白名单');
  expect(noted?.meaning).not.toMatch(/[a-z]{4,} [a-z]{4,}/); // no English sentence

  // The IP is whitelisted now: the next call goes through and the note is gone.
  await flow.ok(MERCHANT, 'createAuthSession', { authType: 1, channel: 'plugin' });
  expect((await flow.ok(ADMIN, 'platformHealth', {})).lastUpstreamError).toBeNull();
});

test('a 61004 on fetching the component token clears once a token is fetched', async () => {
  // The stored token is rejected, and fetching a new one meets the whitelist.
  flow.stack.openPlatform.faults.inject({ api: 'api_create_preauthcode', errcode: 40001, times: 1 });
  flow.stack.openPlatform.faults.inject({ api: 'api_component_token', errcode: 61004, times: 1 });
  expect(await flow.call(MERCHANT, 'createAuthSession', { authType: 1, channel: 'plugin' })).toMatchObject({ ok: false });
  expect((await flow.ok(ADMIN, 'platformHealth', {})).lastUpstreamError).toMatchObject({ errcode: 61004 });
  expect((await flow.ok(ADMIN, 'platformHealth', {})).componentToken.expiresAt).toBeNull();

  await flow.ok(MERCHANT, 'createAuthSession', { authType: 1, channel: 'plugin' });
  const health = await flow.ok(ADMIN, 'platformHealth', {});
  expect(health.componentToken.ok).toBe(true);
  expect(health.lastUpstreamError).toBeNull();
});

test('the list answer carries the counts per status under its kind filter, and its total is one of them', async () => {
  const all = await flow.ok(ADMIN, 'listAuthorizers', {});
  expect(all.counts).toBeDefined();
  const { active, needsReauth, revoked } = all.counts!;
  expect(all.total).toBe(active + needsReauth + revoked);
  const onlyActive = await flow.ok(ADMIN, 'listAuthorizers', { status: 'active' });
  expect(onlyActive.total).toBe(active);
  expect(onlyActive.counts).toEqual(all.counts);
  const games = await flow.ok(ADMIN, 'listAuthorizers', { kind: 'mini_game' });
  expect(games.total).toBe(games.authorizers.length);
});
