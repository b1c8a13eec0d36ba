import type { AuthorizerSummary, PermissionSet } from '../../../typings/api';
import { KIND_LABEL, STATUS_LABEL, STATUS_TAG } from '../../utils/labels';

/** What the result card shows of an authorized account. */
export interface AccountCard {
  appid: string;
  name: string;
  avatarUrl: string;
  /** Shown in place of a missing avatar. */
  initial: string;
  kindLabel: string;
  principalName: string;
  statusLabel: string;
  statusTag: 'success' | 'warning' | 'default';
  granted: PermissionSet[];
  missing: PermissionSet[];
}

export function toAccountCard(account: AuthorizerSummary): AccountCard {
  const name = account.name || account.appid;
  return {
    appid: account.appid,
    name,
    avatarUrl: account.avatarUrl,
    initial: name.slice(0, 1),
    kindLabel: KIND_LABEL[account.kind] ?? KIND_LABEL.unknown,
    principalName: account.principalName || '主体信息未公开',
    statusLabel: STATUS_LABEL[account.status],
    statusTag: STATUS_TAG[account.status],
    granted: account.grantedSets,
    missing: account.missingSets,
  };
}
