// The admin's side of the console's sign-in by scanning: scan (wx.scanCode), see which browser is
// asking, confirm or turn it away; a QR that is not the console's, an expired one, a non-admin.
// Only WeChat's transport (wx.cloud) and camera (wx.scanCode) are faked.
import type { ConsoleSignInPreview } from '../../typings/api';
import { ticketIn } from '../../miniprogram/pages/console-signin/ticket';
import { exists, fail, fakeCloud, ok, textOf, vantInner, type Handlers } from './accounts-fixtures';
import { loadPage, tap, unloadAllPages, type LoadedPage } from './harness';

const PAGE = 'pages/console-signin/index';
const TICKET = '0123456789abcdef0123456789abcdef';
const QR = `https://env.example.test/wx/console/scan?t=${TICKET}`;
const PREVIEW: ConsoleSignInPreview = {
  browser: 'Chrome 143 · Windows',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/143.0.0.0',
  ip: '203.0.113.7',
  requestedAt: new Date(2026, 11, 4, 11, 20).getTime(),
  expiresAt: new Date(2026, 11, 4, 11, 22).getTime(),
};

afterEach(unloadAllPages);

async function scanned(text: string, handlers: Handlers): Promise<{ page: LoadedPage; cloud: ReturnType<typeof fakeCloud> }> {
  const cloud = fakeCloud(handlers);
  const scanCode = (options: { success?: (r: { result: string }) => void }) =>
    setTimeout(() => options.success?.({ result: text }), 0);
  const page = await loadPage(PAGE, { wxShims: { cloud: cloud.cloud, scanCode } });
  await tap(vantInner(page, 'scan', '.van-button'), page);
  await page.flush();
  return { page, cloud };
}

test('the QR text: the console scan address with a 32-hex ticket, nothing else', () => {
  expect(ticketIn(QR)).toBe(TICKET);
  expect(ticketIn(`http://127.0.0.1:8091/wx/console/scan?x=1&t=${TICKET}`)).toBe(TICKET);
  expect(ticketIn(`https://evil.test/?t=${TICKET}`)).toBeNull();
  expect(ticketIn(`${QR}0`)).toBeNull();
  expect(ticketIn('随便一段文字')).toBeNull();
});

test('scan → what is signing in (browser, address, time) → confirm → done', async () => {
  const { page, cloud } = await scanned(QR, {
    consoleSignInPreview: () => ok<'consoleSignInPreview'>(PREVIEW),
    consoleSignInConfirm: () => ok<'consoleSignInConfirm'>({ approved: true }),
  });
  expect(page.callsTo('scanCode')[0][0]).toMatchObject({ onlyFromCamera: true });
  expect(cloud.payloadsOf('consoleSignInPreview')).toEqual([{ ticket: TICKET }]);
  expect(textOf(page, '#preview-browser')).toBe('Chrome 143 · Windows');
  expect(textOf(page, '#preview-ip')).toBe('203.0.113.7');
  expect(textOf(page, '#preview-time')).toBe('2026-12-04 11:20');
  await tap(vantInner(page, 'approve', '.van-button'), page);
  await page.flush();
  expect(cloud.payloadsOf('consoleSignInConfirm')).toEqual([{ ticket: TICKET, approve: true }]);
  expect(textOf(page, '#approved')).toContain('已确认');
});

test('deny: the backend is told no, the page says the sign-in will not happen', async () => {
  const { page, cloud } = await scanned(QR, {
    consoleSignInPreview: () => ok<'consoleSignInPreview'>(PREVIEW),
    consoleSignInConfirm: () => ok<'consoleSignInConfirm'>({ approved: false }),
  });
  await tap(vantInner(page, 'deny', '.van-button'), page);
  await page.flush();
  expect(cloud.payloadsOf('consoleSignInConfirm')).toEqual([{ ticket: TICKET, approve: false }]);
  expect(textOf(page, '#denied')).toContain('已拒绝');
});

test('another QR code: said plainly, nothing sent', async () => {
  const { page, cloud } = await scanned('https://shop.example.test/item/1', {});
  expect(cloud.requests).toEqual([]);
  expect(textOf(page, '#error-text')).toBe('这不是电脑版控制台的登录二维码，请扫描电脑登录页上的二维码');
  expect(exists(page, '#scan')).toBe(true);
});

test.each([
  ['expired', fail('NOT_FOUND', '二维码已过期：请在电脑上刷新登录页，再重新扫码')],
  ['not an admin', fail('FORBIDDEN', '没有权限执行此操作')],
  ['already confirmed', fail('CONFLICT', '这个登录请求已经确认过了，不能再次确认')],
])('%s: the backend’s words, and scanning again is offered', async (_case, answer) => {
  const { page } = await scanned(QR, { consoleSignInPreview: () => answer });
  expect(textOf(page, '#error-text')).toBe(answer.error.message);
  expect(exists(page, '#preview')).toBe(false);
  expect(exists(page, '#scan')).toBe(true);
});
