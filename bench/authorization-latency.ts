import { POLL_SCHEDULE_MS, pollUntil } from '../miniprogram/utils/poll';
import type { AuthSessionView } from '../typings/api';
import { callAction, PLUGIN_SESSION, stackInvoke } from './actions';
import { benchAccounts, withBenchStack } from './bench-stack';
import { figure, type BenchResult, type Figure } from './figures';
import type { LogSink } from './log-sink';
import type { BenchOptions } from './options';
import { round1, summarize } from './stats';

/**
 * Benchmark 3: what the merchant waits for. From the confirmation in WeChat's plugin to the page's
 * poll answering "authorized", polling on the page's own schedule (miniprogram/utils/poll.ts).
 * The baseline is the push alone: confirmation to WeChat getting `success` for it.
 */
export const AUTH_P95_GOAL_MS = 1500;

interface Timing {
  /** Confirmation → getAuthSession answered authorized. */
  visibleMs: number;
  /** Confirmation → the push answered `success` (exchange and records included). */
  pushMs: number;
  polls: number;
}

export async function authorizationLatency(options: BenchOptions, sink: LogSink): Promise<BenchResult> {
  const accounts = benchAccounts(options.auths);
  return withBenchStack('auth', sink, { openPlatform: { accounts } }, async (stack) => {
    const invoke = stackInvoke(stack);
    const timings: Timing[] = [];
    const failures: string[] = [];
    for (const [i, account] of accounts.entries()) {
      const openid = `merchant-${i}`;
      try {
        const session = await callAction(invoke, openid, 'createAuthSession', PLUGIN_SESSION);
        const preAuthCode = session.plugin?.preAuthCode ?? '';
        const startedWall = Date.now();
        const started = performance.now();
        // The merchant confirms; WeChat pushes while the page is already polling.
        const confirming = stack.openPlatform.confirmAuthorization({
          preAuthCode,
          authorizerAppid: account.appid,
          channel: 'plugin',
        });
        let polls = 0;
        const view = await pollUntil<AuthSessionView>(async () => {
          polls += 1;
          const current = await callAction(invoke, openid, 'getAuthSession', { sessionId: session.sessionId });
          if (current.status === 'pending') return { done: false };
          return { done: true, value: current };
        });
        const visibleMs = performance.now() - started;
        const { push } = await confirming;
        if (view?.status !== 'authorized')
          throw new Error(`session ended ${view?.status ?? 'still pending after the whole schedule'}`);
        const answered = push?.attempts.find((attempt) => attempt.ok);
        if (!answered) throw new Error('the push was never answered success');
        timings.push({ visibleMs, pushMs: answered.startedAt + answered.ms - startedWall, polls });
      } catch (error) {
        failures.push(`${account.appid}: ${(error as Error).message}`);
      }
    }
    return {
      figures: latencyFigures(options, timings, failures),
      details: { pollScheduleMs: POLL_SCHEDULE_MS, timings, failures },
    };
  });
}

function latencyFigures(options: BenchOptions, timings: Timing[], failures: string[]): Figure[] {
  const visible = summarize(timings.map((t) => t.visibleMs));
  const push = summarize(timings.map((t) => t.pushMs));
  const valid = failures.length === 0;
  const bench = 'Authorization latency';
  const baselineName = 'push delivery alone';
  const polls = summarize(timings.map((t) => t.polls));
  const note =
    `${timings.length} of ${options.auths} plugin authorizations, one after another; polls after ${POLL_SCHEDULE_MS.join(', ')} ms ` +
    `(miniprogram/utils/poll.ts), so the first look is at ${POLL_SCHEDULE_MS[0]} ms; polls per authorization: median ${polls.p50}, max ${polls.max}` +
    (valid ? '' : `; ${failures.length} failed (first: ${failures[0]})`);
  const row = (id: string, name: string, value: number, baseline: number, withGoal: boolean, withNote: boolean) =>
    figure({
      id,
      benchmark: bench,
      name,
      value: round1(value),
      unit: 'ms',
      baseline: { name: baselineName, value: round1(baseline), unit: 'ms' },
      ...(withGoal ? { goal: { op: '<=' as const, target: AUTH_P95_GOAL_MS } } : {}),
      valid,
      ...(withNote ? { note } : {}),
    });
  return [
    row('auth.p50', 'Confirm → authorized, p50', visible.p50, push.p50, false, false),
    row('auth.p95', 'Confirm → authorized, p95', visible.p95, push.p95, true, true),
    row('auth.p99', 'Confirm → authorized, p99', visible.p99, push.p99, false, false),
  ];
}
