/** The console's local sign-in link (CONSOLE_LOCAL_SCANNER_URL): only a stack on this machine may have it. */
import { ConfigError, loadConfig } from '../../../cloudfunctions/authorization/src/config';

const BASE = {
  COMPONENT_APPID: 'wx3f8a2c61d9e07b45',
  COMPONENT_APPSECRET: 'c5e1f09a7b3d42e8a6f1b0c9d8e7a2b4',
  COMPONENT_TOKEN: 'qingheComponentToken2024',
  ENCODING_AES_KEY: 'Qh7sK2mP9xV4cR8nB3wT6yL1dF5gJ0aZ2eU8iO4rW6t',
  PUBLIC_BASE_URL: 'https://auth.example.com/wx/',
};
const LOCAL = 'http://127.0.0.1:8092/console-scan';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

test('absent by default: the sign-in page has no local link', () => {
  expect(loadConfig(BASE).consoleLocalScannerUrl).toBeNull();
});

test('on the local stack (loopback PUBLIC_BASE_URL) it is kept', () => {
  const config = loadConfig({ ...BASE, PUBLIC_BASE_URL: 'http://127.0.0.1:8091/wx', CONSOLE_LOCAL_SCANNER_URL: LOCAL });
  expect(config.consoleLocalScannerUrl).toBe(LOCAL);
});

test.each([
  ['a deployment', { CONSOLE_LOCAL_SCANNER_URL: LOCAL }],
  [
    'a scanner elsewhere',
    { PUBLIC_BASE_URL: 'http://127.0.0.1:8091/wx', CONSOLE_LOCAL_SCANNER_URL: 'https://evil.example.com/scan' },
  ],
])('refused in %s: the function does not start', (_case, env) => {
  expect(problems(env)).toEqual([
    'CONSOLE_LOCAL_SCANNER_URL is for the local stack only: it and PUBLIC_BASE_URL must be loopback addresses',
  ]);
});
