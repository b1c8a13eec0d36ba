import type { AuthorizerSummary } from '../../../typings/api';
import { KIND_LABEL, STATUS_LABEL, STATUS_TAG } from '../../utils/labels';

/** What the card renders for one authorized account; plain strings so the template stays dumb. */
export interface AuthorizerCardView {
  appid: string;
  name: string;
  avatarUrl: string;
  /** First character of the name, shown when the account has no avatar. */
  initial: string;
  kindLabel: string;
  principalName: string;
  statusLabel: string;
  statusTag: 'success' | 'warning' | 'default';
  /** One line telling the merchant what to do, or '' when nothing is needed. */
  hint: string;
}

const UNNAMED = '未命名账号';

function hintFor(account: AuthorizerSummary): string {
  if (account.status === 'needs_reauth') return '授权已失效，请重新授权';
  if (account.status === 'revoked') return '';
  if (account.missingSets.length === 0) return '';
  return `缺少权限：${account.missingSets.map((set) => set.name).join('、')}`;
}

export function authorizerCardView(account: AuthorizerSummary): AuthorizerCardView {
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
    hint: hintFor(account),
  };
}
