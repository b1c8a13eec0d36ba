// Every page moves through here, so a navigation that fails ends the same way everywhere.
// WeChat's calls fail quietly otherwise: a stack ten pages deep refuses navigateTo, a page opened
// from a share or a QR code has nothing to go back to.
import { OPEN_FAILED } from './routes';

/** Opens a page over this one; if WeChat refuses, the page replaces this one; if that fails too, says so. */
export function openPage(url: string): void {
  wx.navigateTo({ url, fail: () => replacePage(url) });
}

/** Back one page; with nothing below (opened directly), shows `fallbackUrl` in its place. */
export function goBack(fallbackUrl: string): void {
  wx.navigateBack({ fail: () => replacePage(fallbackUrl) });
}

function replacePage(url: string): void {
  wx.redirectTo({ url, fail: () => void wx.showToast({ title: OPEN_FAILED, icon: 'none' }) });
}
