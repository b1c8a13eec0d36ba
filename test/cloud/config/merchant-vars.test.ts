/** The provider's name and logo (home page) and the callback page's way back to the mini-program. */
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

test('defaults: a generic provider name, no logo, no way-back button', () => {
  expect(loadConfig(BASE)).toMatchObject({ provider: { name: '服务商', logoUrl: '' }, miniprogramLink: '' });
});

test('values as configured', () => {
  const config = loadConfig({
    ...BASE,
    PROVIDER_NAME: '青禾数字',
    PROVIDER_LOGO_URL: 'https://cdn.example.com/logo.png',
    MINIPROGRAM_LINK: 'weixin://dl/business/?appid=wx1234567890abcdef&path=pages/accounts/index',
  });
  expect(config.provider).toEqual({ name: '青禾数字', logoUrl: 'https://cdn.example.com/logo.png' });
  expect(config.miniprogramLink).toBe('weixin://dl/business/?appid=wx1234567890abcdef&path=pages/accounts/index');
  expect(loadConfig({ ...BASE, MINIPROGRAM_LINK: 'https://wxaurl.cn/abcDEF123' }).miniprogramLink).toBe(
    'https://wxaurl.cn/abcDEF123',
  );
});

test('PERMISSION_REASONS: why each set is needed, by set id', () => {
  const config = loadConfig({ ...BASE, PERMISSION_REASONS: '{"1":"接收并回复粉丝消息","11":" 发布图文素材 "}' });
  expect(config.permissionReasons).toEqual({ 1: '接收并回复粉丝消息', 11: '发布图文素材' });
  expect(loadConfig(BASE).permissionReasons).toEqual({});
  expect(problems({ PERMISSION_REASONS: '{"x":"why"}' })).toEqual(['PERMISSION_REASONS keys must be set ids']);
  expect(problems({ PERMISSION_REASONS: `{"1":"${'长'.repeat(61)}"}` })).toEqual([
    'PERMISSION_REASONS.1 each reason must be at most 60 characters',
  ]);
});

test('an http logo, a long name and a link of another kind are refused by name', () => {
  expect(
    problems({
      PROVIDER_NAME: '名'.repeat(31),
      PROVIDER_LOGO_URL: 'http://cdn.example.com/logo.png',
      MINIPROGRAM_LINK: 'javascript:alert(1)',
    }),
  ).toEqual([
    'PROVIDER_NAME must be at most 30 characters',
    'PROVIDER_LOGO_URL must be an https URL',
    'MINIPROGRAM_LINK must be an https URL Link or a weixin://dl/business/ URL Scheme',
  ]);
});
