/**
 * 代理调用 and 全网发布 in the console, in Chromium on the local stack, with data made the real
 * way: keys call through the broker's signed-HTTP way in (some refused), WeChat's release test is
 * rehearsed against the function. Each screen shows it, points each problem at its fix, carries
 * no inline script or style, and changes nothing on a GET.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { BrokerError, BrokerHttpClient } from '../../../clients/broker-client/src';
import { DEFAULT_ACCOUNTS, RELEASE_TEST_ACCOUNTS } from '../../../emulator/open-platform';
import { authorizeWithPush } from '../helpers/rules-stack';
import { rehearseOn } from '../helpers/release';
import { MERCHANT, signInByActions, startConsoleStack, type ConsoleStack } from './console-stack';

jest.setTimeout(180_000);

const MP = DEFAULT_ACCOUNTS.find((a) => a.kind === 'mini_program')!;
const OA = DEFAULT_ACCOUNTS.find((a) => a.kind === 'official_account')!;
const NOT_YET = 'gh_0123456789ab';
const secret = (id: string) => `${id}-secret-0123456789abcdef0123456789abcdef`;
const MESSAGING = { ops: ['call'], apis: ['/cgi-bin/message/'], appids: [MP.appid] };

let stack: ConsoleStack;
let desk: BrowserContext;
let page: Page;

const client = (id: string) =>
  new BrokerHttpClient({
    baseUrl: stack.flow.stack.publicBaseUrl,
    keyId: id,
    secret: secret(id),
    now: () => stack.flow.stack.clock.now(),
  });

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BrokerError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  stack = await startConsoleStack({
    functionEnv: {
      BROKER_CLIENT_KEYS: JSON.stringify([
        { id: 'messaging', secret: secret('messaging'), scope: MESSAGING },
        { id: 'legacy', secret: secret('legacy') },
        { id: 'tokens', secret: secret('tokens'), scope: { ops: ['token'], appids: [MP.appid] } },
        { id: 'retired', secret: secret('retired'), revoked: true, scope: MESSAGING },
      ]),
      RELEASE_TEST_LIST: `${OA.userName};${NOT_YET}`,
      PLATFORM_RELEASED: 'false',
    },
  });
  await authorizeWithPush(stack.flow.stack, MERCHANT, MP.appid);
  await authorizeWithPush(stack.flow.stack, MERCHANT, OA.appid);
  const send = {
    method: 'POST' as const,
    path: '/cgi-bin/message/custom/send',
    json: { touser: 'o1', msgtype: 'text', text: { content: 'hi' } },
  };
  await client('messaging').call(MP.appid, send);
  // Out of its scope: a token (operation), another API, another account.
  expect(await refusal(client('messaging').token(MP.appid))).toBe('SCOPE_DENIED');
  expect(await refusal(client('messaging').call(MP.appid, { method: 'GET', path: '/cgi-bin/account/getaccountbasicinfo' }))).toBe(
    'SCOPE_DENIED',
  );
  await client('legacy').listAuthorizers({ limit: 10 });
  expect(await refusal(client('legacy').call(MP.appid, send))).toBe('SCOPE_DENIED');
  expect(await refusal(client('retired').call(MP.appid, send))).toBe('KEY_REVOKED');
  desk = await stack.newDesk();
  page = await desk.newPage();
  await signInByActions(stack, page);
});

afterAll(async () => {
  await stack?.close();
});

async function noInlineCode(): Promise<void> {
  expect(await page.locator('[style], style, script:not([src])').count()).toBe(0);
  expect(await page.locator('[onclick], [onload], [onsubmit]').count()).toBe(0);
}

describe('代理调用', () => {
  test('the callers with their scopes and totals, never a secret', async () => {
    const response = await page.goto(`${stack.root}/proxy`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.locator('#nav-proxy').getAttribute('aria-current')).toBe('page');
    await noInlineCode();
    const callers = page.locator('#proxy-callers tbody tr');
    expect(await callers.count()).toBe(4);
    const messaging = await page.locator('#caller-http-messaging').innerText();
    expect(messaging).toContain('使用中');
    expect(messaging).toContain('代调用接口');
    expect(messaging).toContain('/cgi-bin/message/');
    expect(messaging).toContain(MP.appid);
    // Requests 3 (one sent, two refused), 0 WeChat errors, 2 refused.
    expect(messaging).toMatch(/\t3\t0\t2\t/);
    expect(await page.locator('#caller-http-legacy').innerText()).toContain('需写权限范围');
    expect(await page.locator('#caller-http-retired').innerText()).toContain('已停用');
    const html = await page.content();
    for (const id of ['messaging', 'legacy', 'retired']) expect(html).not.toContain(secret(id));
  });

  test('usage per key and per API', async () => {
    const usage = await page.locator('#usage-http-messaging').innerText();
    expect(usage).toContain('/cgi-bin/message/custom/send');
    expect(usage).toContain('成功');
    expect(usage).toContain('取令牌 token');
    const apis = await page.locator('#proxy-apis').innerText();
    expect(apis).toContain('/cgi-bin/message/custom/send');
    expect(apis).toContain('列出账号 listAuthorizers');
  });

  test('each problem says which scope is missing and where to add it', async () => {
    const attention = page.locator('#proxy-attention');
    const problems = page.locator('#proxy-problems li');
    // The legacy key's missing scope, three rows still refused, the retired key still in use.
    expect(await attention.getAttribute('data-count')).toBe(String(await problems.count()));
    expect(await problems.count()).toBe(5);
    const token = await page.locator('#problem-refused-http-messaging-token').innerText();
    expect(token).toContain('超出权限范围');
    expect(token).toContain('ops 加上 token');
    // The path it asked for, kept with the refusal: the fix names it.
    const call = await page.locator('#problem-refused-http-messaging-call').innerText();
    expect(call).toContain('apis 加上 /cgi-bin/account/getaccountbasicinfo');
    expect(await page.locator('#problem-legacy-http-legacy').innerText()).toContain('BROKER_CLIENT_KEYS');
    expect(await page.locator('#problem-refused-http-legacy-call').innerText()).toContain('ops 加上 call');
    const retired = await page.locator('#problem-refused-http-retired-auth').innerText();
    expect(retired).toContain('已停用');
    expect(retired).toContain('仍有服务在用');
    expect(retired).toContain('换成新的密钥');
    const refusals = await page.locator('#proxy-refusals').innerText();
    expect(refusals).toContain('messaging');
    expect(refusals).toContain('legacy');
    expect(refusals).toContain('拒绝：超出权限范围（SCOPE_DENIED）');
    expect(refusals).toContain('拒绝：密钥已停用（KEY_REVOKED）');
  });

  test('a refusal names the account it asked for; once its requests succeed, the problem clears', async () => {
    expect(await refusal(client('tokens').token(OA.appid))).toBe('SCOPE_DENIED');
    await page.goto(`${stack.root}/proxy`);
    expect(await page.locator('#proxy-attention').getAttribute('data-count')).toBe('6');
    expect(await page.locator('#problem-refused-http-tokens-token').innerText()).toContain(`appids 加上 ${OA.appid}`);
    // Its caller stops asking for the other account; its own token request succeeds.
    await client('tokens').token(MP.appid);
    await page.goto(`${stack.root}/proxy`);
    await noInlineCode();
    expect(await page.locator('#proxy-attention').getAttribute('data-count')).toBe('5');
    expect(await page.locator('#problem-refused-http-tokens-token').count()).toBe(0);
    const recovered = page.locator('#proxy-refusals tr', { hasText: 'tokens' });
    expect(await recovered.innerText()).toContain('已恢复，无需处理');
    expect(await page.content()).not.toMatch(/access_token|authorizer_access_token/);
  });

  test('a replayed request of a retired key is refused as a replay and not counted again', async () => {
    const row = async () => (await stack.flow.doc('brokerCallerUsage', 'http:retired:auth'))?.refused ?? 0;
    const before = await row();
    // The same signed bytes twice, as someone who captured one request would send them.
    const twice: typeof fetch = async (url, init) => {
      await fetch(url, init);
      return fetch(url, init);
    };
    const replaying = new BrokerHttpClient({
      baseUrl: stack.flow.stack.publicBaseUrl,
      keyId: 'retired',
      secret: secret('retired'),
      now: () => stack.flow.stack.clock.now(),
      fetch: twice,
    });
    expect(await refusal(replaying.listAuthorizers({ limit: 1 }))).toBe('REPLAYED');
    expect(await row()).toBe(before + 1);
  });

  test('no session: to the sign-in page', async () => {
    const anonymous = await fetch(`${stack.root}/proxy`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`${new URL(stack.root).pathname}/login`);
  });
});

describe('全网发布', () => {
  test('before a test: not released, what stands in the way, the test list', async () => {
    const response = await page.goto(`${stack.root}/release`);
    expect(response!.status()).toBe(200);
    await noInlineCode();
    expect(await page.locator('#nav-release').getAttribute('aria-current')).toBe('page');
    expect(await page.locator('#release-switch').getAttribute('data-released')).toBe('false');
    expect(await page.locator('#release-switch').innerText()).toContain('PLATFORM_RELEASED');
    expect(await page.locator('#release-attention').getAttribute('data-count')).toBe('1');
    expect(await page.locator('#blocker-test-list-unauthorized').innerText()).toContain(NOT_YET);
    const list = page.locator('#release-test-list tbody tr');
    expect(await list.count()).toBe(2);
    expect(await list.nth(0).getAttribute('data-authorized')).toBe('true');
    expect(await list.nth(0).innerText()).toContain(OA.appid);
    expect(await list.nth(1).innerText()).toContain('尚未授权');
    expect(await page.locator('#release-last-test').getAttribute('data-ran')).toBe('false');
    expect(await page.locator('#release-cases').innerText()).toContain('权限集 1');
  });

  test('after a rehearsal of WeChat’s test: its accounts, replies and messages', async () => {
    const report = await rehearseOn(stack.flow, { groups: [4], selectedFuncIds: [1] });
    expect(report.ok).toBe(true);
    await page.goto(`${stack.root}/release`);
    await noInlineCode();
    const oa = RELEASE_TEST_ACCOUNTS.find((a) => a.group === 4 && a.kind === 'official_account')!;
    expect(await page.locator('#release-last-test').getAttribute('data-ran')).toBe('true');
    expect(await page.locator('#release-last-test').innerText()).toContain('1 条回复全部成功');
    const accounts = await page.locator('#release-accounts').innerText();
    expect(accounts).toContain(oa.appid);
    expect(accounts).toContain('第 4 组');
    expect(accounts).toContain('取消授权');
    expect(await page.locator('#release-messages').innerText()).toMatch(/文本消息\t2/);
  });
});

test('neither screen changed anything: the audit log holds only the sign-in', async () => {
  const actions = (await stack.flow.docs('consoleAudit')).map((entry) => entry.action);
  expect(actions).toEqual(['consoleSignInConfirm']);
});
