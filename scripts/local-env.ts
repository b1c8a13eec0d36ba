import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { CONFIG_VARIABLES } from '../cloudfunctions/authorization/src/config';

/**
 * The function's environment for `npm start`: the documented variables (README, "Configuration")
 * taken from a git-ignored `.env.local` and then from the shell, which wins. The variables that
 * make the local stack what it is (the emulated platform's identity and WeChat's hosts) are the
 * stack's own and are reported as ignored.
 */
export const STACK_OWNED = [
  'COMPONENT_APPID',
  'COMPONENT_APPSECRET',
  'COMPONENT_TOKEN',
  'ENCODING_AES_KEY',
  'PREVIOUS_ENCODING_AES_KEY',
  'PUBLIC_BASE_URL',
  'WX_API_BASE_URL',
  'WX_MP_BASE_URL',
  'WX_OPEN_BASE_URL',
] as const;

export const ENV_FILE = '.env.local';

/** The example caller's named function secret (cloudfunctions/broker-example), and what it may do. */
export const EXAMPLE_CALLER = {
  id: 'example',
  scope: { ops: ['list', 'call'], apis: ['/cgi-bin/account/'], appids: '*' },
} as const;

export interface LocalEnv {
  /** Passed to the authorization function, over the launcher's defaults. */
  functionEnv: Record<string, string>;
  /** The example caller's environment. */
  exampleEnv: Record<string, string>;
  /** Names that were set but are the stack's own. */
  ignored: string[];
  /** Names taken from the shell or the file (never their values). */
  passed: string[];
}

export function localEnv(shell: Record<string, string | undefined>, fileText: string | null): LocalEnv {
  const fromFile = fileText === null ? {} : parseEnv(fileText);
  const merged: Record<string, string | undefined> = { ...fromFile, ...shell };
  const functionEnv: Record<string, string> = {};
  const ignored: string[] = [];
  for (const name of CONFIG_VARIABLES) {
    const value = merged[name];
    if (value === undefined || value === '') continue;
    if ((STACK_OWNED as readonly string[]).includes(name)) ignored.push(name);
    else functionEnv[name] = value;
  }
  const passed = Object.keys(functionEnv);
  // The example caller gets a secret of its own, appended to whatever secrets were configured.
  const exampleSecret = randomBytes(32).toString('hex');
  const configured = jsonList(functionEnv.BROKER_FUNCTION_SECRETS ?? '[]');
  // A malformed value is passed on as it is: the function's configuration check names the problem.
  if (configured)
    functionEnv.BROKER_FUNCTION_SECRETS = JSON.stringify([...configured, { ...EXAMPLE_CALLER, secret: exampleSecret }]);
  return { functionEnv, exampleEnv: { BROKER_SECRET: exampleSecret }, ignored, passed };
}

function jsonList(text: string): unknown[] | null {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

export function readEnvFile(path = ENV_FILE): string | null {
  return fs.existsSync(path) ? fs.readFileSync(path, 'utf8') : null;
}
