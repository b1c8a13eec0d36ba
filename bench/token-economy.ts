import { TOKEN_LIFETIME_SECONDS, type ApiName } from '../emulator/open-platform';
import type { FunctionInstance } from '../emulator/cloud/runtime';
import { FUNCTION_NAME, type LocalStack } from '../emulator/stack';
import { authorizeAccount, callAction, PLUGIN_SESSION, stackInvoke, type Invoke } from './actions';
import { benchAccounts, withBenchStack } from './bench-stack';
import { figure, type BenchResult, type Figure } from './figures';
import type { LogSink } from './log-sink';
import type { BenchOptions } from './options';
import { round1, summarize, tally, type Summary } from './stats';

/**
 * Benchmark 2: how many times WeChat is asked for a token when many instances need one at once,
 * and how many calls one authorization costs. Tokens are shared through the database; at most one
 * instance may refresh each, the others wait for its result.
 */

/** What one authorization may ask WeChat for, once each, with the component token warm. */
const AUTHORIZATION_APIS: ApiName[] = ['api_create_preauthcode', 'api_query_auth', 'api_get_authorizer_info'];
/** Advance to this many seconds before the authorizer tokens expire: inside the timer's refresh margin. */
const SECONDS_BEFORE_EXPIRY = 300;

interface Burst {
  latency: Summary;
  failures: string[];
  calls: Record<string, number>;
}

export async function tokenEconomy(options: BenchOptions, sink: LogSink): Promise<BenchResult> {
  const accounts = benchAccounts(options.authorizers);
  return withBenchStack('tokens', sink, { openPlatform: { accounts } }, async (stack) => {
    const { openPlatform, clock } = stack;
    // The component token, fetched once before anything is measured.
    await callAction(stackInvoke(stack), 'warm-up', 'createAuthSession', PLUGIN_SESSION);

    const perAuthorization: Record<string, number>[] = [];
    for (const [i, account] of accounts.entries()) {
      openPlatform.resetCalls();
      await authorizeAccount(stack, `merchant-${i}`, account.appid);
      perAuthorization.push(tally(openPlatform.calls.map((call) => call.api)));
    }

    const instances = await coldStartInstances(stack, options.instances);
    const warm = await burst(stack, instances, options.calls, 'warm');

    clock.advance(TOKEN_LIFETIME_SECONDS - SECONDS_BEFORE_EXPIRY);
    const timers = await timerRace(
      stack,
      instances,
      accounts.map((account) => account.appid),
    );

    await openPlatform.pushTicket();
    clock.advance(TOKEN_LIFETIME_SECONDS);
    const cold = await burst(stack, instances, options.calls, 'cold');

    return {
      figures: tokenFigures(options, { perAuthorization, warm, cold, timers }),
      details: { perAuthorization, warmBurst: warm, expiryBurst: cold, authorizerTimers: timers },
    };
  });
}

/** K separately cold-started copies of the function, each warmed by one cheap call. */
async function coldStartInstances(stack: LocalStack, count: number): Promise<FunctionInstance[]> {
  const instances = Array.from({ length: count }, () => stack.cloud.newInstance(FUNCTION_NAME));
  await Promise.all(instances.map((instance, i) => callAction(invokeOn(instance), `instance-${i}`, 'getAppConfig', {})));
  return instances;
}

function invokeOn(instance: FunctionInstance): Invoke {
  return (data, openid) => instance.callFunction(data, { openid });
}

/** `calls` concurrent createAuthSession on each instance, all started together. */
async function burst(stack: LocalStack, instances: FunctionInstance[], calls: number, label: string): Promise<Burst> {
  stack.openPlatform.resetCalls();
  const latencies: number[] = [];
  const failures: string[] = [];
  const one = async (instance: FunctionInstance, openid: string) => {
    const started = performance.now();
    try {
      await callAction(invokeOn(instance), openid, 'createAuthSession', PLUGIN_SESSION);
      latencies.push(performance.now() - started);
    } catch (error) {
      failures.push((error as Error).message);
    }
  };
  await Promise.all(
    instances.flatMap((instance, i) => Array.from({ length: calls }, (_, j) => one(instance, `${label}-${i}-${j}`))),
  );
  return { latency: summarize(latencies), failures, calls: tally(stack.openPlatform.calls.map((call) => call.api)) };
}

interface TimerRace {
  calls: Record<string, number>;
  /** Authorizers whose stored access token is fresh again after the race. */
  refreshed: string[];
  failures: string[];
}

/** Every instance runs the maintenance timer at the same moment. */
async function timerRace(stack: LocalStack, instances: FunctionInstance[], appids: string[]): Promise<TimerRace> {
  stack.openPlatform.resetCalls();
  const reports = await Promise.allSettled(instances.map((instance) => instance.triggerTimer()));
  const failures = reports.flatMap((report) => {
    if (report.status === 'rejected') return [String(report.reason)];
    const step = (report.value as Record<string, { ok: boolean; error?: string; detail?: { failed?: number } }>).authorizerTokens;
    if (!step?.ok) return [`authorizerTokens step: ${step?.error ?? 'missing'}`];
    return step.detail?.failed ? [`authorizerTokens step: ${step.detail.failed} failed`] : [];
  });
  const { data } = await stack.cloud.db.collection('authorizerTokens').where({}).limit(1000).get();
  const freshUntil = stack.clock.now() + SECONDS_BEFORE_EXPIRY * 1000;
  const refreshed = (data as { _id: string; expiresAt: number }[])
    .filter((doc) => appids.includes(doc._id) && doc.expiresAt > freshUntil)
    .map((doc) => doc._id);
  return { calls: tally(stack.openPlatform.calls.map((call) => call.api)), refreshed, failures };
}

function tokenFigures(
  options: BenchOptions,
  runs: { perAuthorization: Record<string, number>[]; warm: Burst; cold: Burst; timers: TimerRace },
): Figure[] {
  const { perAuthorization, warm, cold, timers } = runs;
  const K = options.instances;
  const bench = 'Token economy';
  const burstShape = `${K} instances × ${options.calls} concurrent createAuthSession`;
  const componentRefreshes = cold.calls.api_component_token ?? 0;
  const authorizerRefreshes = timers.calls.api_authorizer_token ?? 0;
  const worst = perAuthorization.reduce<Record<string, number>>((a, b) => (total(b) > total(a) ? b : a), {});
  const strayApis = [...new Set(perAuthorization.flatMap((calls) => Object.keys(calls)))].filter(
    (api) => !AUTHORIZATION_APIS.includes(api as ApiName),
  );
  const repeated = perAuthorization.some((calls) => Object.values(calls).some((n) => n > 1));
  return [
    figure({
      id: 'tokens.componentRefreshes',
      benchmark: bench,
      name: 'api_component_token calls at expiry',
      value: componentRefreshes,
      unit: 'calls',
      goal: { op: '=', target: 1 },
      valid: cold.failures.length === 0,
      note:
        `${burstShape} the moment the component token expired (fresh ticket pushed, clock +${TOKEN_LIFETIME_SECONDS} s); ` +
        `the warm burst made ${warm.calls.api_component_token ?? 0}` +
        failureText(cold.failures),
    }),
    figure({
      id: 'tokens.expiryBurstP99',
      benchmark: bench,
      name: 'createAuthSession p99 at expiry',
      value: round1(cold.latency.p99),
      unit: 'ms',
      baseline: { name: 'same burst, warm token', value: round1(warm.latency.p99), unit: 'ms' },
      valid: cold.failures.length === 0 && warm.failures.length === 0,
      note:
        `${burstShape}; p50 ${round1(cold.latency.p50)} ms at expiry vs ${round1(warm.latency.p50)} ms warm` +
        failureText([...cold.failures, ...warm.failures]),
    }),
    figure({
      id: 'tokens.authorizerRefreshes',
      benchmark: bench,
      name: 'api_authorizer_token calls, timer race',
      value: authorizerRefreshes,
      unit: 'calls',
      goal: { op: '=', target: options.authorizers, text: `exactly ${options.authorizers} (1 per authorizer)` },
      valid: timers.refreshed.length === options.authorizers && timers.failures.length === 0,
      note:
        `${options.authorizers} authorizers, clock moved to ${SECONDS_BEFORE_EXPIRY} s before their tokens expire, ${K} instances fire the timer at once; ` +
        `${timers.refreshed.length} of ${options.authorizers} tokens fresh afterwards; all calls: ${JSON.stringify(timers.calls)}` +
        failureText(timers.failures),
    }),
    figure({
      id: 'tokens.callsPerAuthorization',
      benchmark: bench,
      name: 'Upstream calls per authorization',
      value: total(worst),
      unit: 'calls',
      goal: { op: '<=', target: AUTHORIZATION_APIS.length, text: `≤ ${AUTHORIZATION_APIS.length}, nothing else` },
      valid: strayApis.length === 0 && !repeated,
      note:
        `worst of ${perAuthorization.length} plugin authorizations with a warm component token: ${JSON.stringify(worst)}` +
        (strayApis.length > 0 ? `; unexpected: ${strayApis.join(', ')}` : '') +
        (repeated ? '; an API was called more than once' : ''),
    }),
  ];
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, n) => sum + n, 0);

function failureText(failures: string[]): string {
  return failures.length > 0 ? `; ${failures.length} calls failed (first: ${failures[0]})` : '';
}
