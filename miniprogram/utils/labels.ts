import type { AuthorizerKind, AuthType } from '../../typings/api';

/** Chinese labels shared by every page (an account's status: shared/status.ts). */

export interface AuthTypeOption {
  value: AuthType;
  label: string;
  hint: string;
}

/**
 * What a merchant may choose to authorize (spec §6.2 auth_type), in plain words, one line each on
 * which accounts WeChat will list. 3 comes first and is preselected: it is WeChat's own default and
 * covers most merchants; 8 (带货助手) is not offered.
 */
export const AUTH_TYPE_OPTIONS: readonly AuthTypeOption[] = [
  { value: 3, label: '公众号或小程序', hint: '最常用：服务号、订阅号、小程序或小游戏' },
  { value: 1, label: '只授权公众号', hint: '只列出服务号和订阅号' },
  { value: 2, label: '只授权小程序', hint: '只列出小程序和小游戏' },
  { value: 5, label: '视频号', hint: '需先在视频号助手开通开放能力' },
  { value: 6, label: '公众号、小程序或视频号', hint: '三类账号都列出，由管理员在微信中选择' },
  { value: 4, label: '推客账号', hint: '为小程序带货推广的推客账号' },
];

/** The type preselected on the home and link pages. */
export const DEFAULT_AUTH_TYPE: AuthType = 3;

/** Where a merchant revokes, by account kind (only the merchant can, in WeChat). */
export const REVOKE_GUIDE: Record<AuthorizerKind, string> = {
  official_account: '登录微信公众平台（mp.weixin.qq.com）→ 设置与开发 → 第三方平台授权管理，找到本服务商后取消授权。',
  mini_program: '登录微信公众平台（mp.weixin.qq.com）→ 设置 → 第三方设置 → 授权管理，找到本服务商后取消授权。',
  mini_game: '登录微信公众平台（mp.weixin.qq.com）→ 设置 → 第三方设置 → 授权管理，找到本服务商后取消授权。',
  channels: '登录视频号助手（channels.weixin.qq.com）→ 直播管理 → 开放能力，找到本服务商后解除授权。',
  store: '登录微信小店后台 → 服务市场/第三方授权管理，找到本服务商后取消授权。',
  sales_assistant: '在带货助手的第三方授权管理中找到本服务商后取消授权。',
  supplier: '在供货商后台的第三方授权管理中找到本服务商后取消授权。',
  unknown: '请登录该账号的管理后台，在第三方授权管理中取消对本服务商的授权。',
};

/** 2026-11-23 20:15 */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
