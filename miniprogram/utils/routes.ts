// Where each page lives and what it is called; no wx here, so tests import it as it is.
import type { AuthorizerKind, AuthType } from '../../typings/api';

export const ROUTES = {
  authorize: '/pages/authorize/index',
  accounts: '/pages/accounts/index',
  accountDetail: '/pages/account-detail/index',
  link: '/pages/link/index',
  admin: '/pages/admin/index',
  consoleSignIn: '/pages/console-signin/index',
} as const;

/** Each page's one name: its title bar and every entry that leads to it say the same. */
export const PAGE_NAME = {
  authorize: '账号授权',
  accounts: '我的账号',
  accountDetail: '账号详情',
  link: '在其他设备上授权',
  admin: '平台管理',
  consoleSignIn: '登录电脑版控制台',
} as const;

/** What the merchant reads when a page cannot be opened at all. */
export const OPEN_FAILED = '页面打开失败，请重试';

/** `admin`: opened from the admin page, which adds usage and a test call (the backend checks the caller). */
export function accountDetailUrl(appid: string, options: { admin?: boolean } = {}): string {
  return `${ROUTES.accountDetail}?appid=${encodeURIComponent(appid)}${options.admin ? '&admin=1' : ''}`;
}

/** auth_type for re-authorizing one account (biz_appid wins anyway, this keeps WeChat's list right). */
export function authTypeForKind(kind: AuthorizerKind): AuthType {
  switch (kind) {
    case 'official_account':
      return 1;
    case 'mini_program':
    case 'mini_game':
    case 'store':
      return 2;
    case 'channels':
      return 5;
    default:
      return 6;
  }
}

/** The authorize page set up for one account: the list's and the detail page's 重新授权. */
export function reauthorizeUrl(account: { appid: string; kind: AuthorizerKind }): string {
  return `${ROUTES.authorize}?bizAppid=${encodeURIComponent(account.appid)}&authType=${authTypeForKind(account.kind)}`;
}
