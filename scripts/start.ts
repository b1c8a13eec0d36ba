import { CONSOLE_SCAN_PATH, startLauncher } from './launcher';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '../emulator/stack';
import { buildFunction } from './build-function';
import { ENV_FILE, EXAMPLE_CALLER, localEnv, readEnvFile } from './local-env';

/**
 * `npm start`: the whole product on this machine with its embedded defaults: the Open Platform
 * emulator, the local cloud runtime running the function (data in .data/), and a launcher page
 * (scripts/launcher.ts) that hands a person a fresh PC or H5 authorization link for a local test merchant.
 */

const OPEN_PLATFORM_PORT = Number(process.env.OPEN_PLATFORM_PORT ?? 8090);
const CLOUD_PORT = Number(process.env.CLOUD_PORT ?? 8091);
const LAUNCHER_PORT = Number(process.env.LAUNCHER_PORT ?? 8092);
const DATA_DIR = path.resolve(process.env.DATA_DIR ?? '.data');
/** The merchant the launcher acts for; the mini-program's local mode uses the same one. */
const LOCAL_MERCHANT = process.env.LOCAL_OPENID ?? 'local-merchant-openid';
/** WeChat pushes every 10 minutes; locally every minute, so the ticket age on the health page moves. */
const TICKET_PERIOD_SECONDS = Number(process.env.TICKET_PERIOD_SECONDS ?? 60);
/** The example of the provider's own cloud function calling the broker (way in 1). */
const EXAMPLE_FUNCTION = 'broker-example';

async function main(): Promise<void> {
  const env = localEnv(process.env, readEnvFile());
  // Tests that start this script next to running suites use the bundles jest's setup built.
  const build = process.env.LOCAL_STACK_PREBUILT !== '1';
  if (build) await buildFunction({ name: EXAMPLE_FUNCTION });
  const stack = await startLocalStack({
    dataDir: DATA_DIR,
    openPlatformPort: OPEN_PLATFORM_PORT,
    cloudPort: CLOUD_PORT,
    build,
    timers: true,
    adminOpenIds: [LOCAL_MERCHANT],
    functionEnv: {
      REQUIRED_CATEGORY_IDS: '1,15,18',
      PERMISSION_BUNDLES: JSON.stringify([
        { id: 'basic', name: '基础运营', categoryIds: [1, 2, 15] },
        { id: 'miniapp', name: '小程序代开发', categoryIds: [17, 18, 30] },
      ]),
      ...env.functionEnv,
      // The console's sign-in page links to the launcher, which confirms as the local admin (README "The console").
      CONSOLE_LOCAL_SCANNER_URL: `http://127.0.0.1:${LAUNCHER_PORT}${CONSOLE_SCAN_PATH}`,
    },
    otherFunctionEnv: { [EXAMPLE_FUNCTION]: env.exampleEnv },
    openPlatform: { ticketPushIntervalSeconds: TICKET_PERIOD_SECONDS },
  });
  const launcher = await startLauncher({
    port: LAUNCHER_PORT,
    merchant: LOCAL_MERCHANT,
    call: stack.call,
    log: console.error,
    consoleUrl: `${stack.publicBaseUrl}/console/login`,
  });
  printEnvironment(env.passed, env.ignored);
  printSummary(stack);

  const stop = async () => {
    console.log('\nStopping…');
    await launcher.close();
    await stack.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function printSummary(stack: LocalStack): void {
  const rows = [
    ['Authorize a test account', `http://127.0.0.1:${LAUNCHER_PORT}/   <- open this in a browser`],
    [
      'Open Platform emulator',
      `${stack.openPlatform.url}   (component appid ${stack.openPlatform.component.appId}; admin API /__emulator/)`,
    ],
    ['Cloud runtime', `${stack.cloud.url}   (callFunction: POST ${stack.cloud.url}/callFunction)`],
    ['Function HTTP access', `${stack.publicBaseUrl}   (push URL ${stack.publicBaseUrl}/push, pages /entry and /callback)`],
    [
      'Console (PC, staff)',
      `${stack.publicBaseUrl}/console/login   (sign in by scanning; locally the launcher stands in for the phone)`,
    ],
    ['PC entry page', `${stack.publicBaseUrl}/entry?sid=…   (the launcher creates one per visit)`],
    ['Local merchant OPENID', `${LOCAL_MERCHANT}   (also an admin locally)`],
    [
      'Broker, way in 1',
      `POST ${stack.cloud.url}/callFunction {"name":"${EXAMPLE_FUNCTION}","data":{}}   (the example caller, secret "${EXAMPLE_CALLER.id}")`,
    ],
    [
      'Broker, way in 2',
      stack.functionEnv.BROKER_CLIENT_KEYS
        ? `${stack.publicBaseUrl}/broker/…   (signed with a key of BROKER_CLIENT_KEYS)`
        : `off: set BROKER_CLIENT_KEYS (shell or ${ENV_FILE}) to turn it on`,
    ],
    ['Data', DATA_DIR],
  ];
  console.log('\nLocal stack is up:');
  for (const [name, value] of rows) console.log(`  ${name.padEnd(26)}${value}`);
  console.log('\nCtrl+C stops everything.');
}

/** Which of the function's variables came from the shell or the env file (names only: some are secrets). */
function printEnvironment(passed: string[], ignored: string[]): void {
  if (passed.length > 0) console.log(`\nFunction variables from your environment or ${ENV_FILE}: ${passed.join(', ')}`);
  if (ignored.length > 0) console.log(`Ignored (the local stack sets these itself): ${ignored.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
