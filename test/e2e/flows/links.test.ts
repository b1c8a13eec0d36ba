/**
 * What a session puts into its links: biz_appid, category_id_list (`1|15`), the provider's
 * permission bundles (PERMISSION_BUNDLES), and the pre_auth_code's own expiry.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import type { PermissionBundle } from '../../../typings/api';
import { entryTarget, startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const merchant = 'o-links-merchant';
const mp = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾鲜花预订')!;
const oa = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾生活服务中心')!;
const BUNDLES: PermissionBundle[] = [
  { id: 'content', name: '内容运营', categoryIds: [1, 11, 15] },
  { id: 'miniapp-dev', name: '小程序代开发', categoryIds: [17, 18, 30] },
];
const PRE_AUTH_CODE_TTL_SECONDS = 900;

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack({
    functionEnv: { PERMISSION_BUNDLES: JSON.stringify(BUNDLES) },
    openPlatform: { preAuthCodeTtlSeconds: PRE_AUTH_CODE_TTL_SECONDS },
  });
});

afterAll(async () => {
  await flow?.close();
});

/** The raw query string, where `|` must still be a literal bar. */
const rawQuery = (url: string) => url.slice(url.indexOf('?') + 1).replace(/#.*$/, '');

describe('link parameters', () => {
  test('PC link: biz_appid and category_id_list=1|15 reach WeChat, which lists only that account and those sets', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', {
      authType: 1,
      channel: 'pc',
      bizAppid: oa.appid,
      categoryIds: [1, 15],
    });
    const target = entryTarget((await flow.page(created.pcEntryUrl!)).html);
    const query = rawQuery(target);
    expect(query.split('&')).toEqual(expect.arrayContaining(['auth_type=1', `biz_appid=${oa.appid}`, 'category_id_list=1|15']));
    const link = new URL(target);
    expect(link.pathname).toBe('/cgi-bin/componentloginpage');
    expect(link.searchParams.get('component_appid')).toBe(flow.stack.openPlatform.component.appId);
    expect(link.searchParams.get('redirect_uri')).toBe(`${flow.stack.publicBaseUrl}/callback?sid=${created.sessionId}`);
    expect(await flow.doc('authSessions', created.sessionId)).toMatchObject({
      bizAppid: oa.appid,
      categoryIds: [1, 15],
      authType: 1,
      channel: 'pc',
    });

    // Arriving from the entry page (the Referer a browser sends under our referrer-policy: origin).
    const wechat = await fetch(target, { headers: { referer: `${new URL(flow.stack.publicBaseUrl).origin}/` } });
    const html = await wechat.text();
    expect(html).toContain('id="authorize-form"');
    expect([...html.matchAll(/name="authorizer_appid" value="([^"]+)"/g)].map((m) => m[1])).toEqual([oa.appid]);
    expect([...html.matchAll(/name="func_id" value="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([1, 15]);
  });

  test('biz_appid wins over auth_type: a mini-program with auth_type 1', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'h5', bizAppid: mp.appid });
    const html = await (await fetch(created.h5Url!)).text();
    expect([...html.matchAll(/name="authorizer_appid" value="([^"]+)"/g)].map((m) => m[1])).toEqual([mp.appid]);
  });

  test('H5 link: biz_appid and category ids, #wechat_redirect last', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', {
      authType: 2,
      channel: 'h5',
      bizAppid: mp.appid,
      categoryIds: [18, 30],
    });
    expect(created.h5Url!.endsWith('|30#wechat_redirect')).toBe(true);
    expect(rawQuery(created.h5Url!).split('&')).toEqual(
      expect.arrayContaining([`biz_appid=${mp.appid}`, 'category_id_list=18|30', 'auth_type=2']),
    );
  });

  test('plugin: bizAppid reaches the plugin parameters', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', {
      authType: 2,
      channel: 'plugin',
      bizAppid: mp.appid,
      categoryIds: [17],
    });
    expect(created.plugin).toEqual({
      platformAppID: flow.stack.openPlatform.component.appId,
      preAuthCode: expect.any(String),
      authType: 2,
      bizAppid: mp.appid,
    });
  });
});

describe('permission bundles (PERMISSION_BUNDLES)', () => {
  test('getAppConfig offers them', async () => {
    expect((await flow.ok(merchant, 'getAppConfig', {})).bundles).toEqual(BUNDLES);
  });

  test('bundleId resolves to its sets in the link and the session', async () => {
    const created = await flow.ok(merchant, 'createAuthSession', { authType: 1, channel: 'h5', bundleId: 'content' });
    expect(rawQuery(created.h5Url!).split('&')).toContain('category_id_list=1|11|15');
    expect((await flow.doc('authSessions', created.sessionId))!.categoryIds).toEqual([1, 11, 15]);

    const pc = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'pc', bundleId: 'miniapp-dev' });
    expect(rawQuery(entryTarget((await flow.page(pc.pcEntryUrl!)).html)).split('&')).toContain('category_id_list=17|18|30');
  });

  test('an unknown bundle or a bundle with explicit sets is refused before WeChat is asked', async () => {
    flow.stack.openPlatform.resetCalls();
    const sessions = (await flow.docs('authSessions')).length;
    expect(await flow.call(merchant, 'createAuthSession', { authType: 1, channel: 'h5', bundleId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(
      await flow.call(merchant, 'createAuthSession', { authType: 1, channel: 'h5', bundleId: 'content', categoryIds: [1] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await flow.docs('authSessions')).toHaveLength(sessions);
    expect(flow.stack.openPlatform.calls.filter((c) => c.api === 'api_create_preauthcode')).toEqual([]);
  });
});

describe('session expiry', () => {
  // Moves the shared clock: keep it last.
  test('the session expires with its pre_auth_code: usable just before expiresAt, refused just after', async () => {
    const before = flow.stack.clock.now();
    const first = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'plugin' });
    const second = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'plugin' });
    const after = flow.stack.clock.now();
    expect(first.expiresAt).toBeGreaterThanOrEqual(before + PRE_AUTH_CODE_TTL_SECONDS * 1000);
    expect(first.expiresAt).toBeLessThanOrEqual(after + PRE_AUTH_CODE_TTL_SECONDS * 1000);
    expect((await flow.doc('authSessions', first.sessionId))!.expiresAt).toBe(first.expiresAt);
    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: first.sessionId })).expiresAt).toBe(first.expiresAt);

    flow.stack.clock.advance((first.expiresAt - flow.stack.clock.now() - 1500) / 1000);
    const inTime = await flow.stack.openPlatform.confirmAuthorization({
      preAuthCode: first.plugin!.preAuthCode,
      authorizerAppid: mp.appid,
      channel: 'plugin',
    });
    expect(inTime.push?.delivered).toBe(true);
    expect((await flow.ok(merchant, 'getAuthSession', { sessionId: first.sessionId })).status).toBe('authorized');

    flow.stack.clock.advance((second.expiresAt - flow.stack.clock.now() + 1) / 1000);
    await expect(
      flow.stack.openPlatform.confirmAuthorization({
        preAuthCode: second.plugin!.preAuthCode,
        authorizerAppid: mp.appid,
        channel: 'plugin',
      }),
    ).rejects.toMatchObject({ code: 'pre_auth_code_expired' });
  });
});
