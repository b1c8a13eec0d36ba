/**
 * `npm run rehearse`: WeChat's 全网发布 test, replayed. See `--help`.
 */
import { parseArgs } from 'node:util';
import { mergedEnv } from './ship/inputs';
import { formatReport, rehearseLocally, rehearseRemote, rehearseRunning, type TestOptions } from './release/rehearsal';

const HELP = `npm run rehearse -- [options]

Replays WeChat's 全网发布 (full-network release) test: for each test account a ticket push, a
pre_auth_code (one authorization is started for the whole run, by one merchant), an
authorization, the message cases (TESTCOMPONENT_MSG_TYPE_TEXT, QUERY_AUTH_CODE) and the
un-authorization, and prints each item as WeChat's result page lists it. Exits 1 when any
item fails.

By default it starts the local stack (emulator + local cloud runtime + the built function) on
fresh data and tests that. With --emulator-url it tests a stack that is already running (npm
start: --emulator-url http://127.0.0.1:8090 --cloud-url http://127.0.0.1:8091). With --base-url it tests a deployed function instead: this machine
then plays WeChat, so the deployment's WX_API_BASE_URL must be this emulator's address
(--emulator-host/--emulator-port, reachable from the function) and its keys must be the ones
given here (COMPONENT_APPID, COMPONENT_APPSECRET, COMPONENT_TOKEN, ENCODING_AES_KEY, from the
environment or --env-file). When asked, start one authorization in the mini-program (the
预授权码 item waits --preauth-wait-s for it).

Options:
  --groups 1,2,...          test-account groups (1–5), default all
  --sets 1,19               permission sets ticked on the platform: 1 = official-account 消息管理,
                            19 = 小程序客服消息管理; default 1,19 (neither: no message cases)
  --reply-deadline-ms N     answer limit on the message URL, default 5000 (WeChat's)
  --api-deadline-ms N       limit for the customer-service message, default 10000
  --emulator-url URL        a running emulator (npm start's) instead of a fresh local stack
  --cloud-url URL           with --emulator-url: the running cloud runtime, where a merchant
                            starts one authorization first (for the 预授权码 item)
  --base-url URL            a deployed PUBLIC_BASE_URL instead of the local stack
  --emulator-host HOST      with --base-url: listen address, default 0.0.0.0
  --emulator-port PORT      with --base-url: default 8090
  --preauth-wait-s N        with --base-url: how long to wait for you to start an authorization in
                            the mini-program (the 预授权码 item), default 60
  --env-file FILE           KEY=value lines for the keys (the environment wins)
  --json                    print the report as JSON
  -h, --help                this text
`;

function numbers(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`not a list of numbers: ${raw}`);
  return list;
}

function positive(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      groups: { type: 'string' },
      sets: { type: 'string' },
      'reply-deadline-ms': { type: 'string' },
      'api-deadline-ms': { type: 'string' },
      'base-url': { type: 'string' },
      'emulator-url': { type: 'string' },
      'cloud-url': { type: 'string' },
      'emulator-host': { type: 'string' },
      'emulator-port': { type: 'string' },
      'preauth-wait-s': { type: 'string' },
      'env-file': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const groups = numbers(values.groups);
  if (groups && groups.some((g) => g < 1 || g > 5)) throw new Error('--groups: each group is 1–5');
  const options: TestOptions = {
    groups,
    selectedFuncIds: numbers(values.sets),
    replyDeadlineMs: positive(values['reply-deadline-ms'], '--reply-deadline-ms'),
    apiMessageDeadlineMs: positive(values['api-deadline-ms'], '--api-deadline-ms'),
  };
  const report = values['base-url']
    ? await remote(values, options)
    : values['emulator-url']
      ? await rehearseRunning(values['emulator-url'].replace(/\/+$/, ''), values['cloud-url']?.replace(/\/+$/, ''), options)
      : await rehearseLocally(options, { build: true });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}

async function remote(values: Record<string, string | boolean | undefined>, options: TestOptions) {
  const env = mergedEnv(process.env, values['env-file'] as string | undefined, process.cwd());
  const missing = ['COMPONENT_APPID', 'COMPONENT_APPSECRET', 'COMPONENT_TOKEN', 'ENCODING_AES_KEY'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`--base-url needs ${missing.join(', ')} (environment or --env-file)`);
  return rehearseRemote(
    {
      baseUrl: String(values['base-url']).replace(/\/+$/, ''),
      component: {
        appId: env.COMPONENT_APPID!,
        appSecret: env.COMPONENT_APPSECRET!,
        token: env.COMPONENT_TOKEN!,
        encodingAesKey: env.ENCODING_AES_KEY!,
      },
      host: (values['emulator-host'] as string | undefined) ?? '0.0.0.0',
      port: positive(values['emulator-port'] as string | undefined, '--emulator-port') ?? 8090,
      preAuthWaitMs: (positive(values['preauth-wait-s'] as string | undefined, '--preauth-wait-s') ?? 60) * 1000,
    },
    options,
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rehearse: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
