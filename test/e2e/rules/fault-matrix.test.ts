/**
 * The fault matrix (issue "Exactly once, owned right"): every channel × every point where an
 * instance can die × every lost reply × every way the push can arrive. Afterwards each
 * authorization WeChat considers done is recorded exactly once; when WeChat's signed push arrived,
 * its merchant (and only that merchant) owns it and sees it; when it never arrived, nobody does.
 */
import { Clock } from '../../../emulator/clock';
import type { DbOperation } from '../../../emulator/cloud/runtime';
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform/state/fixtures';
import type { ApiName, TestAccount } from '../../../emulator/open-platform/state/types';
import { sealPush } from '../../helpers/wechat-push';
import { httpGet, postPush } from '../helpers/rules-push';
import {
  act,
  ADMIN,
  confirmSilently,
  dataOf,
  docById,
  startRulesStack,
  type RulesStack,
  captureOutputOfFile,
} from '../helpers/rules-stack';

// The function's log stays out of the test report.
captureOutputOfFile();

// One case takes a fraction of a second alone; a machine shared with other test runs needs more
// than jest's default 5 s, as the other rules suites allow.
jest.setTimeout(60_000);

type Channel = 'plugin' | 'pc' | 'h5';
type KillPoint = 'none' | 'after_claim' | 'query_auth_in_flight' | 'after_exchange' | 'after_authorizer' | 'before_answer';
type LostReply = 'none' | Extract<ApiName, 'api_query_auth' | 'api_get_authorizer_info'>;
type PushArrival = 'on_time' | 'late' | 'never' | 'twice' | 'reordered';

interface Case {
  channel: Channel;
  kill: KillPoint;
  lost: LostReply;
  push: PushArrival;
}

const CHANNELS: Channel[] = ['plugin', 'pc', 'h5'];
const KILLS: KillPoint[] = ['none', 'after_claim', 'query_auth_in_flight', 'after_exchange', 'after_authorizer', 'before_answer'];
const LOST: LostReply[] = ['none', 'api_query_auth', 'api_get_authorizer_info'];
const PUSHES: PushArrival[] = ['on_time', 'late', 'never', 'twice', 'reordered'];
const CASES: Case[] = CHANNELS.flatMap((channel) =>
  KILLS.flatMap((kill) => LOST.flatMap((lost) => PUSHES.map((push) => ({ channel, kill, lost, push })))),
);

/** One fresh official account per case, so the cases never re-authorize each other's accounts. */
const ACCOUNTS: TestAccount[] = CASES.map((_, i) => ({
  ...DEFAULT_ACCOUNTS[0],
  appid: `wx${(0xfa0000 + i).toString(16)}${'0'.repeat(10)}`,
  userName: `gh_${(0xfa0000 + i).toString(16)}000000`,
  nickName: `矩阵测试账号${i}`,
}));

const stageIs = (op: DbOperation, stage: string) =>
  op.collection === 'authCodes' &&
  op.method === 'collection.update' &&
  (op.data as { stage?: unknown } | undefined)?.stage === stage;

/** The database operation before which the first instance to handle the code dies. */
function killPlan(kill: KillPoint): ((op: DbOperation) => boolean) | undefined {
  switch (kill) {
    case 'none':
      return undefined;
    case 'after_claim':
      return (op) => stageIs(op, 'exchanging');
    // WeChat has spent the code; the instance dies before it can keep anything the reply said.
    case 'query_auth_in_flight':
      return (op) => op.collection === 'authorizerTokens' && op.method === 'document.set';
    case 'after_exchange':
      return (op) => op.collection === 'authorizers' && op.method !== 'collection.get' && op.method !== 'document.get';
    case 'after_authorizer':
      return (op) => stageIs(op, 'recorded');
    case 'before_answer': {
      let settled = false;
      return (op) => {
        if (settled) return true;
        const data = op.data as { claimState?: unknown } | undefined;
        settled = op.collection === 'authCodes' && op.method === 'collection.update' && data?.claimState === 'done';
        return false;
      };
    }
  }
}

let stack: RulesStack;
/** What the cases went through, printed at the end (each case asserts its own invariants). */
const summary = { cases: 0, pushDelivered: 0, recordedWithoutOwner: 0, instanceKills: 0, longestCaseSeconds: 0 };

beforeAll(async () => {
  // Virtual waits: a follower waiting out a dead holder's 20 s claim, or a budget, takes no real
  // time, and how far the clock moves depends on the order of events, not on the machine's speed.
  stack = await startRulesStack({ clock: new Clock({ virtualWaits: true }), openPlatform: { accounts: ACCOUNTS } });
});

afterAll(async () => {
  await stack?.close();
  process.stdout.write(
    `fault matrix: ${summary.cases} of ${CASES.length} cases passed (${CHANNELS.length} channels × ${KILLS.length} kill points × ${LOST.length} lost replies × ${PUSHES.length} push arrivals); ` +
      `push delivered ${summary.pushDelivered}, recorded without owner (push never came) ${summary.recordedWithoutOwner}, instances killed ${summary.instanceKills}; the longest case spanned ${Math.round(summary.longestCaseSeconds)} s on the clock\n`,
  );
});

async function openSession(openid: string, channel: Channel) {
  const created = dataOf(await act(stack, openid, 'createAuthSession', { authType: 3, channel }));
  const stored = await docById<{ preAuthCode: string }>(stack, 'authSessions', created.sessionId);
  return { sessionId: created.sessionId as string, preAuthCode: stored!.preAuthCode };
}

async function runCase(c: Case, index: number): Promise<void> {
  const startedAt = stack.clock.monotonicNow();
  const openid = `oMATRIX-${index}`;
  const appid = ACCOUNTS[index].appid;
  const { sessionId, preAuthCode } = await openSession(openid, c.channel);
  const redirectUri = c.channel === 'plugin' ? undefined : `${stack.publicBaseUrl}/callback?sid=${sessionId}`;
  const silent = await confirmSilently(stack, {
    preAuthCode,
    authorizerAppid: appid,
    channel: c.channel,
    ...(redirectUri ? { redirectUri } : {}),
  });
  const exchangesBefore = stack.openPlatform.calls.filter((call) => call.api === 'api_query_auth' && call.errcode === 0).length;

  if (c.lost !== 'none') stack.openPlatform.faults.inject({ api: c.lost, dropReply: true, times: 1 });
  const plan = killPlan(c.kill);
  let killed = false;
  if (plan) stack.cloud.crashWarmInstance('authorization', (op) => (killed = plan(op)));

  // A delivery to an instance that dies fails, as it would in the cloud: that is part of the case.
  const survive = (input: Promise<unknown>) =>
    input.then(
      () => undefined,
      () => undefined,
    );
  const push = () => survive(postPush(stack.publicBaseUrl, sealPush(stack.openPlatform.component, silent.plaintext)));
  const callback = () =>
    survive(
      c.channel === 'plugin'
        ? act(stack, openid, 'getAuthSession', { sessionId })
        : httpGet(`${redirectUri}&auth_code=${encodeURIComponent(silent.authCode)}`),
    );
  switch (c.push) {
    case 'on_time':
      await push();
      await callback();
      break;
    case 'late':
      await callback();
      stack.clock.advance(120);
      await push();
      break;
    case 'never':
      await callback();
      break;
    case 'twice':
      await push();
      await push();
      await callback();
      break;
    case 'reordered':
      await Promise.all([callback(), push()]);
      break;
  }
  stack.openPlatform.faults.clear();
  // The fault belongs to the first inputs only: a plan no input reached is withdrawn.
  stack.cloud.crashWarmInstance('authorization', () => false);
  if (killed) summary.instanceKills += 1;

  // Recovery inputs, as they happen anyway: the page polls, time passes, the timer runs, the page reloads.
  await act(stack, openid, 'getAuthSession', { sessionId });
  stack.clock.advance(60);
  await stack.cloud.triggerTimer('authorization');
  await act(stack, openid, 'getAuthSession', { sessionId });
  if (redirectUri) await httpGet(`${redirectUri}&auth_code=${encodeURIComponent(silent.authCode)}`);
  // A push that never came: WeChat's authorizer list still names the account.
  if (c.push === 'never') dataOf(await act(stack, ADMIN, 'reconcile', {}));

  // Runs left behind (one that outlived its budget, a follower still waiting) finish first: what
  // is checked is the end state, and the next case starts with nothing of this one in flight.
  await stack.clock.whenIdle();
  summary.longestCaseSeconds = Math.max(summary.longestCaseSeconds, (stack.clock.monotonicNow() - startedAt) / 1000);
  await expectInvariants(c, { openid, appid, sessionId, exchangesBefore });
}

async function expectInvariants(c: Case, at: { openid: string; appid: string; sessionId: string; exchangesBefore: number }) {
  const label = JSON.stringify(c);
  const exchanges =
    stack.openPlatform.calls.filter((call) => call.api === 'api_query_auth' && call.errcode === 0).length - at.exchangesBefore;
  const record = await docById<{ status: string; owners: string[] }>(stack, 'authorizers', at.appid);
  const tokens = await docById<{ refreshToken: string }>(stack, 'authorizerTokens', at.appid);
  const session = await docById<{ status: string; authorizerAppid: string | null }>(stack, 'authSessions', at.sessionId);
  const mine = dataOf(await act(stack, at.openid, 'listMyAuthorizers', {})).authorizers.map((a: { appid: string }) => a.appid);

  // Exactly once: WeChat spent the code at most once, and there is one active record with its tokens.
  expect({ label, exchangedAtMostOnce: exchanges <= 1, status: record?.status, hasRefreshToken: !!tokens?.refreshToken }).toEqual(
    {
      label,
      exchangedAtMostOnce: true,
      status: 'active',
      hasRefreshToken: true,
    },
  );
  if (c.push === 'never') {
    // Nothing signed tied the account to a merchant: nobody owns it, the session did not complete.
    expect({ label, owners: record!.owners, status: session!.status, mine }).toEqual({
      label,
      owners: [],
      status: 'pending',
      mine: [],
    });
    summary.recordedWithoutOwner += 1;
  } else {
    expect({ label, owners: record!.owners, session, mine }).toEqual({
      label,
      owners: [at.openid],
      session: expect.objectContaining({ status: 'authorized', authorizerAppid: at.appid }),
      mine: [at.appid],
    });
    summary.pushDelivered += 1;
  }
  summary.cases += 1;
}

const casesOf = (channel: Channel, kill: KillPoint) => CASES.filter((c) => c.channel === channel && c.kill === kill);

describe.each(CHANNELS)('%s', (channel) => {
  describe.each(KILLS)('kill %s', (kill) => {
    test.each(casesOf(channel, kill))('lost $lost × push $push', async (c) => {
      await runCase(c, CASES.indexOf(c));
    });
  });
});
