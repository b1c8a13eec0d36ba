import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCloudRuntime } from './runtime';

/**
 * npx tsx emulator/cloud/cli.ts --functions cloudfunctions --data .data/cloud --port 8091 \
 *   --http /wx=authorization [--env authorization:KEY=VALUE] [--env-id local-dev] [--no-timers] [--base64]
 */

const USAGE = `usage: cli.ts --functions <dir> --data <dir> [--port 8091] [--host 127.0.0.1]
  [--http /prefix=function]... [--env function:KEY=VALUE]... [--env-id local-dev] [--no-timers] [--base64]`;

function splitPair(text: string, separator: string, flag: string): [string, string] {
  const at = text.indexOf(separator);
  if (at <= 0) throw new Error(`${flag} ${text}: expected a${separator}b`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function functionEnv(entries: string[]): Record<string, Record<string, string>> {
  const env: Record<string, Record<string, string>> = {};
  for (const entry of entries) {
    const [fn, assignment] = splitPair(entry, ':', '--env');
    const [key, value] = splitPair(assignment, '=', '--env');
    (env[fn] ??= {})[key] = value;
  }
  return env;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      functions: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string', default: '8091' },
      host: { type: 'string', default: '127.0.0.1' },
      http: { type: 'string', multiple: true, default: [] },
      env: { type: 'string', multiple: true, default: [] },
      'env-id': { type: 'string' },
      'no-timers': { type: 'boolean', default: false },
      base64: { type: 'boolean', default: false },
    },
  });
  if (!values.functions || !values.data) throw new Error(USAGE);
  const runtime = await startCloudRuntime({
    functionsRoot: path.resolve(values.functions),
    dataDir: path.resolve(values.data),
    port: Number(values.port),
    host: values.host,
    envId: values['env-id'],
    httpAccess: Object.fromEntries(values.http.map((entry) => splitPair(entry, '=', '--http'))),
    env: functionEnv(values.env),
    timers: !values['no-timers'],
    forceBase64Body: values.base64,
  });
  console.log(`cloud runtime (env ${runtime.envId}) listening on ${runtime.url}`);
  console.log(`  POST ${runtime.url}/callFunction   GET ${runtime.url}/__runtime/health`);
  for (const [prefix, fn] of values.http.map((entry) => splitPair(entry, '=', '--http'))) {
    console.log(`  HTTP access ${runtime.url}${prefix} -> ${fn}`);
  }
  for (const timer of runtime.timerTriggers()) console.log(`  timer ${timer.functionName}/${timer.name} "${timer.config}"`);
  const stop = () => {
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
