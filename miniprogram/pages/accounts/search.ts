import type { AuthorizerSummary } from '../../../typings/api';
import { KIND_LABEL } from '../../shared/constants';
import { ACCOUNT_STATE, accountState } from '../../shared/status';

/** The search box appears once a merchant has more accounts than fit on one screen. */
export const SEARCH_FROM = 4;

/**
 * Accounts whose name, principal, AppID, 原始ID, kind or status word contains every word typed
 * (case-insensitive), in the list's order; an empty query keeps them all.
 */
export function searchAccounts(accounts: readonly AuthorizerSummary[], query: string): AuthorizerSummary[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...accounts];
  return accounts.filter((account) => {
    const text = [
      account.name,
      account.principalName,
      account.appid,
      account.userName,
      KIND_LABEL[account.kind] ?? '',
      ACCOUNT_STATE[accountState(account)].label,
    ]
      .join(' ')
      .toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** "已授权 3 个账号，1 个需要处理" (revoked accounts need nothing unless the merchant wants them back). */
export function listHeading(accounts: readonly AuthorizerSummary[]): string {
  const pending = accounts.filter((account) => {
    const state = accountState(account);
    return state === 'needs_permissions' || state === 'needs_reauth';
  }).length;
  return `已授权 ${accounts.length} 个账号${pending ? `，${pending} 个需要处理` : ''}`;
}
