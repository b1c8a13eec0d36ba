import type { AuthorizerKind, AuthorizerStatus, AuthType } from '../../typings/api';

/** Chinese labels shared by every page. */

export const STATUS_LABEL: Record<AuthorizerStatus, string> = {
  active: '正常',
  needs_reauth: '需要重新授权',
  revoked: '已取消授权',
};

/** Vant tag types for each status: green, orange, grey. */
export const STATUS_TAG: Record<AuthorizerStatus, 'success' | 'warning' | 'default'> = {
  active: 'success',
  needs_reauth: 'warning',
  revoked: 'default',
};

export interface AuthTypeOption {
  value: AuthType;
  label: string;
  hint: string;
}

/** What a merchant may choose to authorize (spec §6.2 auth_type). */
export const AUTH_TYPE_OPTIONS: readonly AuthTypeOption[] = [
  { value: 1, label: '公众号', hint: '服务号或订阅号' },
  { value: 2, label: '小程序', hint: '小程序或小游戏' },
  { value: 3, label: '公众号和小程序', hint: '在两类账号中选择' },
  { value: 5, label: '视频号', hint: '需先在视频号助手开通开放能力' },
  { value: 4, label: '小程序推客', hint: '小程序推客账号' },
  { value: 6, label: '全部', hint: '公众号、小程序和视频号' },
];

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
