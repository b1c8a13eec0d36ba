/**
 * The README's broker contract, as an outsider reads it: the worked signing example is recomputed
 * independently and accepted byte for byte by the function; the hand-signing recipe (openssl and
 * curl) works against a running stack; `npm start` passes BROKER_CLIENT_KEYS from its environment
 * and runs the example caller.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BrokerHttpClient, canonicalRequest } from '../../../clients/broker-client/src';
import { localEnv } from '../../../scripts/local-env';
import { authorizeWithPush, captureOutputOfFile, MERCHANT, type RulesStack } from '../helpers/rules-stack';
import { removeBrokerFunctions, startBrokerStack } from '../helpers/broker-stack';

jest.setTimeout(120_000);
captureOutputOfFile();

const ROOT = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const between = (from: string, to: string) => readme.slice(readme.indexOf(from) + from.length, readme.indexOf(to));
const fenced = (text: string, lang: string) => {
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n\\s*```').exec(text);
  if (!match) throw new Error(`no ${lang} block`);
  return match[1].replace(/^ {3}/gm, '');
};

afterAll(removeBrokerFunctions);

describe('the worked signing example', () => {
  const example = between('<!-- signing-example -->', '<!-- /signing-example -->');
  const keyId = /key `([^`]+)` with secret/.exec(example)?.[1] ?? '';
  const secret = /with secret\s+`([0-9a-f]+)`/.exec(example)?.[1] ?? '';
  const stringToSign = fenced(example, 'text');
  const [requestLine, ...headerLines] = fenced(example, 'http').split('\n');
  const headers = Object.fromEntries(headerLines.map((line) => line.split(': ') as [string, string]));
  const [method, target] = requestLine.split(' ');
  const url = new URL(target, 'http://x');

  test('its string to sign follows the README rules, and its signature is the HMAC of it', () => {
    const lines = stringToSign.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[6]).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
    // The library's canonical form from the request as sent agrees with the README's text.
    const parts = {
      method,
      path: url.pathname.slice(url.pathname.indexOf('/broker/')),
      query: Object.fromEntries(url.searchParams),
      timestamp: Number(headers['x-broker-timestamp']),
      nonce: headers['x-broker-nonce'],
      body: Buffer.alloc(0),
    };
    expect(canonicalRequest(parts)).toBe(stringToSign);
    expect(createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex')).toBe(headers['x-broker-signature']);
    expect(headers['x-broker-key']).toBe(keyId);
  });

  test('the function accepts exactly that request at that time', async () => {
    const appid = url.pathname.split('/')[4];
    const stack = await startBrokerStack({
      BROKER_CLIENT_KEYS: JSON.stringify([{ id: keyId, secret, scope: { ops: ['call'], apis: ['/wxa/'], appids: [appid] } }]),
    });
    try {
      stack.clock.advance(Number(headers['x-broker-timestamp']) - stack.clock.nowSeconds());
      await stack.openPlatform.pushTicket();
      await authorizeWithPush(stack, MERCHANT, appid);
      stack.openPlatform.resetCalls();
      const response = await fetch(`${new URL(stack.publicBaseUrl).origin}${target}`, { method, headers });
      expect(response.headers.get('x-broker-error')).toBeNull();

      // Replayed, the same bytes are refused: the nonce was spent.
      const again = await fetch(`${new URL(stack.publicBaseUrl).origin}${target}`, { method, headers });
      expect(again.headers.get('x-broker-error')).toBe('REPLAYED');
    } finally {
      await stack.close();
    }
  });
});

test('the hand-signing recipe (openssl, curl) works against a running stack', async () => {
  const recipe = fenced(between('<!-- local-signing -->', '<!-- /local-signing -->'), 'bash');
  const keys = /BROKER_CLIENT_KEYS=(\[.*\])'/.exec(readme)?.[1] ?? '';
  const stack: RulesStack = await startBrokerStack({ BROKER_CLIENT_KEYS: keys });
  try {
    await authorizeWithPush(stack, MERCHANT, 'wx6b93d0f2a7c4e815');
    const script = recipe.replace('BASE=http://127.0.0.1:8091/wx', `BASE=${stack.publicBaseUrl}`);
    expect(script).not.toBe(recipe);
    // Run in the background: the stack answers curl from this very process.
    const answer = JSON.parse((await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8' })).stdout) as {
      data: { authorizers: { appid: string }[] };
    };
    expect(answer.data.authorizers.map((a) => a.appid)).toEqual(['wx6b93d0f2a7c4e815']);
  } finally {
    await stack.close();
  }
});

describe('npm start', () => {
  test("the function gets the documented variables from the shell over .env.local, never the stack's own", () => {
    const env = localEnv(
      { BROKER_CLIENT_KEYS: '[from-shell]', COMPONENT_APPID: 'wx0000000000000000', HOME: '/root' },
      'BROKER_CLIENT_KEYS=[from-file]\nREAUTH_PROBE_SECONDS=600\nNOT_A_VARIABLE=1\n',
    );
    expect(env.functionEnv).toMatchObject({ BROKER_CLIENT_KEYS: '[from-shell]', REAUTH_PROBE_SECONDS: '600' });
    expect(env.functionEnv).not.toHaveProperty('COMPONENT_APPID');
    expect(env.functionEnv).not.toHaveProperty('NOT_A_VARIABLE');
    expect(env.ignored).toEqual(['COMPONENT_APPID']);
    const secrets = JSON.parse(env.functionEnv.BROKER_FUNCTION_SECRETS) as { id: string; secret: string }[];
    expect(secrets.map((s) => s.id)).toEqual(['example']);
    expect(secrets[0].secret).toBe(env.exampleEnv.BROKER_SECRET);
  });

  test("the README's .env.local line is read as the key it shows", () => {
    const line = /echo '(BROKER_CLIENT_KEYS=.*)' > \.env\.local/.exec(readme)?.[1] ?? '';
    const keys = JSON.parse(localEnv({}, `${line}\n`).functionEnv.BROKER_CLIENT_KEYS) as { id: string }[];
    expect(keys.map((k) => k.id)).toEqual(['local-ops']);
  });

  test('BROKER_CLIENT_KEYS in its environment turns the HTTP way in on; the example caller answers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-broker-'));
    const key = { id: 'local-ops', secret: '0123456789abcdef0123456789abcdef' };
    const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        // Port 0: each server binds a free port once; the summary says which.
        OPEN_PLATFORM_PORT: '0',
        CLOUD_PORT: '0',
        LAUNCHER_PORT: '0',
        DATA_DIR: dataDir,
        LOCAL_STACK_PREBUILT: '1',
        BROKER_CLIENT_KEYS: JSON.stringify([{ ...key, scope: { ops: ['list'], appids: '*' } }]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ctrl+C')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${output}`)));
      });
      expect(output).toContain('from your environment or .env.local: BROKER_CLIENT_KEYS');
      const cloud = /Cloud runtime\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
      expect(cloud).not.toBe('');
      const base = `${cloud}/wx`;
      const client = new BrokerHttpClient({ baseUrl: base, keyId: key.id, secret: key.secret });
      expect(await client.listAuthorizers()).toEqual({ authorizers: [], next: null });
      const example = (await (
        await fetch(`${cloud}/callFunction`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'broker-example', data: {} }),
        })
      ).json()) as { result: unknown };
      expect(example.result).toEqual({ accounts: [] });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
