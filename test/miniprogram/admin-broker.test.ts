// Admin page, the broker: a health line that names callers without a scope, and the callers card
// (loaded on demand): each key's scope in plain words, its totals and its busiest APIs.
import type { BrokerCallerView } from '../../typings/api';
import { appConfig, exists, fail, fakeCloud, healthyPlatform, ok, textOf, vantInner, type FakeCloud } from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const PAGE = 'pages/admin/index';

const MESSAGING: BrokerCallerView = {
  way: 'http',
  id: 'messaging',
  revoked: false,
  legacyScope: false,
  scope: { ops: ['call'], apis: ['/cgi-bin/message/'], appids: ['wx6b93d0f2a7c4e815'] },
  totals: { calls: 12, errors: 1, refused: 2, lastAt: Date.UTC(2026, 11, 3, 2, 5) },
  usage: [
    { api: '/cgi-bin/message/custom/send', calls: 10, errors: 1, refused: 0, lastOutcome: 0, lastAt: 1 },
    { api: 'token', calls: 2, errors: 0, refused: 2, lastOutcome: 'SCOPE_DENIED', lastAt: 0 },
  ],
};
const LEGACY: BrokerCallerView = {
  way: 'function',
  id: 'BROKER_SECRET',
  revoked: false,
  legacyScope: true,
  scope: { ops: ['list'], apis: [], appids: '*' },
  totals: { calls: 0, errors: 0, refused: 0, lastAt: null },
  usage: [],
};

function admin(legacy: string[], callers: () => unknown): FakeCloud {
  return fakeCloud({
    getAppConfig: () => ok<'getAppConfig'>(appConfig(true)),
    platformHealth: () =>
      ok<'platformHealth'>(healthyPlatform({ broker: { httpKeys: 1, functionSecrets: 1, legacyScope: legacy } })),
    listAuthorizers: () => ok<'listAuthorizers'>({ total: 0, authorizers: [] }),
    brokerCallers: callers as never,
  });
}

const open = (fake: FakeCloud): Promise<LoadedPage> => loadPage(PAGE, { wxShims: { cloud: fake.cloud } });

afterEach(unloadAllPages);

test('a caller without a scope is a problem to handle, named with its fix; with scopes the line is green', async () => {
  const legacy = await open(admin(['BROKER_SECRET'], () => ok<'brokerCallers'>({ callers: [] })));
  expect(textOf(legacy, '#check-broker')).toContain('BROKER_SECRET 没有配置权限范围');
  expect(textOf(legacy, '#check-broker')).toContain('BROKER_FUNCTION_SECRETS');
  expect(textOf(legacy, '#health-summary')).toContain('有 1 项需要处理');
  unloadAllPages();
  const scoped = await open(admin([], () => ok<'brokerCallers'>({ callers: [] })));
  expect(textOf(scoped, '#check-broker')).toContain('均已配置权限范围');
  expect(textOf(scoped, '#health-summary')).toContain('平台运行正常');
});

test('the callers card loads when asked: scope, totals and busiest APIs per key, never a secret', async () => {
  const fake = admin(['BROKER_SECRET'], () => ok<'brokerCallers'>({ callers: [MESSAGING, LEGACY] }));
  const page = await open(fake);
  expect(fake.requests.map((r) => r.action)).not.toContain('brokerCallers');
  await tap(vantInner(page, 'load-callers', '.van-button'), page);
  const messaging = textOf(page, '#caller-messaging');
  expect(messaging).toContain('HTTP 密钥');
  expect(messaging).toContain('操作：代调用接口；接口：/cgi-bin/message/；账号：1 个账号');
  expect(messaging).toContain('请求 12 次 · 微信报错 1 · 被拒绝 2');
  expect(messaging).toContain('/cgi-bin/message/custom/send');
  expect(messaging).toContain('2 次，拒绝 2');
  const legacy = textOf(page, '#caller-BROKER_SECRET');
  expect(legacy).toContain('未配置权限范围：只能列出账号');
  expect(legacy).toContain('需配置权限范围');
  expect(legacy).toContain('还没有调用');
});

test('no callers, and a failure with a retry', async () => {
  const fake = admin([], () => fail('INTERNAL', '服务出错了，请稍后重试'));
  const page = await open(fake);
  await tap(vantInner(page, 'load-callers', '.van-button'), page);
  expect(textOf(page, '#callers-error')).toContain('服务出错了');
  fake.answer({ brokerCallers: () => ok<'brokerCallers'>({ callers: [] }) });
  await tap(vantInner(page, 'retry-callers', '.van-button'), page);
  expect(exists(page, '#callers-empty')).toBe(true);
});
