import type { AuthorizerSummary } from '../../../typings/api';
import { KIND_LABEL } from '../../shared/constants';
import { STATUS_LABEL, STATUS_TAG } from '../../utils/labels';

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
  kindLabel: string;
  /** '' when WeChat does not disclose it: each template decides what to show instead. */
  principalName: string;
  statusLabel: string;
  statusTag: 'success' | 'warning' | 'default';
}

/** What the card renders for one authorized account. */
export interface AuthorizerCardView extends AuthorizerHeader {
  /** One line telling the merchant what to do, or '' when nothing is needed. */
  hint: string;
}

const UNNAMED = '未命名账号';

export function authorizerHeader(account: AuthorizerSummary): AuthorizerHeader {
  const name = account.name.trim() || UNNAMED;
  return {
    appid: account.appid,
    name,
    avatarUrl: account.avatarUrl,
    initial: Array.from(name)[0] ?? '?',
    kindLabel: KIND_LABEL[account.kind] ?? KIND_LABEL.unknown,
    principalName: account.principalName,
    statusLabel: STATUS_LABEL[account.status],
    statusTag: STATUS_TAG[account.status],
  };
}

function hintFor(account: AuthorizerSummary): string {
  if (account.status === 'needs_reauth') return '授权已失效，请重新授权';
  if (account.status === 'revoked') return '';
  if (account.missingSets.length === 0) return '';
  return `缺少权限：${account.missingSets.map((set) => set.name).join('、')}`;
}

export function authorizerCardView(account: AuthorizerSummary): AuthorizerCardView {
  return { ...authorizerHeader(account), hint: hintFor(account) };
}
