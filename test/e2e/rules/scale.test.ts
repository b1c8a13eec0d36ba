/**
 * Many authorizers under WeChat's limits (issue 12): 100-row pages, a function timeout that kills
 * a run, the hot-set token policy, the database setup step. Real bundle, real emulator, bulk
 * authorizations written straight into the database.
 */
import { COLLECTION_INDEXES } from '../../../cloudfunctions/authorization/src/setup/collections';
import fs from 'node:fs';
import path from 'node:path';
import { createApp, type App } from '../../../cloudfunctions/authorization/src/app';
import { createLogger } from '../../../cloudfunctions/authorization/src/logger';
import type { PlatformDoc } from '../../../cloudfunctions/authorization/src/model';
import type { CloudDb } from '../../../cloudfunctions/authorization/src/store';
import { startCloudRuntime } from '../../../emulator/cloud/runtime';
import { prepareDatabase } from '../../../emulator/stack';
import { seedAuthorizers } from '../../../emulator/scale-seed';
import type { BulkAuthorization } from '../../../emulator/open-platform';
import {
  captureOutputOfFile,
  account,
  act,
  ADMIN,
  allDocs,
  callsOf,
  dataOf,
  docById,
  MERCHANT,
  pluginSession,
  startRulesStack,
  type RulesStack,
} from '../helpers/rules-stack';

// The function's log stays out of the test report.
captureOutputOfFile();

jest.setTimeout(60_000);

const TIMER_EVERY_SECONDS = 300;

async function bulk(stack: RulesStack, count: number): Promise<BulkAuthorization[]> {
  const grants = stack.openPlatform.bulkAuthorize(count, `scale-${count}`);
  await seedAuthorizers(stack.cloud.db, grants, stack.clock.now());
  return grants;
}

/** The function's code in this process, on the same database and clock: how a caller uses a token. */
function inProcessApp(stack: RulesStack): App {
  return createApp({
    env: stack.functionEnv,
    db: stack.cloud.db as unknown as CloudDb,
    now: () => stack.clock.now(),
    log: silentLog,
  });
}

const silentLog = createLogger(() => undefined);

async function platformDoc(stack: RulesStack): Promise<PlatformDoc> {
  return (await docById<PlatformDoc>(stack, 'platform', stack.openPlatform.component.appId))!;
}

describe('reconcile over many authorizers', () => {
  let stack: RulesStack;
  afterEach(() => stack.close());

  test('a run killed by the timeout is resumed from its checkpoint', async () => {
    stack = await startRulesStack({ cloudLimits: { timeoutSeconds: { authorization: 1 } } });
    await bulk(stack, 1200);
    // Each page of WeChat's list (500 rows) takes 400 ms: the 1 s timeout cuts the walk after its
    // first or second page (which one depends on the machine's speed; the resumption must not).
    const slow = stack.openPlatform.faults.inject({ api: 'api_get_authorizer_list', delayMs: 400 });
    await expect(stack.cloud.triggerTimer('authorization')).rejects.toThrow(/timed out after 1 seconds/);
    const cut = (await platformDoc(stack)).reconcileCheckpoint!;
    expect(cut).toMatchObject({ phase: 'list', listedUnrevoked: cut.offset });
    expect([500, 1000]).toContain(cut.offset);
    expect((await platformDoc(stack)).lastReconciledAt).toBe(0);

    stack.openPlatform.faults.clear(slow);
    stack.clock.advance(TIMER_EVERY_SECONDS);
    stack.openPlatform.resetCalls();
    const resumedAt = stack.clock.now();
    const next = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;

    expect(next.reconcile).toEqual({ ok: true, detail: { listed: 1200, restored: 0, markedRevoked: 0 } });
    // Only the pages from the one that was cut are read again.
    expect(callsOf(stack, 'api_get_authorizer_list')).toHaveLength(Math.ceil((1200 - cut.offset) / 500));
    const done = await platformDoc(stack);
    expect(done.reconcileCheckpoint).toBeNull();
    expect(done.lastReconciledAt).toBeGreaterThanOrEqual(resumedAt);
  });

  test('revocations whose push was lost are found beyond the first 100-row page', async () => {
    stack = await startRulesStack();
    const grants = await bulk(stack, 250);
    // The last ones in _id order: a walk that stopped at a short page would never reach them.
    const lost = grants
      .map((g) => g.account.appid)
      .sort()
      .slice(-3);
    stack.openPlatform.setAuthEventUrl(undefined);
    for (const appid of lost) await stack.openPlatform.revoke(appid);
    // A listing in the very second of a grant cannot tell which came first: it revokes nothing then.
    stack.clock.advance(60);

    const report = dataOf(await act(stack, ADMIN, 'reconcile', {}));

    expect(report).toEqual({ listed: 247, restored: 0, markedRevoked: 3 });
    for (const appid of lost) expect(await docById(stack, 'authorizers', appid)).toMatchObject({ status: 'revoked' });
    const health = dataOf(await act(stack, ADMIN, 'platformHealth', {}));
    expect(health.authorizers).toMatchObject({ total: 250, active: 247, revoked: 3 });
  });

  test('an account a shifted listing left out is confirmed with WeChat and stays; only a real revocation is marked', async () => {
    stack = await startRulesStack();
    const appids = (await bulk(stack, 120)).map((g) => g.account.appid);
    await act(stack, ADMIN, 'reconcile', {});
    stack.openPlatform.setAuthEventUrl(undefined);
    const lost = appids[7];
    await stack.openPlatform.revoke(lost);
    // The sweep's fresh listing loses the first two of its first page, as if the list shifted.
    stack.openPlatform.faults.inject({ api: 'api_get_authorizer_list', skipListed: 2, times: 1 });
    stack.clock.advance(7 * 3600);
    stack.openPlatform.resetCalls();

    expect(dataOf(await act(stack, ADMIN, 'reconcile', {}))).toMatchObject({ markedRevoked: 1 });

    const revoked = (await allDocs<{ _id: string; status: string }>(stack, 'authorizers')).filter((d) => d.status === 'revoked');
    expect(revoked.map((d) => d._id)).toEqual([lost]);
    // One check per account missing from the listing: the two left out and the revoked one.
    expect(callsOf(stack, 'api_get_authorizer_info')).toHaveLength(3);
  });

  test('a listing that ends early fails the pass and marks nothing; the next run completes it', async () => {
    stack = await startRulesStack();
    await bulk(stack, 700);
    stack.openPlatform.faults.inject({ api: 'api_get_authorizer_list', skipListed: 500, times: 1 });

    const failed = await act(stack, ADMIN, 'reconcile', {});
    expect(failed).toMatchObject({ ok: false, error: { code: 'UPSTREAM', message: expect.stringContaining('提前结束') } });
    expect((await allDocs<{ status: string }>(stack, 'authorizers')).every((d) => d.status === 'active')).toBe(true);

    stack.clock.advance(TIMER_EVERY_SECONDS);
    expect(dataOf(await act(stack, ADMIN, 'reconcile', {}))).toEqual({ listed: 700, restored: 0, markedRevoked: 0 });
  });

  test('a pass where nothing changed writes nothing but its bookkeeping', async () => {
    stack = await startRulesStack();
    await bulk(stack, 600);
    await act(stack, ADMIN, 'reconcile', {});
    const before = JSON.stringify(await Promise.all([allDocs(stack, 'authorizers'), allDocs(stack, 'authorizerTokens')]));
    const calls = stack.cloud.dbCalls();

    expect(dataOf(await act(stack, ADMIN, 'reconcile', {}))).toEqual({ listed: 600, restored: 0, markedRevoked: 0 });

    const after = stack.cloud.dbCalls();
    // Reads: the platform document (the action makes sure it exists, then reads the checkpoint),
    // the component token (once per run), 6 token lookups of 100, one count.
    // Writes: claim, checkpoint after page 1, completion, release; the audit log's entry and its end.
    expect(after.reads - calls.reads).toBe(2 + 1 + 6 + 1);
    expect(after.writes - calls.writes).toBe(4 + 2);
    expect(JSON.stringify(await Promise.all([allDocs(stack, 'authorizers'), allDocs(stack, 'authorizerTokens')]))).toBe(before);
  });
});

describe('token policy', () => {
  let stack: RulesStack;
  afterEach(() => stack.close());

  test('the timer keeps used tokens fresh and leaves idle ones alone; an idle one is refreshed on use', async () => {
    stack = await startRulesStack();
    const grants = await bulk(stack, 20);
    const app = inProcessApp(stack);
    const used = grants.slice(0, 3).map((g) => g.account.appid);
    const idle = grants.slice(3).map((g) => g.account.appid);
    for (const appid of used) await app.authorizerTokens.token(appid);
    const idleBefore = await docById<{ accessToken: string }>(stack, 'authorizerTokens', idle[0]);

    // Eight minutes left: more than a timer period, the promised minute and a minute's slack, so
    // not yet (each minute refreshed early costs calls).
    stack.clock.advance(7200 - 480);
    stack.openPlatform.resetCalls();
    await stack.cloud.triggerTimer('authorization');
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(0);

    // Five minutes left, the last run before the final minute: the timer refreshes exactly the used ones.
    stack.clock.advance(180);
    const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean; detail: unknown }>;
    expect(report.authorizerTokens).toEqual({ ok: true, detail: { refreshed: 3, failed: 0 } });
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(3);
    for (const appid of used) {
      const doc = (await docById<{ accessToken: string; expiresAt: number }>(stack, 'authorizerTokens', appid))!;
      expect(doc.expiresAt).toBeGreaterThan(stack.clock.now() + 7000 * 1000);
      expect(stack.openPlatform.checkAuthorizerAccessToken(doc.accessToken)).toEqual({ ok: true, authorizerAppid: appid });
    }
    expect(await docById(stack, 'authorizerTokens', idle[0])).toEqual(idleBefore);

    // Past expiry: an idle authorizer's token is refreshed when it is used, once.
    stack.clock.advance(600);
    stack.openPlatform.resetCalls();
    const token = await app.authorizerTokens.token(idle[0]);
    expect(stack.openPlatform.checkAuthorizerAccessToken(token)).toEqual({ ok: true, authorizerAppid: idle[0] });
    expect(await app.authorizerTokens.token(idle[0])).toBe(token);
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(1);
  });

  test('a use is written down at most once per interval, and the hot set ends with the window', async () => {
    stack = await startRulesStack({ functionEnv: { TOKEN_HOT_WINDOW_HOURS: '1' } });
    const [grant] = await bulk(stack, 1);
    const appid = grant.account.appid;
    const app = inProcessApp(stack);
    const writesBefore = stack.cloud.dbCalls().writes;
    const beforeUse = stack.clock.now();
    await app.authorizerTokens.token(appid);
    const firstUse = (await docById<{ lastUsedAt: number }>(stack, 'authorizerTokens', appid))!.lastUsedAt;
    expect(firstUse).toBeGreaterThanOrEqual(beforeUse);
    await app.authorizerTokens.token(appid);
    await app.authorizerTokens.token(appid);
    expect((await docById<{ lastUsedAt: number }>(stack, 'authorizerTokens', appid))!.lastUsedAt).toBe(firstUse);
    // The in-process app's writes go through the runtime's uncounted handle: none from the timer so far.
    expect(stack.cloud.dbCalls().writes).toBe(writesBefore);

    // Used over an hour ago with a one-hour window: idle again, so the timer leaves it.
    stack.clock.advance(7200 - 300);
    stack.openPlatform.resetCalls();
    await stack.cloud.triggerTimer('authorization');
    expect(callsOf(stack, 'api_authorizer_token')).toHaveLength(0);
  });
});

describe('database setup', () => {
  let stack: RulesStack;
  afterEach(() => stack.close());

  test('setupDatabase creates what is missing and is safe to repeat; only admins may run it', async () => {
    stack = await startRulesStack();
    // The stack already ran it: everything exists.
    expect(dataOf(await act(stack, ADMIN, 'setupDatabase', {}))).toEqual({
      created: [],
      existing: Object.keys(COLLECTION_INDEXES),
    });
    expect(await act(stack, 'oSOMEONE-else', 'setupDatabase', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  test('without the setup step the function fails like WeChat (-502005); after it, it works', async () => {
    stack = await startRulesStack({ pushTicketAtStart: false });
    // A runtime on an empty data folder: nothing created.
    const runtime = await startCloudRuntime({
      functionsRoot: path.resolve(__dirname, '../../../cloudfunctions'),
      dataDir: `${stack.dataDir}-bare`,
      clock: stack.clock,
      env: { authorization: stack.functionEnv },
      timers: false,
      log: () => undefined,
    });
    try {
      const failed = (await runtime.callFunction(
        'authorization',
        { action: 'platformHealth', payload: {} },
        { openid: ADMIN },
      )) as {
        ok: boolean;
      };
      expect(failed.ok).toBe(false);
      expect(
        await runtime.db
          .collection('platform')
          .where({})
          .get()
          .catch((e: { errCode: number }) => e.errCode),
      ).toBe(-502005);
      const setup = (await runtime.callFunction(
        'authorization',
        { action: 'setupDatabase', payload: {} },
        { openid: ADMIN },
      )) as {
        data: { created: string[] };
      };
      expect(setup.data.created).toEqual(Object.keys(COLLECTION_INDEXES));
      // The audit log's collection did not exist before: the setup is recorded once, after it ran.
      const logged = await runtime.db.collection('consoleAudit').where({ action: 'setupDatabase' }).get();
      expect(logged.data).toEqual([expect.objectContaining({ openid: ADMIN, outcome: 'ok' })]);
      await prepareDatabase(runtime);
      const health = (await runtime.callFunction(
        'authorization',
        { action: 'platformHealth', payload: {} },
        { openid: ADMIN },
      )) as {
        ok: boolean;
      };
      expect(health.ok).toBe(true);
    } finally {
      await runtime.close();
      fs.rmSync(`${stack.dataDir}-bare`, { recursive: true, force: true });
    }
  });
});

describe('cost of one authorization', () => {
  let stack: RulesStack;
  afterEach(() => stack.close());

  test('a push for a new code writes its record once to claim it, then once per stage', async () => {
    stack = await startRulesStack();
    const { preAuthCode } = await pluginSession(stack, MERCHANT);
    const before = stack.cloud.dbCalls().byCollection.authCodes?.writes ?? 0;
    await stack.openPlatform.confirmAuthorization({
      preAuthCode,
      authorizerAppid: account(stack, 'mini_program').appid,
      channel: 'plugin',
    });
    // Create-and-claim, exchanging, exchanged, recorded, settled: no conditional write that
    // matches nothing (the signed facts go in with the claim).
    expect((stack.cloud.dbCalls().byCollection.authCodes?.writes ?? 0) - before).toBe(5);
  });
});
