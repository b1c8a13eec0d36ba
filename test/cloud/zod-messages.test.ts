/**
 * The function words zod's issues itself (config problems, broker input errors; actions are checked
 * end to end in e2e/rules/bad-input). Another zod in the process can set global messages (as
 * playwright-core's does): the words must stay ours. Here the function's modules run in jest's
 * realm, so that realm's zod configuration is the one to change.
 */
import { config, locales } from 'zod';
import { parseInput } from '../../cloudfunctions/authorization/src/broker/ops';
import { ConfigError, loadConfig } from '../../cloudfunctions/authorization/src/config';

const ENV = {
  COMPONENT_APPID: 'wx3f8a2c61d9e07b45',
  COMPONENT_APPSECRET: 'c5e1f09a7b3d42e8a6f1b0c9d8e7a2b4',
  COMPONENT_TOKEN: 'qingheComponentToken2024',
  ENCODING_AES_KEY: 'Qh7sK2mP9xV4cR8nB3wT6yL1dF5gJ0aZ2eU8iO4rW6t',
  PUBLIC_BASE_URL: 'https://auth.example.com/wx/',
};

function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...ENV, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

function brokerRefusal(input: unknown): string {
  try {
    parseInput('listAuthorizers', input);
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

/** The words for a set of bad inputs: none is zod's own English. */
function words(): string[] {
  const found = [
    ...configProblems({ API_TIMEOUT_MS: '1', SESSIONS_PER_DAY: 'many', PERMISSION_BUNDLES: '[{"id":"x"}]' }),
    ...configProblems({ COMPONENT_APPID: 'not-an-appid' }),
    brokerRefusal({ limit: 0 }),
    brokerRefusal({ limit: '10' }),
    brokerRefusal('not an object'),
  ];
  expect(found.length).toBeGreaterThanOrEqual(6);
  return found;
}

/** As `z.config(z.locales.en())` in another library, plus a customError, the strongest global setting. */
function withForeignConfig<T>(run: () => T): T {
  const global = config();
  const saved = { ...global };
  config({ ...locales.en(), customError: () => 'Message from another library' });
  try {
    return run();
  } finally {
    for (const key of Object.keys(global) as Array<keyof typeof global>) delete global[key];
    config(saved);
  }
}

test("config problems and broker input errors do not change with zod's global configuration", () => {
  const own = words();
  expect(own.join('\n')).toMatch(/API_TIMEOUT_MS is malformed/);
  expect(own).toEqual(expect.arrayContaining(['limit: 不能小于 1', 'limit: 类型不正确，应为数字', '参数必须是一个对象']));
  const foreign = withForeignConfig(words);
  expect(foreign).toEqual(own);
  expect(foreign.join('\n')).not.toMatch(/Invalid input|another library|expected/i);
});
