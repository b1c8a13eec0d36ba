import type { AuthorizerFilter, AuthorizerKind, AuthorizerStatus, StatusCounts } from '../../../typings/api';
import { KIND_LABEL } from '../../shared/constants';
import { ACCOUNT_STATE } from '../../shared/status';

/** van-dropdown-item options; '' means "no filter". */
export interface FilterOption {
  text: string;
  value: string;
}

export const PAGE_SIZE = 20;

export const KIND_OPTIONS: FilterOption[] = [
  { text: '全部类型', value: '' },
  ...(Object.keys(KIND_LABEL) as AuthorizerKind[]).map((kind) => ({ text: KIND_LABEL[kind], value: kind })),
];

/**
 * The stored status the list can filter on, in the status model's words; `active` covers both
 * 正常 and 需补充权限 (missing sets are not a stored field), so it gets a word of its own.
 */
const STATUS_LABEL: Readonly<Record<AuthorizerStatus, string>> = {
  active: '授权有效',
  needs_reauth: ACCOUNT_STATE.needs_reauth.label,
  revoked: ACCOUNT_STATE.revoked.label,
};

export const STATUS_OPTIONS: FilterOption[] = [
  { text: '全部状态', value: '' },
  ...(Object.keys(STATUS_LABEL) as AuthorizerStatus[]).map((status) => ({ text: STATUS_LABEL[status], value: status })),
];

function isKind(value: string): value is AuthorizerKind {
  return Object.prototype.hasOwnProperty.call(KIND_LABEL, value);
}

function isStatus(value: string): value is AuthorizerStatus {
  return Object.prototype.hasOwnProperty.call(STATUS_LABEL, value);
}

/** A dropdown's value as a filter value: only known ones pass, anything else means "all". */
export function pickKind(value: unknown): AuthorizerKind | '' {
  return typeof value === 'string' && isKind(value) ? value : '';
}

export function pickStatus(value: unknown): AuthorizerStatus | '' {
  return typeof value === 'string' && isStatus(value) ? value : '';
}

/** The listAuthorizers input: filters only when set (the backend rejects unknown values). */
export function listQuery(kind: AuthorizerKind | '', status: AuthorizerStatus | '', offset: number): AuthorizerFilter {
  return { ...(kind ? { kind } : {}), ...(status ? { status } : {}), offset, limit: PAGE_SIZE };
}

/** One cell of the counts card: a status, its count, and whether the list is filtered on it. */
export interface CountCell {
  status: AuthorizerStatus | '';
  label: string;
  value: number;
  tone: 'plain' | 'ok' | 'danger' | 'muted';
  selected: boolean;
}

/** The counts card over the list: 全部 is their sum, so it equals the list's total when unfiltered. */
export function countCells(counts: StatusCounts, selected: AuthorizerStatus | ''): CountCell[] {
  const cell = (status: AuthorizerStatus | '', value: number, tone: CountCell['tone']): CountCell => ({
    status,
    label: status ? STATUS_LABEL[status] : '全部',
    value,
    tone,
    selected: status === selected,
  });
  return [
    cell('', counts.active + counts.needsReauth + counts.revoked, 'plain'),
    cell('active', counts.active, 'ok'),
    cell('needs_reauth', counts.needsReauth, counts.needsReauth ? 'danger' : 'plain'),
    cell('revoked', counts.revoked, 'muted'),
  ];
}
