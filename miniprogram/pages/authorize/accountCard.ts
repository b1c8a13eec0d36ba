import type { AuthorizerSummary, PermissionSet } from '../../../typings/api';
import { authorizerHeader, type AuthorizerHeader } from '../../components/authorizer-card/view';

/** What the result card shows of an authorized account. */
export interface AccountCard extends AuthorizerHeader {
  granted: PermissionSet[];
  missing: PermissionSet[];
}

export function toAccountCard(account: AuthorizerSummary): AccountCard {
  const header = authorizerHeader(account);
  return {
    ...header,
    // The card reads "kind · principal", so an undisclosed principal is said, not left blank.
    principalName: header.principalName || '主体信息未公开',
    granted: account.grantedSets,
    missing: account.missingSets,
  };
}
