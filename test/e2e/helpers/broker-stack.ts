/**
 * A local stack with the broker turned on: a functions root holding the real authorization bundle
 * and the test-only `broker-caller` function (bundled here with esbuild), a broker secret shared
 * by both, and three client keys (current, next, and a revoked one) for the HTTP way in.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerError, BrokerHttpClient } from '../../../clients/broker-client/src';
import { startRulesStack, type RulesStack } from './rules-stack';

export const BROKER_SECRET = 'test-broker-secret-0123456789abcdef0123456789';
export const KEYS = {
  current: { id: 'current', secret: 'key-current-secret-0123456789abcdef01234567' },
  next: { id: 'next', secret: 'key-next-secret-0123456789abcdef0123456789ab' },
  revoked: { id: 'old', secret: 'key-old-secret-0123456789abcdef0123456789abcd' },
};
export const CALLER = 'broker-caller';
/** Everything a caller can be allowed: the suites that test the broker's behaviour, not its scopes. */
export const FULL_SCOPE = { ops: ['token', 'call', 'component', 'list', 'report'], apis: ['/'], appids: '*' };
/** The caller function's named secret (BROKER_FUNCTION_SECRETS). */
export const FUNCTION_SECRET_ID = 'backend';

const ROOT = path.resolve(__dirname, '../../..');

/** Builds the caller once per process; the authorization bundle is jest's global setup's. */
let functionsRoot: Promise<string> | undefined;
function brokerFunctionsRoot(): Promise<string> {
  functionsRoot ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-functions-'));
    fs.symlinkSync(path.join(ROOT, 'cloudfunctions/authorization'), path.join(dir, 'authorization'), 'dir');
    await build({
      entryPoints: [path.join(ROOT, 'test/fixtures/cloudfunctions/broker-caller/index.ts')],
      outfile: path.join(dir, CALLER, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node16',
      format: 'cjs',
      external: ['wx-server-sdk'],
      logLevel: 'warning',
    });
    return dir;
  })();
  return functionsRoot;
}

/** Removes the built functions root (call from the file's afterAll). */
export async function removeBrokerFunctions(): Promise<void> {
  if (!functionsRoot) return;
  const dir = await functionsRoot;
  functionsRoot = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function startBrokerStack(extraEnv: Record<string, string> = {}): Promise<RulesStack> {
  return startRulesStack({
    functionsRoot: await brokerFunctionsRoot(),
    functionEnv: {
      BROKER_FUNCTION_SECRETS: JSON.stringify([{ id: FUNCTION_SECRET_ID, secret: BROKER_SECRET, scope: FULL_SCOPE }]),
      BROKER_CLIENT_KEYS: JSON.stringify(
        [KEYS.current, KEYS.next, { ...KEYS.revoked, revoked: true }].map((key) => ({ ...key, scope: FULL_SCOPE })),
      ),
      ...extraEnv,
    },
    otherFunctionEnv: { [CALLER]: { BROKER_SECRET } },
  });
}

/** A Node server's client of the broker, on the stack's clock. */
export function httpClient(stack: RulesStack, key: { id: string; secret: string } = KEYS.current): BrokerHttpClient {
  return new BrokerHttpClient({ baseUrl: stack.publicBaseUrl, keyId: key.id, secret: key.secret, now: () => stack.clock.now() });
}

/** What the caller function answers (see its index.ts). */
export type CallerReply =
  | {
      ok: true;
      token?: { accessToken: string; expiresAt: number };
      status?: number;
      contentType?: string;
      base64?: string;
      errcode?: number;
      page?: unknown;
    }
  | { ok: false; code: string; message: string; state?: string; permissionSet?: { id: number; name: string } };

export async function viaCaller(stack: RulesStack, event: Record<string, unknown>, openid?: string): Promise<CallerReply> {
  return (await stack.cloud.callFunction(CALLER, event, openid ? { openid } : {})) as CallerReply;
}

/** The refusal a broker call ends in; fails the test if it succeeds or throws something else. */
export async function brokerError(promise: Promise<unknown>): Promise<BrokerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BrokerError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}
