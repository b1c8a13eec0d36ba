/**
 * The H5 link driven as the WeChat in-app browser would: GET WeChat's H5 page, POST its confirm
 * form with the chosen account and sets, follow the 302 to our callback page.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import { collectSecrets, findLeaks } from '../helpers/flows-secrets';
import { pushesSettled, startFlowStack, unescapeHtml, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const channelsAccount = DEFAULT_ACCOUNTS.find((a) => a.kind === 'channels')!;

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack();
});

afterAll(async () => {
  await flow?.close();
});

/** The hidden fields of WeChat's authorization form, as a browser would submit them. */
function hiddenFields(html: string): [string, string][] {
  return [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
    unescapeHtml(m[1]),
    unescapeHtml(m[2]),
  ]);
}

function formAction(html: string): string {
  const match = /<form id="authorize-form" method="post" action="([^"]+)"/.exec(html);
  if (!match) throw new Error('no authorization form on the page');
  return unescapeHtml(match[1]);
}

describe('H5 flow', () => {
  const merchant = 'o-h5-merchant';

  test('h5Url → WeChat H5 page → confirm form → 302 to our callback → authorized', async () => {
    const { stack } = flow;
    stack.openPlatform.resetCalls();
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 5, channel: 'h5' });
    const h5Url = created.h5Url!;
    expect(created.pcEntryUrl).toBeUndefined();
    expect(h5Url.endsWith('#wechat_redirect')).toBe(true);
    expect(h5Url.indexOf('#')).toBe(h5Url.length - '#wechat_redirect'.length);

    const link = new URL(h5Url);
    expect(`${link.origin}${link.pathname}`).toBe(`${stack.openPlatform.url}/wxaopen/safe/bindcomponent`);
    expect(link.searchParams.get('action')).toBe('bindcomponent');
    expect(link.searchParams.get('no_scan')).toBe('1');
    expect(link.searchParams.get('component_appid')).toBe(stack.openPlatform.component.appId);
    expect(link.searchParams.get('auth_type')).toBe('5');
    expect(link.searchParams.get('pre_auth_code')).toMatch(/^preauthcode@@@/);
    const redirectUri = `${stack.publicBaseUrl}/callback?sid=${created.sessionId}`;
    expect(link.searchParams.get('redirect_uri')).toBe(redirectUri);
    // redirect_uri travels URL-encoded (spec §6.4): its own `?` and `=` must not split the link.
    expect(h5Url).toContain(`redirect_uri=${encodeURIComponent(redirectUri)}`);

    const wechatPage = await fetch(h5Url);
    expect(wechatPage.status).toBe(200);
    const html = await wechatPage.text();
    expect(html).toContain('data-channel="h5"');
    expect(html).toContain(`id="account-${channelsAccount.appid}"`);

    // A browser submits the hidden fields, the checked radio and the checked boxes of the enabled fieldset.
    const granted = [143, 177];
    const form = new URLSearchParams([
      ...hiddenFields(html),
      ['authorizer_appid', channelsAccount.appid],
      ...granted.map((id): [string, string] => ['func_id', String(id)]),
    ]);
    const confirm = await fetch(new URL(formAction(html), stack.openPlatform.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(confirm.status).toBe(302);
    const location = new URL(confirm.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${stack.publicBaseUrl}/callback`);
    expect(location.searchParams.get('sid')).toBe(created.sessionId);
    expect(location.searchParams.get('auth_code')).toMatch(/^queryauthcode@@@/);
    expect(location.searchParams.get('expires_in')).toBe('3600');

    // WeChat redirects and pushes at about the same moment: a page that answered before the push
    // says it is waiting (and refreshes itself); once the push is in, it shows the result.
    await pushesSettled(stack);
    const callback = await flow.page(location.href);
    expect(callback.status).toBe(200);
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(callback.html).toContain('<h1>授权成功</h1>');
    expect(callback.html).toContain(`<strong>${channelsAccount.nickName}</strong>`);
    expect(callback.html).toContain('视频号');
    expect(callback.html).toContain('已授权 2 个权限集');
    expect(callback.html).toContain('<ul class="sets"><li>视频号留资组件管理</li><li>视频号商品橱窗管理</li></ul>');

    await pushesSettled(stack);
    const view = await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId });
    expect(view).toMatchObject({
      status: 'authorized',
      channel: 'h5',
      authorizer: {
        appid: channelsAccount.appid,
        kind: 'channels',
        name: channelsAccount.nickName,
        grantedSets: [
          { id: 143, name: '视频号留资组件管理' },
          { id: 177, name: '视频号商品橱窗管理' },
        ],
      },
    });
    expect(await flow.doc('authorizers', channelsAccount.appid)).toMatchObject({
      owners: [merchant],
      kind: 'channels',
      grantedSets: granted,
    });
    expect(await flow.doc('authSessions', created.sessionId)).toMatchObject({
      status: 'authorized',
      channel: 'h5',
      authorizerAppid: channelsAccount.appid,
    });
    // Callback and push carried the same code: one exchange.
    expect(stack.openPlatform.calls.filter((c) => c.api === 'api_query_auth')).toHaveLength(1);
    expect(stack.openPlatform.pushes.filter((p) => p.infoType === 'authorized')).toEqual([
      expect.objectContaining({ delivered: true }),
    ]);

    // Reloading the callback (the same code again) shows the same result without another exchange.
    const reload = await flow.page(location.href);
    expect(reload.html).toContain('<h1>授权成功</h1>');
    expect(stack.openPlatform.calls.filter((c) => c.api === 'api_query_auth')).toHaveLength(1);

    expect(findLeaks(flow.seen, await collectSecrets(flow))).toEqual([]);
  });

  test('a callback without auth_code (the admin cancelled) says so and changes nothing', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'h5' });
    const page = await flow.page(`${flow.stack.publicBaseUrl}/callback?sid=${created.sessionId}`);
    expect(page.status).toBe(400);
    expect(page.html).toContain('授权未完成');
    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: created.sessionId })).status).toBe('pending');
  });
});
