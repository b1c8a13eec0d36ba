/**
 * What the merchant sees on the callback page that our status model decides: the account's avatar
 * over HTTPS (WeChat gives http://wx.qlogo.cn, the page allows only https images), the unchanged
 * outcome in its neutral-positive blue, and 「返回小程序」 when MINIPROGRAM_LINK is set.
 */
import { DEFAULT_ACCOUNTS } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';

jest.setTimeout(30_000);

const LINK = 'weixin://dl/business/?appid=wx1234567890abcdef&path=pages/accounts/index';
const shop = DEFAULT_ACCOUNTS.find((a) => a.nickName === '青禾鲜花预订')!;
const merchant = 'o-callback-page-merchant';

let flow: FlowStack;

beforeAll(async () => {
  flow = await startFlowStack({ functionEnv: { MINIPROGRAM_LINK: LINK } });
});

afterAll(async () => {
  await flow?.close();
});

/** An H5 authorization of the shop with these sets, ending on our callback page. */
async function authorizeByLink(funcIds: number[]) {
  flow.stack.clock.advance(5);
  const created = await flow.ok(merchant, 'createAuthSession', { authType: 2, channel: 'h5' });
  const { redirectUrl } = await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: new URL(created.h5Url!).searchParams.get('pre_auth_code')!,
    authorizerAppid: shop.appid,
    channel: 'h5',
    funcIds,
    redirectUri: `${flow.stack.publicBaseUrl}/callback?sid=${created.sessionId}`,
  });
  return flow.page(redirectUrl!);
}

test('authorized: the avatar over HTTPS, allowed by the page policy, and the way back to the mini-program', async () => {
  expect(shop.headImg.startsWith('http://wx.qlogo.cn/')).toBe(true);
  const page = await authorizeByLink([17, 18]);
  expect(page.html).toContain('<h1>授权成功</h1>');
  expect(page.html).toContain(`<img src="${shop.headImg.replace(/^http:/, 'https:')}"`);
  expect(page.html).not.toContain('src="http://');
  expect(page.headers.get('content-security-policy')).toContain('img-src https: data:');
  expect(page.html).toContain(
    `<a id="back-to-miniprogram" class="button button--plain" href="${LINK.replace(/&/g, '&amp;')}">返回小程序</a>`,
  );
});

test('the same sets again: 授权未变更 in the neutral-positive tone, the same words as the mini-program', async () => {
  const page = await authorizeByLink([17, 18]);
  expect(page.html).toContain('<h1>授权未变更</h1>');
  expect(page.html).toContain('<main class="unchanged">');
  expect(page.html).toContain('这个账号已授权给服务商，本次的权限与之前相同，原有授权继续有效。');
  expect(page.html).toContain('id="back-to-miniprogram"');
});
