/**
 * Which accounts an authorization page lists and which permission sets it offers them
 * (spec §6.2: auth_type, biz_appid, category_id_list).
 */
import { PERMISSION_SETS } from './fixtures';
import type { AccountKind, TestAccount } from './types';

/**
 * auth_type → account kinds listed. WeChat Stores use the mini-program permission table, so the
 * emulator lists them with mini-programs [assumption]. 4 (推客) lists `promoter` fixtures, of which
 * the default set has none. 7 is undefined.
 */
export const AUTH_TYPE_KINDS: Readonly<Record<number, readonly AccountKind[]>> = {
  1: ['official_account'],
  2: ['mini_program', 'store'],
  3: ['official_account', 'mini_program', 'store'],
  4: ['promoter'],
  5: ['channels'],
  6: ['official_account', 'mini_program', 'store', 'channels'],
  8: ['sales_assistant'],
};

/** SDKs treat auth_type as optional; WeChat then shows OAs and mini-programs. */
export const DEFAULT_AUTH_TYPE = 3;

export interface EligibleAccount {
  account: TestAccount;
  /** Sets the page offers (all pre-checked). */
  offeredFuncIds: number[];
}

export type EligibilityError = 'invalid_auth_type' | 'unknown_biz_appid';

export type Eligibility = { ok: true; accounts: EligibleAccount[] } | { ok: false; error: EligibilityError };

export interface EligibilityQuery {
  authType?: number;
  bizAppid?: string;
  categoryIdList?: number[];
}

/** `undefined`/empty → the default; anything else must be one of the defined values. */
export function parseAuthType(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_AUTH_TYPE;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  return Number.isInteger(n) && AUTH_TYPE_KINDS[n] ? n : undefined;
}

/**
 * `99|31`; the bar may arrive encoded once more as `%7C`. Ids outside the catalogue are ignored;
 * if nothing known remains, there is no filter (undefined).
 */
export function parseCategoryIdList(raw: unknown): number[] | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const ids = raw
    .split(/\||%7C/i)
    .map((part) => Number(part.trim()))
    .filter((id) => Number.isInteger(id) && PERMISSION_SETS.has(id));
  return ids.length > 0 ? [...new Set(ids)] : undefined;
}

export function offeredFuncIds(account: TestAccount, filter?: number[]): number[] {
  if (!filter) return [...account.grantableFuncIds];
  return account.grantableFuncIds.filter((id) => filter.includes(id));
}

/** biz_appid wins over auth_type: only that account is listed, whatever its kind. */
export function eligibleAccounts(accounts: TestAccount[], query: EligibilityQuery): Eligibility {
  const listable = accounts.filter((account) => account.accountStatus === 1);
  const withSets = (list: TestAccount[]): EligibleAccount[] =>
    list.map((account) => ({ account, offeredFuncIds: offeredFuncIds(account, query.categoryIdList) }));

  if (query.bizAppid) {
    const account = listable.find((candidate) => candidate.appid === query.bizAppid);
    return account ? { ok: true, accounts: withSets([account]) } : { ok: false, error: 'unknown_biz_appid' };
  }
  const authType = query.authType ?? DEFAULT_AUTH_TYPE;
  const kinds = AUTH_TYPE_KINDS[authType];
  if (!kinds) return { ok: false, error: 'invalid_auth_type' };
  return { ok: true, accounts: withSets(listable.filter((account) => kinds.includes(account.kind))) };
}
