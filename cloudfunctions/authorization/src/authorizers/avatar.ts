/**
 * WeChat gives avatars as `http://wx.qlogo.cn/…` (and QR codes on mmbiz.qpic.cn); the same hosts
 * answer over HTTPS, and both the mini-program's <image> on a phone and our pages' CSP
 * (`img-src https: data:`) load only HTTPS. Any other plain-HTTP picture would show broken, so it
 * is dropped and the pages draw the name's first character instead.
 */
const WECHAT_IMAGE_HOST = /^(?:[a-z0-9-]+\.)*(?:qlogo\.cn|qpic\.cn)$/i;

export function secureImageUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return '';
  }
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && WECHAT_IMAGE_HOST.test(url.hostname)) {
    url.protocol = 'https:';
    return url.href;
  }
  return '';
}
