import type { AuthorizerKind, AuthorizerSummary } from '../../../typings/api';
import { KIND_LABEL } from '../../shared/constants';
import { ACCOUNT_STATE, accountState, type AccountState, type Tone } from '../../shared/status';

/**
 * Who an authorized account is and where it stands, as every place that shows one renders its
 * head (this card, the authorize result card, the detail page); plain strings so templates stay dumb.
 */
export interface AuthorizerHeader {
  appid: string;
  name: string;
  avatarUrl: string;
  /** First character of the name, shown when the account has no avatar. */
  initial: string;
  kind: AuthorizerKind;
  kindLabel: string;
  /** '' when WeChat does not disclose it: each template decides what to show instead. */
  principalName: string;
  /** From the one status model (shared/status.ts): its word and its colour. */
  state: AccountState;
  statusLabel: string;
  statusTag: Tone;
}

/** What the card renders for one authorized account. */
export interface AuthorizerCardView extends AuthorizerHeader {
  /** One line telling the merchant what to do, or '' when nothing is needed. */
  hint: string;
  /** The one-tap re-authorization's words ('' when nothing is to be done). */
  action: string;
}

const UNNAMED = '未命名账号';

function stateLook(state: AccountState): Pick<AuthorizerHeader, 'state' | 'statusLabel' | 'statusTag'> {
  return { state, statusLabel: ACCOUNT_STATE[state].label, statusTag: ACCOUNT_STATE[state].tone };
}

export function authorizerHeader(account: AuthorizerSummary): AuthorizerHeader {
  const name = account.name.trim() || UNNAMED;
  return {
    appid: account.appid,
    name,
    avatarUrl: account.avatarUrl,
    initial: Array.from(name)[0] ?? '?',
    kind: account.kind,
    kindLabel: KIND_LABEL[account.kind] ?? KIND_LABEL.unknown,
    principalName: account.principalName,
    ...stateLook(accountState(account)),
  };
}

function hintFor(account: AuthorizerSummary): string {
  switch (accountState(account)) {
    case 'needs_reauth':
      return '授权已失效，重新授权后恢复服务';
    case 'needs_permissions':
      return `缺少：${account.missingSets.map((set) => set.name).join('、')}`;
    default:
      return '';
  }
}

export function authorizerCardView(account: AuthorizerSummary): AuthorizerCardView {
  const header = authorizerHeader(account);
  return { ...header, hint: hintFor(account), action: ACCOUNT_STATE[header.state].action };
}
