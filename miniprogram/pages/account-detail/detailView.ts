import type { AuthorizerChange, AuthorizerDetail, AuthorizerEvent, PermissionSet } from '../../../typings/api';
import { authorizerHeader, type AuthorizerHeader } from '../../components/authorizer-card/view';
import { formatTime, REVOKE_GUIDE } from '../../utils/labels';
import { reauthorizeUrl } from '../../utils/routes';
import { ACCOUNT_STATE, type AccountState, type Tone } from '../../shared/status';

const EVENT_TITLE: Record<AuthorizerEvent, string> = {
  authorized: '授权',
  updateauthorized: '更新授权',
  unauthorized: '取消授权',
  needs_reauth: '授权失效',
  // The timer's check against WeChat's own list: merchants read it as a sync, not bookkeeping.
  reconciled: '与微信同步',
};

/** Dot colour of each event on the timeline. */
const EVENT_TONE: Record<AuthorizerEvent, Tone> = {
  authorized: 'success',
  updateauthorized: 'primary',
  unauthorized: 'default',
  needs_reauth: ACCOUNT_STATE.needs_reauth.tone,
  reconciled: 'default',
};

export interface HistoryItem {
  key: string;
  title: string;
  time: string;
  tone: string;
  /** "消息管理、用户管理", or '' when nothing was added. */
  added: string;
  removed: string;
}

export interface StatusNotice {
  tone: Tone;
  title: string;
  text: string;
}

export interface DetailView extends AuthorizerHeader {
  userName: string;
  verifiedLabel: string;
  authorizedAt: string;
  updatedAt: string;
  revoked: boolean;
  grantedSets: PermissionSet[];
  missingSets: PermissionSet[];
  notice: StatusNotice | null;
  /** The re-authorization button: label and where it goes, or null when nothing is needed. */
  action: { label: string; url: string } | null;
  /** Where the merchant revokes; '' for an account already revoked. */
  revokeGuide: string;
  history: HistoryItem[];
}

/** What each state means for the merchant, under the same word as its tag. */
const NOTICE_TEXT: Record<Exclude<AccountState, 'ok'>, string> = {
  revoked: '这个账号的管理员已在微信中取消了对本服务商的授权，相关服务已停止。如需继续使用，请重新授权。',
  needs_reauth: '微信已不再接受这个账号的授权，服务商暂时无法为它提供服务。请账号管理员重新授权后恢复。',
  needs_permissions: '服务商需要的部分权限还没有授权，相关功能无法使用。补充授权时勾选下方缺少的权限即可。',
};

function noticeFor(state: AccountState): StatusNotice | null {
  if (state === 'ok') return null;
  const look = ACCOUNT_STATE[state];
  return { tone: look.tone, title: look.label, text: NOTICE_TEXT[state] };
}

function actionFor(detail: AuthorizerDetail, state: AccountState): DetailView['action'] {
  const label = ACCOUNT_STATE[state].action;
  return label ? { label, url: reauthorizeUrl(detail) } : null;
}

/** History carries set ids; the backend names them in historySets (a numbered label if ever missing). */
function setNamer(detail: AuthorizerDetail): (id: number) => string {
  const names = new Map<number, string>();
  for (const set of [...detail.historySets, ...detail.grantedSets, ...detail.missingSets]) names.set(set.id, set.name);
  return (id) => names.get(id) ?? `权限集 ${id}`;
}

function historyItems(detail: AuthorizerDetail): HistoryItem[] {
  const nameOf = setNamer(detail);
  const names = (ids: number[]) => ids.map(nameOf).join('、');
  return [...detail.history]
    .sort((a, b) => b.at - a.at)
    .map((change: AuthorizerChange, index) => ({
      key: `${change.at}-${index}`,
      title: EVENT_TITLE[change.event] ?? change.event,
      time: formatTime(change.at),
      tone: EVENT_TONE[change.event] ?? 'default',
      added: names(change.added),
      removed: names(change.removed),
    }));
}

export function detailView(detail: AuthorizerDetail): DetailView {
  const header = authorizerHeader(detail);
  const revoked = detail.status === 'revoked';
  return {
    ...header,
    principalName: header.principalName || '—',
    userName: detail.userName || '—',
    verifiedLabel: detail.verified ? '已认证' : '未认证',
    authorizedAt: formatTime(detail.authorizedAt),
    updatedAt: formatTime(detail.updatedAt),
    revoked,
    grantedSets: detail.grantedSets,
    missingSets: detail.missingSets,
    notice: noticeFor(header.state),
    action: actionFor(detail, header.state),
    revokeGuide: revoked ? '' : (REVOKE_GUIDE[detail.kind] ?? REVOKE_GUIDE.unknown),
    history: historyItems(detail),
  };
}
