// Where an account stands and how an authorization ended, in merchants' words: derived here once
// and shown the same by every mini-program page, the admin page and the function's web pages
// (the function's bundle imports this file, as it does constants.ts). Plain values only.
import type { AuthorizerStatus } from '../../typings/api';

/** One colour per meaning, as Vant names them (van-tag `type`) and as CSS paints them. */
export type Tone = 'success' | 'primary' | 'warning' | 'danger' | 'default';

export const TONE_COLOR: Readonly<Record<Tone, string>> = {
  success: '#07c160',
  primary: '#1989fa',
  warning: '#ff976a',
  danger: '#ee0a24',
  default: '#969799',
};

/**
 * What a merchant needs to know about an account: it works, it works but lacks sets the provider
 * needs, WeChat no longer accepts its tokens, or its admin revoked it.
 */
export type AccountState = 'ok' | 'needs_permissions' | 'needs_reauth' | 'revoked';

export interface AccountStateLook {
  label: string;
  tone: Tone;
  /** The re-authorization button's words, or '' when nothing is to be done. */
  action: string;
}

export const ACCOUNT_STATE: Readonly<Record<AccountState, AccountStateLook>> = {
  ok: { label: '正常', tone: 'success', action: '' },
  needs_permissions: { label: '需补充权限', tone: 'warning', action: '补充权限' },
  needs_reauth: { label: '需重新授权', tone: 'danger', action: '重新授权' },
  revoked: { label: '已取消', tone: 'default', action: '重新授权' },
};

/** The order pages list and count states in. */
export const ACCOUNT_STATES: readonly AccountState[] = ['ok', 'needs_permissions', 'needs_reauth', 'revoked'];

/** The one derivation: the stored status first (a revoked account lacks everything), then missing sets. */
export function accountState(account: { status: AuthorizerStatus; missingSets: readonly unknown[] }): AccountState {
  if (account.status === 'revoked') return 'revoked';
  if (account.status === 'needs_reauth') return 'needs_reauth';
  return account.missingSets.length > 0 ? 'needs_permissions' : 'ok';
}

/**
 * How one authorization attempt ended, as the mini-program and the web callback page both say it.
 * `unchanged` is neutral-positive: the account stays authorized as it was (WeChat sends no news
 * when the sets did not change, or when the admin closed its page without confirming).
 */
export type AuthOutcome = 'authorized' | 'unchanged' | 'waiting' | 'failed' | 'expired';

export const AUTH_OUTCOME: Readonly<Record<AuthOutcome, { title: string; tone: Tone }>> = {
  authorized: { title: '授权成功', tone: 'success' },
  unchanged: { title: '授权未变更', tone: 'primary' },
  waiting: { title: '等待微信确认', tone: 'primary' },
  failed: { title: '授权未完成', tone: 'danger' },
  expired: { title: '授权已过期', tone: 'default' },
};

export const UNCHANGED_TEXT = '这个账号已授权给服务商，本次的权限与之前相同，原有授权继续有效。';
