// Where each page lives; no wx here, so tests import it as it is.

export const ROUTES = {
  authorize: '/pages/authorize/index',
  accounts: '/pages/accounts/index',
  accountDetail: '/pages/account-detail/index',
  link: '/pages/link/index',
  admin: '/pages/admin/index',
} as const;

/** What the merchant reads when a page cannot be opened at all. */
export const OPEN_FAILED = '页面打开失败，请重试';

/** `admin`: opened from the admin page, which adds usage and a test call (the backend checks the caller). */
export function accountDetailUrl(appid: string, options: { admin?: boolean } = {}): string {
  return `${ROUTES.accountDetail}?appid=${encodeURIComponent(appid)}${options.admin ? '&admin=1' : ''}`;
}
