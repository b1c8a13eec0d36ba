/**
 * The console's list of authorizers at 100,000 accounts: search, filters, orders and keyset pages,
 * each page at most 3 database reads (a count, and the page in one or two reads), each one a walk
 * of a declared index (setup/collections.ts); and the same list as CSV, page by page.
 *
 * Search: what an index can answer. An AppID, an original ID (gh_…) or a merchant's OPENID is an
 * exact lookup; anything else is the start of the account's name (a range on `name`). A search
 * for a word inside names would read every account (a regular expression cannot use an index),
 * so the console does not offer one.
 */
import type { AuthorizerKind, AuthorizerStatus, AuthorizerSummary } from '../../../../typings/api';
import { isAppid, KIND_LABEL } from '../../../../miniprogram/shared/constants';
import type { Config } from '../config';
import { invalidInput } from '../errors';
import type { AuthorizerDoc } from '../model';
import { permissionName } from '../permissions';
import type {
  AuthorizersRepository,
  ConsoleFilter,
  ConsoleKey,
  ConsoleOrder,
  ConsoleSortField,
} from '../repositories/authorizersRepository';
import { KINDS as AUTHORIZER_KINDS } from '../actions/schemas';
import { toSummary } from '../authorizers/views';

export interface AuthorizersQueryDeps {
  authorizers: Pick<AuthorizersRepository, 'countForConsole' | 'pageForConsole'>;
  config: Pick<Config, 'requiredCategoryIds' | 'permissionReasons'>;
}

export const PAGE_SIZE = 20;
/** Rows per read while exporting: the database's largest page. */
const EXPORT_PAGE = 100;

export type SortName = 'recent' | 'name' | 'authorized';
export const SORTS: Readonly<Record<SortName, { field: ConsoleSortField; descending: boolean; label: string }>> = {
  recent: { field: 'updatedAt', descending: true, label: '最近变动' },
  name: { field: 'name', descending: false, label: '名称' },
  authorized: { field: 'authorizedAt', descending: true, label: '授权时间' },
};

export const KINDS: readonly AuthorizerKind[] = AUTHORIZER_KINDS;
export const STATUSES: readonly AuthorizerStatus[] = ['active', 'needs_reauth', 'revoked'];

export type SearchKind = 'appid' | 'userName' | 'owner' | 'name';

/** What the list was asked for, read from the page's address. */
export interface AuthorizersQuery {
  search: string;
  kind?: AuthorizerKind;
  status?: AuthorizerStatus;
  missingSet?: number;
  sort: SortName;
  cursor?: string;
}

export interface AuthorizersPage {
  query: AuthorizersQuery;
  /** How the search was read (null: no search). */
  searchedBy: SearchKind | null;
  /** The order actually used: a name search is always by name. */
  sort: SortName;
  /** How many the filters select; null when counting would read every account (the missing-set filter). */
  total: number | null;
  rows: AuthorizerSummary[];
  /** Cursors of the neighbouring pages (absent: none). */
  next?: string;
  previous?: string;
}

const MAX_SEARCH = 64;
const OPENID = /^o[A-Za-z0-9_-]{20,40}$/;
const USER_NAME = /^gh_[0-9a-zA-Z]{6,32}$/;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], message: string): T | undefined {
  if (value === null || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw invalidInput(message);
  return value as T;
}

/** Reads the list's parameters; anything unexpected is refused with a plain message. */
export function parseAuthorizersQuery(params: URLSearchParams): AuthorizersQuery {
  const search = (params.get('q') ?? '').trim();
  if (search.length > MAX_SEARCH) throw invalidInput(`搜索内容太长（最多 ${MAX_SEARCH} 个字）`);
  const missing = params.get('missing');
  if (missing && !/^\d{1,4}$/.test(missing)) throw invalidInput('权限集编号不正确');
  const cursor = params.get('cursor') || undefined;
  return {
    search,
    kind: oneOf(params.get('kind'), KINDS, '账号类型不正确'),
    status: oneOf(params.get('status'), STATUSES, '授权状态不正确'),
    missingSet: missing ? Number(missing) : undefined,
    sort: oneOf(params.get('sort'), Object.keys(SORTS) as SortName[], '排序方式不正确') ?? 'recent',
    cursor,
  };
}

/** The query's parameters as an address query (without the cursor unless given). */
export function queryParams(query: AuthorizersQuery, change: Partial<AuthorizersQuery> = {}): URLSearchParams {
  const merged = { ...query, ...change };
  const params = new URLSearchParams();
  if (merged.search) params.set('q', merged.search);
  if (merged.kind) params.set('kind', merged.kind);
  if (merged.status) params.set('status', merged.status);
  if (merged.missingSet !== undefined) params.set('missing', String(merged.missingSet));
  if (merged.sort !== 'recent') params.set('sort', merged.sort);
  if (merged.cursor) params.set('cursor', merged.cursor);
  return params;
}

export function searchKind(search: string): SearchKind | null {
  if (search === '') return null;
  if (isAppid(search)) return 'appid';
  if (USER_NAME.test(search)) return 'userName';
  if (OPENID.test(search)) return 'owner';
  return 'name';
}

function filterOf(query: AuthorizersQuery): ConsoleFilter {
  const filter: ConsoleFilter = { kind: query.kind, status: query.status, missingSet: query.missingSet };
  const by = searchKind(query.search);
  if (by === 'appid') filter.appid = query.search;
  if (by === 'userName') filter.userName = query.search;
  if (by === 'owner') filter.owner = query.search;
  if (by === 'name') filter.namePrefix = query.search;
  return filter;
}

/** A name search walks the name index; a merchant's or original ID's accounts are few, newest first. */
function sortOf(query: AuthorizersQuery): SortName {
  const by = searchKind(query.search);
  if (by === 'name') return 'name';
  if (by === 'owner' || by === 'userName') return 'recent';
  return query.sort;
}

/** A page position, opaque to the page: the order, the key of the row it starts after, the way. */
interface Cursor {
  sort: SortName;
  key: ConsoleKey;
  /** Toward the start of the list (a "previous" link). */
  back: boolean;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key.value, cursor.key.id, cursor.back ? 1 : 0])).toString('base64url');
}

function decodeCursor(text: string, sort: SortName): Cursor {
  const stale = () => invalidInput('翻页链接已失效，请回到第一页');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw stale();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw stale();
  const [cursorSort, value, id, back] = parsed as unknown[];
  const numeric = SORTS[sort].field !== 'name';
  const valueOk = numeric ? Number.isFinite(value) : typeof value === 'string' && value.length <= 200;
  if (cursorSort !== sort || !valueOk || typeof id !== 'string' || id.length > 64 || (back !== 0 && back !== 1)) throw stale();
  return { sort, key: { value: value as string | number, id }, back: back === 1 };
}

function keyOf(doc: AuthorizerDoc, field: ConsoleSortField): ConsoleKey {
  return { value: doc[field], id: doc._id };
}

/** One page of the list: the count and the page's reads run together (2 reads, 3 past the first page). */
export async function queryAuthorizers(deps: AuthorizersQueryDeps, query: AuthorizersQuery): Promise<AuthorizersPage> {
  const sort = sortOf(query);
  const cursor = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
  const filter = filterOf(query);
  const base = SORTS[sort];
  const back = cursor?.back ?? false;
  const order: ConsoleOrder = { field: base.field, descending: back ? !base.descending : base.descending };
  // Accounts missing a set are found by checking each one the walk reaches: counting them all
  // would read every account under the other filters, so that list goes without a total.
  const [total, docs] = await Promise.all([
    filter.missingSet === undefined ? deps.authorizers.countForConsole(filter) : null,
    deps.authorizers.pageForConsole(filter, order, PAGE_SIZE + 1, cursor?.key),
  ]);
  const more = docs.length > PAGE_SIZE;
  const page = docs.slice(0, PAGE_SIZE);
  if (back) page.reverse();
  const cursorAt = (doc: AuthorizerDoc | undefined, towardStart: boolean) =>
    doc ? encodeCursor({ sort, key: keyOf(doc, base.field), back: towardStart }) : undefined;
  // Going forward, there is a previous page whenever we came from one; going back, a next one.
  const hasNext = back ? true : more;
  const hasPrevious = back ? more : cursor !== undefined;
  return {
    query,
    searchedBy: searchKind(query.search),
    sort,
    total,
    rows: page.map((doc) => toSummary(doc, deps.config.requiredCategoryIds, deps.config.permissionReasons)),
    next: hasNext ? cursorAt(page[page.length - 1], false) : undefined,
    previous: hasPrevious ? cursorAt(page[0], true) : undefined,
  };
}

/** Every account the query selects, in its order, read 100 at a time (no count, no cursor). */
export async function* exportRows(deps: AuthorizersQueryDeps, query: AuthorizersQuery): AsyncGenerator<AuthorizerSummary[]> {
  const sort = sortOf(query);
  const filter = filterOf(query);
  const order: ConsoleOrder = { field: SORTS[sort].field, descending: SORTS[sort].descending };
  let after: ConsoleKey | undefined;
  for (;;) {
    const docs = await deps.authorizers.pageForConsole(filter, order, EXPORT_PAGE, after);
    if (docs.length === 0) return;
    yield docs.map((doc) => toSummary(doc, deps.config.requiredCategoryIds, deps.config.permissionReasons));
    after = keyOf(docs[docs.length - 1], order.field);
  }
}

const CSV_COLUMNS = [
  'AppID',
  '名称',
  '账号类型',
  '授权状态',
  '主体名称',
  '原始ID',
  '已授权权限集',
  '缺少的权限集',
  '授权时间',
  '最近变动',
];

/**
 * One CSV cell: quoted when it holds a quote, comma or line break; a cell that a spreadsheet would
 * run as a formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Beijing time, as the console shows it: 2026-12-04 09:30. */
export function beijingTime(ms: number): string {
  if (!ms) return '';
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export const STATUS_TEXT: Readonly<Record<AuthorizerStatus, string>> = {
  active: '已授权',
  needs_reauth: '需要重新授权',
  revoked: '已取消授权',
};
export const kindText = (kind: AuthorizerKind): string => KIND_LABEL[kind] ?? KIND_LABEL.unknown;

function csvRow(row: AuthorizerSummary): string {
  const sets = (list: AuthorizerSummary['grantedSets']) => list.map((set) => set.name).join('、');
  return [
    row.appid,
    row.name,
    kindText(row.kind),
    STATUS_TEXT[row.status],
    row.principalName,
    row.userName,
    sets(row.grantedSets),
    sets(row.missingSets),
    beijingTime(row.authorizedAt),
    beijingTime(row.updatedAt),
  ]
    .map(csvCell)
    .join(',');
}

/**
 * The list as CSV (UTF-8 with a byte-order mark, so spreadsheets read the Chinese): the header,
 * then one chunk per database page. Only what the list shows: never a token or an owner.
 */
export async function* exportAuthorizersCsv(deps: AuthorizersQueryDeps, params: URLSearchParams): AsyncGenerator<string> {
  const query = parseAuthorizersQuery(params);
  yield `\uFEFF${CSV_COLUMNS.map(csvCell).join(',')}\r\n`;
  for await (const rows of exportRows(deps, query)) yield rows.map((row) => `${csvRow(row)}\r\n`).join('');
}

/** The name of a permission set for filters (the required ones first). */
export function missingSetChoices(requiredIds: readonly number[]): Array<{ id: number; name: string }> {
  return [...new Set(requiredIds)].map((id) => ({ id, name: permissionName(id) }));
}
