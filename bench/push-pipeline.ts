import { figure, type BenchResult } from './figures';
import type { LocalStack } from '../emulator/stack';
import { withBenchStack } from './bench-stack';
import { runHttpLoad } from './http-load';
import type { LogSink } from './log-sink';
import type { BenchOptions } from './options';
import { round1, summarize } from './stats';
import { bareDecryptRate, sealTicketPushes } from './ticket-pushes';

/**
 * Benchmark 1: encrypted ticket pushes POSTed to the function's HTTP access at a fixed
 * concurrency: HTTP server, cloud runtime, signature check + decrypt, push log, ticket store.
 */
export const PUSH_GOALS = { pushesPerSecond: 1000, p99Ms: 25 };

export async function pushPipeline(options: BenchOptions, sink: LogSink): Promise<BenchResult> {
  // No ticket at start: the pushes below are the only ones, each newer than the last.
  return withBenchStack('push', sink, { pushTicketAtStart: false }, async (stack) => {
    const pushUrl = new URL(`${stack.publicBaseUrl}/push`);
    const { component } = stack.openPlatform;
    const pushes = sealTicketPushes(component, pushUrl, options.warmup + options.pushes, stack.clock.nowSeconds());

    const { warmup, measured } = await runHttpLoad(pushUrl, {
      requests: pushes.map(({ path, body }) => ({ path, body })),
      warmup: options.warmup,
      concurrency: options.concurrency,
      expectBody: 'success',
      timeoutMs: 10_000,
    });
    const unexpected = [...warmup.unexpected, ...measured.unexpected];
    const stored = await storedTicket(stack);
    // The newest push (the last one sealed) must be the ticket kept; compared here, never printed.
    const ticketKept = stored !== undefined && stored === pushes[pushes.length - 1].ticket;
    const baseline = bareDecryptRate(pushes, component.encodingAesKey);

    const rate = measured.latenciesMs.length / (measured.elapsedMs / 1000);
    const latency = summarize(measured.latenciesMs);
    const valid = unexpected.length === 0 && ticketKept;
    const warmupRate = warmup.latenciesMs.length / (warmup.elapsedMs / 1000);
    const conditions =
      `steady state: ${options.pushes} pushes measured after ${options.warmup} warm-up ones ` +
      `(${Math.round(warmupRate)} pushes/s while V8 was still optimising), ${options.concurrency} in flight over keep-alive connections, ` +
      'load generator in a worker thread, database files on a fresh temp dir';
    const problems = [
      ...(unexpected.length > 0 ? [`${unexpected.length} answers were not "success" (first: ${unexpected[0]})`] : []),
      ...(ticketKept ? [] : ['the ticket the function kept is not the newest one pushed']),
    ];
    const note = [conditions, ...problems].join('; ');
    const figures = [
      figure({
        id: 'push.throughput',
        benchmark: 'Push pipeline',
        name: 'Throughput',
        value: Math.round(rate),
        unit: 'pushes/s',
        baseline: { name: 'bare @wecom/crypto decrypt', value: Math.round(baseline.opsPerSecond), unit: 'ops/s' },
        goal: { op: '>=', target: PUSH_GOALS.pushesPerSecond },
        valid,
        note,
      }),
      figure({ id: 'push.p50', benchmark: 'Push pipeline', name: 'Latency p50', value: round1(latency.p50), unit: 'ms', valid }),
      figure({
        id: 'push.p99',
        benchmark: 'Push pipeline',
        name: 'Latency p99',
        value: round1(latency.p99),
        unit: 'ms',
        goal: { op: '<=', target: PUSH_GOALS.p99Ms },
        valid,
      }),
    ];
    return {
      figures,
      details: {
        conditions,
        pushesPerSecond: rate,
        latencyMs: latency,
        warmupElapsedMs: warmup.elapsedMs,
        warmupPushesPerSecond: warmupRate,
        warmupLatencyMs: summarize(warmup.latenciesMs),
        measuredElapsedMs: measured.elapsedMs,
        unexpectedAnswers: unexpected.length,
        firstUnexpected: unexpected.slice(0, 5),
        ticketKept,
        bareDecryptOpsPerSecond: baseline.opsPerSecond,
      },
    };
  });
}

async function storedTicket(stack: LocalStack): Promise<string | undefined> {
  const { data } = await stack.cloud.db.collection('platform').where({ _id: stack.openPlatform.component.appId }).get();
  return (data[0] as { ticket?: string } | undefined)?.ticket;
}
