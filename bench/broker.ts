/**
 * Broker (issue 10): proxy overhead against calling the emulator directly, side by side in one
 * run; api_authorizer_token calls when the token expires under concurrent proxied load; and the
 * database reads and writes of one warm proxied call, counted at the emulated store (reads = its
 * collection lookups that are not part of a write).
 */
import { BrokerHttpClient } from '../clients/broker-client/src';
import { DocumentStore } from '../emulator/cloud/sdk/store';
import type { LocalStack } from '../emulator/stack';
import { withBenchStack } from './bench-stack';
import { figure, type BenchResult } from './figures';
import type { LogSink } from './log-sink';
import type { BenchOptions } from './options';
import { summarize } from './stats';

const SECRET = 'bench-broker-secret-0123456789abcdef012345';
const KEY = { id: 'bench', secret: 'bench-key-secret-0123456789abcdef0123456789' };
/** What the benchmark's callers do: a token and calls of the measured API, for any account. */
const SCOPE = { ops: ['token', 'call'], apis: ['/cgi-bin/get_api_domain_ip'], appids: '*' };
const PATH = '/cgi-bin/get_api_domain_ip';
const SAMPLES = 300;

async function authorizeOne(stack: LocalStack): Promise<string> {
  const appid = stack.openPlatform.accounts.find((a) => a.kind === 'mini_program')!.appid;
  const session = (await stack.call('oBENCH-MERCHANT', 'createAuthSession', { authType: 3, channel: 'plugin' })) as {
    data: { plugin: { preAuthCode: string } };
  };
  await stack.openPlatform.confirmAuthorization({
    preAuthCode: session.data.plugin.preAuthCode,
    authorizerAppid: appid,
    channel: 'plugin',
  });
  return appid;
}

async function samples(count: number, work: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 30; i++) await work();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await work();
    out.push(performance.now() - started);
  }
  return out;
}

/** Counts store operations while `work` runs. */
async function countDb(work: () => Promise<void>): Promise<{ reads: number; writes: number }> {
  const proto = DocumentStore.prototype;
  const collection = proto.collection;
  const write = proto.write;
  let lookups = 0;
  let writes = 0;
  proto.collection = function (this: DocumentStore, name: string) {
    lookups += 1;
    return collection.call(this, name);
  };
  proto.write = function <T>(this: DocumentStore, name: string, fn: Parameters<typeof write>[1]) {
    writes += 1;
    return write.call(this, name, fn) as Promise<T>;
  } as typeof write;
  try {
    await work();
  } finally {
    proto.collection = collection;
    proto.write = write;
  }
  return { reads: lookups - writes, writes };
}

// eslint-disable-next-line max-lines-per-function -- one benchmark read top to bottom: setup, three paths side by side
export async function brokerBench(options: BenchOptions, sink: LogSink): Promise<BenchResult> {
  const functionEnv = {
    BROKER_FUNCTION_SECRETS: JSON.stringify([{ id: 'bench', secret: SECRET, scope: SCOPE }]),
    BROKER_CLIENT_KEYS: JSON.stringify([{ ...KEY, scope: SCOPE }]),
  };
  // eslint-disable-next-line max-lines-per-function -- the body of the benchmark above
  return withBenchStack('broker', sink, { functionEnv }, async (stack) => {
    const appid = await authorizeOne(stack);
    const client = new BrokerHttpClient({
      baseUrl: stack.publicBaseUrl,
      keyId: KEY.id,
      secret: KEY.secret,
      now: () => stack.clock.now(),
    });
    const instance = stack.cloud.newInstance('authorization');
    const event = { broker: { secret: SECRET, op: 'call', input: { appid, method: 'GET', path: PATH } } };
    const { accessToken } = await client.token(appid);
    const direct = summarize(
      await samples(SAMPLES, async () => {
        await (await fetch(`${stack.openPlatform.url}${PATH}?access_token=${encodeURIComponent(accessToken)}`)).arrayBuffer();
      }),
    );
    const viaHttp = summarize(await samples(SAMPLES, async () => void (await client.call(appid, { method: 'GET', path: PATH }))));
    const viaCall = summarize(await samples(SAMPLES, async () => void (await instance.invoke(event, { SOURCE: 'scf' }))));
    const callDb = await countDb(async () => void (await instance.invoke(event, { SOURCE: 'scf' })));
    const httpDb = await countDb(async () => void (await client.call(appid, { method: 'GET', path: PATH })));

    // The moment the token expires, K instances × N concurrent proxied calls.
    stack.clock.advance(7200);
    stack.openPlatform.resetCalls();
    const instances = Array.from({ length: options.instances }, () => stack.cloud.newInstance('authorization'));
    await Promise.all(instances.flatMap((i) => Array.from({ length: options.calls }, () => i.invoke(event, { SOURCE: 'scf' }))));
    const refreshes = stack.openPlatform.calls.filter((c) => c.api === 'api_authorizer_token').length;

    const goalMs = (p50: number) => p50 * 1.3 + 5;
    const how = `${SAMPLES} sequential GET ${PATH} after 30 warm-up; direct = fetch to the emulator with the token`;
    const baseline = { name: 'the emulator called directly (p50)', value: direct.p50, unit: 'ms' };
    return {
      figures: [
        figure({
          id: 'broker.http.p50',
          benchmark: 'Broker',
          name: 'proxied call over signed HTTP, p50',
          value: viaHttp.p50,
          unit: 'ms',
          baseline,
          goal: { op: '<=', target: goalMs(direct.p50), text: '≤ 1.3 × direct p50 + 5 ms' },
          note: `${how}; signed request to the function's HTTP access (signature check, nonce insert, token read, usage inc)`,
        }),
        figure({
          id: 'broker.http.p99',
          benchmark: 'Broker',
          name: 'proxied call over signed HTTP, p99',
          value: viaHttp.p99,
          unit: 'ms',
          baseline: { ...baseline, name: 'direct p99', value: direct.p99 },
        }),
        figure({
          id: 'broker.call.p50',
          benchmark: 'Broker',
          name: 'proxied call through callFunction, p50',
          value: viaCall.p50,
          unit: 'ms',
          baseline,
          goal: { op: '<=', target: goalMs(direct.p50), text: '≤ 1.3 × direct p50 + 5 ms' },
          note: `${how}; the broker event on a warm function instance with SOURCE scf (in-process: no callFunction network hop)`,
        }),
        figure({
          id: 'broker.call.p99',
          benchmark: 'Broker',
          name: 'proxied call through callFunction, p99',
          value: viaCall.p99,
          unit: 'ms',
          baseline: { ...baseline, name: 'direct p99', value: direct.p99 },
        }),
        figure({
          id: 'broker.refreshes',
          benchmark: 'Broker',
          name: `api_authorizer_token calls at expiry, ${options.instances} instances × ${options.calls} calls`,
          value: refreshes,
          unit: 'calls',
          goal: { op: '=', target: 1, text: 'exactly 1' },
          note: "clock moved to the token's expiry, then all proxied calls at once on fresh instances",
        }),
        figure({
          id: 'broker.call.reads',
          benchmark: 'Broker',
          name: 'DB reads of a warm proxied call (callFunction)',
          value: callDb.reads,
          unit: 'reads',
          goal: { op: '<=', target: 1, text: 'one read' },
          note: `${callDb.writes} write(s) (the usage counters per appid and per caller); counted at the emulated store: reads = collection lookups not part of a write`,
        }),
        figure({
          id: 'broker.http.reads',
          benchmark: 'Broker',
          name: 'DB reads of a warm proxied call (signed HTTP)',
          value: httpDb.reads,
          unit: 'reads',
          note: `${httpDb.writes} write(s): the nonce and the usage counters per appid and per caller`,
        }),
      ],
      details: { direct, viaHttp, viaCall, callDb, httpDb, refreshes, samples: SAMPLES },
    };
  });
}
