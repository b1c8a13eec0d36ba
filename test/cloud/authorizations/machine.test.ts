/**
 * The authorization state machine, row by row of its table (DESIGN.md "The authorization state
 * machine"), on the local database directly: the function's App with no cloud runtime and no HTTP
 * to it. WeChat is the Open Platform emulator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../../cloudfunctions/authorization/src/app';
import { codeIdFor } from '../../../cloudfunctions/authorization/src/authorizations/stages';
import type { Arrival } from '../../../cloudfunctions/authorization/src/authorizations/machine';
import { addOwner, recordGrant, recordRevocation } from '../../../cloudfunctions/authorization/src/authorizers/records';
import type { AuthCodeDoc, AuthorizerDoc, SessionDoc } from '../../../cloudfunctions/authorization/src/model';
import { sessionIdFor } from '../../../cloudfunctions/authorization/src/sessions/sessions';
import { COLLECTIONS, type CloudDb } from '../../../cloudfunctions/authorization/src/store';
import { Clock } from '../../../emulator/clock';
import { Database } from '../../../emulator/cloud/sdk/database';
import { DocumentStore } from '../../../emulator/cloud/sdk/store';
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform/state/fixtures';
import { startOpenPlatform } from '../../../emulator/open-platform/server';
import type { OpenPlatformEmulator } from '../../../emulator/open-platform/emulator';
import { sealPush } from '../../helpers/wechat-push';

const MERCHANT = 'oMERCHANT-machine';
const APPID = DEFAULT_ACCOUNTS[0].appid;
const silentLog = { info: () => undefined, warn: () => undefined };

let dataDir: string;
let documents: DocumentStore;
let clock: Clock;
let wechat: OpenPlatformEmulator;
let app: App;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'machine-'));
  documents = new DocumentStore({ dataDir, strictCollections: false });
  clock = new Clock();
  wechat = await startOpenPlatform({ clock, ticketPushIntervalSeconds: 0 });
  const c = wechat.component;
  const env = {
    COMPONENT_APPID: c.appId,
    COMPONENT_APPSECRET: c.appSecret,
    COMPONENT_TOKEN: c.token,
    ENCODING_AES_KEY: c.encodingAesKey,
    PUBLIC_BASE_URL: 'https://example.test/wx',
    WX_API_BASE_URL: wechat.url,
    WX_MP_BASE_URL: wechat.url,
    WX_OPEN_BASE_URL: wechat.url,
  };
  app = createApp({
    env,
    db: new Database({ store: documents, now: () => clock.now() }) as unknown as CloudDb,
    log: silentLog,
    now: () => clock.now(),
  });
  await deliver((await wechat.pushTicket()).plaintext);
});

afterEach(async () => {
  await wechat.close();
  await documents.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A push handed to the function's push use case, sealed as WeChat seals it. */
async function deliver(plaintext: string) {
  const sealed = sealPush(wechat.component, plaintext);
  return app.pushes.handle({ query: sealed.query, body: sealed.body });
}

/** The merchant confirms in WeChat; the push WeChat would send is returned, not delivered. */
async function confirm(channel: 'plugin' | 'pc' = 'plugin', appid = APPID, funcIds?: number[]) {
  const session = await app.sessions.create({ openid: MERCHANT, channel, authType: 3, bizAppid: null, categoryIds: [] });
  const confirmed = await wechat.confirmAuthorization({
    preAuthCode: session.preAuthCode,
    authorizerAppid: appid,
    channel,
    ...(funcIds ? { funcIds } : {}),
    ...(channel === 'pc' ? { redirectUri: 'https://example.test/wx/callback' } : {}),
  });
  const fields = confirmed.push!.fields;
  const code = String(fields.AuthorizationCode);
  const push: Arrival = {
    source: 'push',
    code,
    expiresAt: Number(fields.AuthorizationCodeExpiredTime) * 1000,
    facts: {
      sessionId: sessionIdFor(session.preAuthCode),
      authorizerAppid: appid,
      eventAt: Number(fields.CreateTime) * 1000,
      event: 'authorized',
    },
  };
  const callback: Arrival = { source: 'callback', code, expiresAt: clock.now() + 3600_000, callbackSessionId: session._id };
  return { session, code, push, callback };
}

const record = (code: string) => app.store.get<AuthCodeDoc>(COLLECTIONS.authCodes, codeIdFor(code));
const sessionOf = (id: string) => app.store.get<SessionDoc>(COLLECTIONS.authSessions, id);
const authorizer = () => app.store.get<AuthorizerDoc>(COLLECTIONS.authorizers, APPID);
const calls = (api: string) => wechat.calls.filter((c) => c.api === api).map((c) => c.errcode);

test('signed push: received → exchanging → exchanged → recorded → done, session bound, merchant owner', async () => {
  const { session, code, push } = await confirm();
  expect(await app.machine.arrive(push, 5000)).toMatchObject({ state: 'done', authorizerAppid: APPID });
  expect(await record(code)).toMatchObject({
    stage: 'done',
    claimState: 'done',
    code: null,
    signed: true,
    bindingDone: true,
    exchangeAttempts: 1,
  });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized', authorizerAppid: APPID });
  expect((await authorizer())?.owners).toEqual([MERCHANT]);
});

test('unsigned callback: done but unbound; the signed push then reopens it and binds, with no second exchange', async () => {
  const { session, code, push, callback } = await confirm('pc');
  expect(await app.machine.arrive(callback, 5000)).toMatchObject({ state: 'done' });
  expect(await record(code)).toMatchObject({ claimState: 'done', signed: false, bindingDone: false });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'pending' });
  expect((await authorizer())?.owners).toEqual([]);

  await app.machine.arrive(push, 5000);
  expect(await record(code)).toMatchObject({ claimState: 'done', signed: true, bindingDone: true });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized' });
  expect((await authorizer())?.owners).toEqual([MERCHANT]);
  expect(calls('api_query_auth')).toEqual([0]);
});

test.each(['poll', 'timer'] as const)(
  'a push that attached its facts but died before reopening the settled record: the %s binds the session',
  async (by) => {
    const { session, code, push, callback } = await confirm('pc');
    expect(await app.machine.arrive(callback, 5000)).toMatchObject({ state: 'done' });
    // What attachSigned writes first; the instance dies before the reopening and its own wait.
    await app.store.update(COLLECTIONS.authCodes, codeIdFor(code), { signed: true, ...push.facts });

    if (by === 'poll') await app.machine.finishForSession(session._id, 5000);
    else expect(await app.machine.resumeStuck(20, 5000)).toBe(1);

    expect(await record(code)).toMatchObject({ claimState: 'done', bindingDone: true });
    expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized', authorizerAppid: APPID });
    expect(calls('api_query_auth')).toEqual([0]);
  },
);

test("a push arriving while the callback's exchange is in flight keeps WeChat's time and account", async () => {
  const { session, code, push, callback } = await confirm('pc');
  // WeChat's clock and ours differ: the push's CreateTime is 100 s before our now.
  clock.advance(100);
  wechat.faults.inject({ api: 'api_query_auth', delayMs: 300, times: 1 });
  const first = app.machine.arrive(callback, 5000);
  while ((await record(code))?.stage !== 'exchanging') await new Promise((resolve) => setTimeout(resolve, 10));
  const [, second] = await Promise.all([first, app.machine.arrive(push, 5000)]);
  expect(second).toMatchObject({ state: 'done', authorizerAppid: APPID });

  const signedAt = push.source === 'push' ? push.facts.eventAt : 0;
  expect(signedAt).toBeLessThan(clock.now() - 90_000);
  expect(await record(code)).toMatchObject({ signed: true, authorizerAppid: APPID, eventAt: signedAt, bindingDone: true });
  expect(await authorizer()).toMatchObject({ lastEventAt: signedAt, owners: [MERCHANT], ownerGrants: { [MERCHANT]: signedAt } });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized' });
  expect(calls('api_query_auth')).toEqual([0]);
});

test('a grant without a push and a signed one in the same second: the signed one, later in that second, is not taken for older', async () => {
  // Both happen within one second of WeChat's CreateTime grain.
  clock.advance((1000 - (clock.now() % 1000)) / 1000);
  const all = DEFAULT_ACCOUNTS[0].grantableFuncIds;
  const first = await confirm('pc', APPID, all);
  await app.machine.arrive(first.callback, 5000);
  const second = await confirm('plugin', APPID, all.slice(1));
  await app.machine.arrive(second.push, 5000);
  expect(Math.floor(clock.now() / 1000)).toBe(Math.floor((second.push.source === 'push' ? second.push.facts.eventAt : 0) / 1000));
  expect((await authorizer())?.grantedSets).toEqual(all.slice(1));
});

test('exchanging, reply lost, appid signed: 61009 → recovered from api_get_authorizer_info', async () => {
  const { code, push } = await confirm();
  wechat.faults.inject({ api: 'api_query_auth', dropReply: true, times: 1 });
  expect(await app.machine.arrive(push, 5000)).toMatchObject({ state: 'done' });
  expect(calls('api_query_auth')).toEqual([0, 61009]);
  expect(await record(code)).toMatchObject({ claimState: 'done', exchanged: { authorizerAppid: APPID } });
  expect(await app.store.get(COLLECTIONS.authorizerTokens, APPID)).toMatchObject({ refreshToken: expect.any(String) });
});

test('exchanging, reply lost, appid unknown: awaiting_appid (released) until the push names it', async () => {
  const { session, code, push, callback } = await confirm('pc');
  wechat.faults.inject({ api: 'api_query_auth', dropReply: true, times: 1 });
  expect(await app.machine.arrive(callback, 5000)).toEqual({ state: 'awaiting_push' });
  expect(await record(code)).toMatchObject({ stage: 'awaiting_appid', claimState: 'in_progress', leaseUntil: 0, code: null });
  // The timer leaves it alone: there is nothing it could do without the appid.
  expect(await app.machine.resumeStuck(20, 1000)).toBe(0);

  expect(await app.machine.arrive(push, 5000)).toMatchObject({ state: 'done' });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized' });
  expect(calls('api_query_auth')).toEqual([0, 61009]);
});

test('awaiting_appid with no push ever: settled failed by the timer once no push could bind anything', async () => {
  const { session, code, callback } = await confirm('pc');
  wechat.faults.inject({ api: 'api_query_auth', dropReply: true, times: 1 });
  expect(await app.machine.arrive(callback, 5000)).toEqual({ state: 'awaiting_push' });
  clock.advance(3600);
  expect(await app.machine.abandonUnnamed(20)).toBe(0);
  clock.advance(5 * 60 + 1);
  expect(await app.machine.abandonUnnamed(20)).toBe(1);
  expect(await record(code)).toMatchObject({
    claimState: 'failed',
    stage: 'failed',
    error: { message: expect.stringContaining('没有发来') },
  });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'pending' });
});

test('a holder that died with the exchange in flight is taken over after its claim; the next attempt recovers', async () => {
  const { session, code, push } = await confirm();
  // What the dead holder left: the code claimed and counted as being exchanged; WeChat spent it.
  const componentToken = await app.componentTokens.token();
  await app.client.queryAuth(componentToken, code);
  await app.store.create(COLLECTIONS.authCodes, {
    _id: codeIdFor(code),
    code,
    stage: 'exchanging',
    signed: true,
    sessionId: push.source === 'push' ? push.facts.sessionId : null,
    authorizerAppid: APPID,
    eventAt: clock.now(),
    event: 'authorized',
    callbackSessionId: null,
    exchangeAttempts: 1,
    exchanged: null,
    bindingDone: false,
    error: null,
    createdAt: clock.now(),
    expiresAt: push.expiresAt,
    leaseOwner: 'dead',
    leaseUntil: clock.now() + 20_000,
    claimState: 'in_progress',
  });
  expect(await app.machine.resume(codeIdFor(code), 1000)).toEqual({ state: 'processing' });
  clock.advance(21);
  expect(await app.machine.resumeStuck(20, 5000)).toBe(1);
  expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized' });
  expect(calls('api_query_auth')).toEqual([0, 61009]);
});

test('WeChat refuses the code: an unsigned failure leaves the session alone, a signed one fails it', async () => {
  const { session, callback } = await confirm('pc');
  const forged = { ...callback, code: 'queryauthcode@@@forged-code' };
  expect(await app.machine.arrive(forged, 5000)).toMatchObject({ state: 'failed' });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'pending' });

  const signedForged: Arrival = {
    source: 'push',
    code: 'queryauthcode@@@forged-too',
    expiresAt: clock.now() + 3600_000,
    facts: { sessionId: session._id, authorizerAppid: APPID, eventAt: clock.now(), event: 'authorized' },
  };
  expect(await app.machine.arrive(signedForged, 5000)).toMatchObject({ state: 'failed' });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'failed' });
});

test('a code past its expiry is never sent to WeChat: a signed one is recovered by its account, an unsigned one fails', async () => {
  const { session, code, push } = await confirm();
  clock.advance(3601);
  expect(await app.machine.arrive(push, 5000)).toMatchObject({ state: 'done' });
  expect(calls('api_query_auth')).toEqual([]);
  expect(await record(code)).toMatchObject({ claimState: 'done', code: null });
  expect(await sessionOf(session._id)).toMatchObject({ status: 'authorized' });

  const other = await confirm('pc', DEFAULT_ACCOUNTS[1].appid);
  clock.advance(3601);
  expect(await app.machine.arrive(other.callback, 5000)).toMatchObject({
    state: 'failed',
    error: { message: expect.stringContaining('过期') },
  });
  expect(calls('api_query_auth')).toEqual([]);
});

test('an older grant never overrides a newer state; the profile it fetched still refreshes the record', async () => {
  const profile = { nick_name: 'new name', service_type_info: { id: 2 } };
  await recordGrant(app.authorizers, {
    appid: APPID,
    profile: { nick_name: 'old' },
    grantedSets: [1, 2],
    event: 'authorized',
    eventAt: 2000,
    now: 2000,
  });
  await recordGrant(app.authorizers, {
    appid: APPID,
    profile,
    grantedSets: [1],
    event: 'updateauthorized',
    eventAt: 1000,
    now: 3000,
  });
  expect(await authorizer()).toMatchObject({ grantedSets: [1, 2], lastEventAt: 2000, name: 'new name' });
  await recordGrant(app.authorizers, {
    appid: APPID,
    profile,
    grantedSets: [1, 2, 3],
    event: 'updateauthorized',
    eventAt: 4000,
    now: 4000,
  });
  expect(await authorizer()).toMatchObject({ grantedSets: [1, 2, 3], lastEventAt: 4000 });
});

test('concurrent writes to one authorizer never drop an event: a revocation racing bindings still lands', async () => {
  await recordGrant(app.authorizers, {
    appid: APPID,
    profile: { nick_name: 'x' },
    grantedSets: [1],
    event: 'authorized',
    eventAt: 1000,
    now: 1000,
  });
  const owners = ['oA', 'oB', 'oC', 'oD'];
  const [revoked] = await Promise.all([
    recordRevocation(app.authorizers, APPID, 2000, 2000),
    ...owners.map((openid) => addOwner(app.authorizers, APPID, openid, 1000, 2000)),
  ]);
  expect(revoked).toBe(true);
  const doc = await authorizer();
  expect(doc).toMatchObject({ status: 'revoked', lastEventAt: 2000 });
  expect([...doc!.owners].sort()).toEqual(owners);
});

/** A grant of APPID recorded straight away, at `eventAt`. */
const grant = (eventAt: number) =>
  recordGrant(app.authorizers, {
    appid: APPID,
    profile: { nick_name: 'x' },
    grantedSets: [1],
    event: 'authorized',
    eventAt,
    now: eventAt,
  });

test('a grant after a revocation starts a new ownership: earlier owners and late bindings of earlier grants stay out', async () => {
  await grant(1000);
  expect(await addOwner(app.authorizers, APPID, 'oA', 1000, 1000)).toBe(true);
  await recordRevocation(app.authorizers, APPID, 2000, 2000);
  expect(await authorizer()).toMatchObject({ status: 'revoked', owners: ['oA'] });

  await grant(3000);
  expect(await authorizer()).toMatchObject({ status: 'active', owners: [], ownersSince: 2000 });
  expect(await addOwner(app.authorizers, APPID, 'oB', 3000, 3000)).toBe(true);
  expect(await addOwner(app.authorizers, APPID, 'oA', 1000, 3100)).toBe(false);
  expect(await addOwner(app.authorizers, APPID, 'oB', 3000, 3200)).toBe(true);
  expect((await authorizer())?.owners).toEqual(['oB']);
});

test('a revocation recorded after a newer grant removes exactly the owners who granted before it', async () => {
  await grant(1000);
  await addOwner(app.authorizers, APPID, 'oA', 1000, 1000);
  await addOwner(app.authorizers, APPID, 'oC', 1000, 1000);
  // C renews its grant later; B's grant comes after the (not yet known) revocation at 2000.
  await grant(2500);
  await addOwner(app.authorizers, APPID, 'oC', 2500, 2500);
  await grant(3000);
  await addOwner(app.authorizers, APPID, 'oB', 3000, 3000);

  expect(await recordRevocation(app.authorizers, APPID, 2000, 3100)).toBe(false);
  expect(await authorizer()).toMatchObject({ status: 'active', owners: ['oC', 'oB'], ownersSince: 2000 });
  expect(await addOwner(app.authorizers, APPID, 'oA', 1000, 3200)).toBe(false);
  expect((await authorizer())?.owners).toEqual(['oC', 'oB']);
});

test('a duplicate push while the first is processed is waited for, and acknowledged without a second exchange', async () => {
  const { push } = await confirm();
  const plaintext = wechat.pushes.at(-1)!.plaintext;
  const replies = await Promise.all([deliver(plaintext), deliver(plaintext), deliver(plaintext)]);
  expect(replies.map((r) => r.body)).toEqual(['success', 'success', 'success']);
  expect(calls('api_query_auth')).toEqual([0]);
  expect(await record(push.code)).toMatchObject({ claimState: 'done', bindingDone: true });
});
