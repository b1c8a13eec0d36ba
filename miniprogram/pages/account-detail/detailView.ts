import type {
  AuthorizerChange,
  AuthorizerDetail,
  AuthorizerEvent,
  AuthorizerKind,
  AuthType,
  PermissionSet,
} from '../../../typings/api';
import { authorizerHeader, type AuthorizerHeader } from '../../components/authorizer-card/view';
import { formatTime, REVOKE_GUIDE } from '../../utils/labels';
import { ROUTES } from '../../utils/routes';

/** auth_type for re-authorizing one account (biz_appid wins anyway, this keeps the list right). */
export function authTypeForKind(kind: AuthorizerKind): AuthType {
  switch (kind) {
    case 'official_account':
      return 1;
    case 'mini_program':
    case 'mini_game':
    case 'store':
      return 2;
    case 'channels':
      return 5;
    default:
      return 6;
  }
}

export function reauthorizeUrl(detail: Pick<AuthorizerDetail, 'appid' | 'kind'>): string {
  return `${ROUTES.authorize}?bizAppid=${encodeURIComponent(detail.appid)}&authType=${authTypeForKind(detail.kind)}`;
}

const EVENT_TITLE: Record<AuthorizerEvent, string> = {
  authorized: '授权',
  updateauthorized: '更新授权',
  unauthorized: '取消授权',
  needs_reauth: '需要重新授权',
  reconciled: '对账',
};

/** Dot colour of each event on the timeline. */
const EVENT_TONE: Record<AuthorizerEvent, 'success' | 'primary' | 'default' | 'warning'> = {
  authorized: 'success',
  updateauthorized: 'primary',
  unauthorized: 'default',
  needs_reauth: 'warning',
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
  tone: 'warning' | 'danger';
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

function noticeFor(detail: AuthorizerDetail): StatusNotice | null {
  if (detail.status === 'revoked') {
    return {
      tone: 'danger',
      title: '已取消授权',
      text: '这个账号的管理员已在微信中取消了对本服务商的授权，相关服务已停止。如需继续使用，请重新授权。',
    };
  }
  if (detail.status === 'needs_reauth') {
    return {
      tone: 'warning',
      title: '授权已失效',
      text: '服务商暂时无法代这个账号调用接口，请账号管理员重新授权后恢复。',
    };
  }
  if (detail.missingSets.length > 0) {
    return {
      tone: 'warning',
      title: '缺少部分权限',
      text: '服务商需要的部分权限还没有授权，相关功能无法使用。更新授权时勾选下方缺少的权限即可。',
    };
  }
  return null;
}

function actionFor(detail: AuthorizerDetail): DetailView['action'] {
  const url = reauthorizeUrl(detail);
  if (detail.status === 'revoked') return { label: '重新授权', url };
  if (detail.status === 'needs_reauth' || detail.missingSets.length > 0) return { label: '更新授权', url };
  return null;
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
    notice: noticeFor(detail),
    action: actionFor(detail),
    revokeGuide: revoked ? '' : (REVOKE_GUIDE[detail.kind] ?? REVOKE_GUIDE.unknown),
    history: historyItems(detail),
  };
}
