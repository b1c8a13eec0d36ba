/** Avatars must load under `img-src https:` and in the mini-program's <image> on a phone. */
import { secureImageUrl } from '../../../cloudfunctions/authorization/src/authorizers/avatar';

test.each([
  ['http://wx.qlogo.cn/mmopen/abc/0', 'https://wx.qlogo.cn/mmopen/abc/0'],
  ['http://thirdwx.qlogo.cn/mmopen/abc/132', 'https://thirdwx.qlogo.cn/mmopen/abc/132'],
  ['http://mmbiz.qpic.cn/mmbiz_png/x/0?wx_fmt=png', 'https://mmbiz.qpic.cn/mmbiz_png/x/0?wx_fmt=png'],
  ['https://wx.qlogo.cn/mmopen/abc/0', 'https://wx.qlogo.cn/mmopen/abc/0'],
  ['https://example.test/a.png', 'https://example.test/a.png'],
])('%s is shown as %s', (raw, shown) => {
  expect(secureImageUrl(raw)).toBe(shown);
});

test.each([
  ['', 'no avatar'],
  ['http://example.test/a.png', 'plain HTTP elsewhere: would be blocked'],
  ['http://qlogo.cn.evil.test/a.png', 'a look-alike host'],
  ['javascript:alert(1)', 'not a picture'],
  ['data:image/png;base64,AAAA', 'not from WeChat'],
  ['wx.qlogo.cn/mmopen/abc/0', 'not a URL'],
])('%j is dropped (%s)', (raw) => {
  expect(secureImageUrl(raw)).toBe('');
});
