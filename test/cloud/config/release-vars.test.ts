/** The issue-11 variables: checked with the others at cold start, named but never echoed. */
import { ConfigError, loadConfig } from '../../../cloudfunctions/authorization/src/config';

const BASE = {
  COMPONENT_APPID: 'wx3f8a2c61d9e07b45',
  COMPONENT_APPSECRET: 'c5e1f09a7b3d42e8a6f1b0c9d8e7a2b4',
  COMPONENT_TOKEN: 'qingheComponentToken2024',
  ENCODING_AES_KEY: 'Qh7sK2mP9xV4cR8nB3wT6yL1dF5gJ0aZ2eU8iO4rW6t',
  PUBLIC_BASE_URL: 'https://auth.example.com/wx/',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

test('defaults: no forwarding, 3 s forward timeout, no test list, not released', () => {
  expect(loadConfig(BASE)).toMatchObject({
    messageForwardUrl: null,
    messageForwardTimeoutMs: 3000,
    releaseTestList: [],
    platformReleased: false,
  });
});

test('values as pasted from the consoles', () => {
  const config = loadConfig({
    ...BASE,
    MESSAGE_FORWARD_URL: 'https://msg.example.com/wechat/',
    MESSAGE_FORWARD_TIMEOUT_MS: '1500',
    RELEASE_TEST_LIST: 'gh_5a2e9c7d41b8; gh_0123456789ab;',
    PLATFORM_RELEASED: 'true',
  });
  expect(config).toMatchObject({
    messageForwardUrl: 'https://msg.example.com/wechat',
    messageForwardTimeoutMs: 1500,
    releaseTestList: ['gh_5a2e9c7d41b8', 'gh_0123456789ab'],
    platformReleased: true,
  });
});

test.each([
  ['MESSAGE_FORWARD_URL', 'ftp://msg.example.com'],
  ['MESSAGE_FORWARD_TIMEOUT_MS', '5000'],
  ['MESSAGE_FORWARD_TIMEOUT_MS', '50'],
  ['RELEASE_TEST_LIST', 'wx8c41f2a9e6d07b13'],
  ['RELEASE_TEST_LIST', Array.from({ length: 11 }, (_, i) => `gh_${String(i).padStart(12, '0')}`).join(';')],
  ['PLATFORM_RELEASED', 'yes'],
])('%s=%s is refused by name, without its value', (name, value) => {
  const found = problems({ [name]: value });
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(new RegExp(`^${name} `));
  expect(found[0]).not.toContain(value);
});
