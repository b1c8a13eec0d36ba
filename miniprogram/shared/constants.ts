// What the mini-program and the cloud function must agree on, in one home. The function's bundle
// imports this file too (esbuild follows the path; the mini-program cannot import from outside
// its root), so it holds plain values only: no wx, no Node.
import type { AuthorizerKind } from '../../typings/api';

/** How every page, the function's HTML pages included, names an account kind. */
export const KIND_LABEL: Readonly<Record<AuthorizerKind, string>> = {
  official_account: '公众号',
  mini_program: '小程序',
  mini_game: '小游戏',
  channels: '视频号',
  store: '微信小店',
  sales_assistant: '带货助手',
  supplier: '供货商',
  unknown: '其他账号',
};

/** WeChat's AppID shape: "wx" then 16 letters or digits. */
export const APPID_PATTERN = /^wx[0-9a-zA-Z]{16}$/;

export function isAppid(value: unknown): value is string {
  return typeof value === 'string' && APPID_PATTERN.test(value);
}

/** The authorization plugin's first version with openAuthorizeAccount (older ones throw or do nothing). */
export const MIN_PLUGIN_VERSION = '0.3.10';
