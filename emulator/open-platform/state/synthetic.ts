/**
 * Many merchant accounts at once, for scale tests: each one modelled on one of the fixture
 * accounts (same kind, sets and shape of info) with its own appid, names and images, and
 * authorized in bulk without pages or pushes, as if each merchant had confirmed long ago.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_ACCOUNTS } from './fixtures';
import type { PlatformState } from './platform-state';
import type { TestAccount } from './types';

export interface BulkAuthorization {
  account: TestAccount;
  funcIds: number[];
  /** Unix seconds. */
  authTime: number;
  refreshToken: string;
  /** Issued as api_query_auth would have issued it. */
  accessToken: string;
  expiresIn: number;
}

const TEMPLATES = DEFAULT_ACCOUNTS.filter((account) => account.accountStatus === 1);
const BRANCH_SUFFIXES = ['旗舰店', '生活馆', '工作室', '服务中心', '小铺', '优选'];

/** Stable pseudo-random hex for account `index` of `seed`. */
function digest(seed: string, index: number, purpose: string, length: number): string {
  return createHash('sha256').update(`${seed}:${index}:${purpose}`).digest('hex').slice(0, length);
}

/** Account `index` of a synthetic population: unique appid and user_name, realistic info. */
export function syntheticAccount(seed: string, index: number, templates = TEMPLATES): TestAccount {
  const template = templates[index % templates.length];
  const number = index + 1;
  return {
    ...template,
    appid: `wx${digest(seed, index, 'appid', 16)}`,
    userName: `gh_${digest(seed, index, 'user', 12)}`,
    nickName: `${template.nickName.slice(0, 4)}${BRANCH_SUFFIXES[index % BRANCH_SUFFIXES.length]}${number}`,
    alias: template.alias ? `${template.alias}_${number}` : '',
    headImg: `http://wx.qlogo.cn/mmopen/${digest(seed, index, 'head', 40)}/0`,
    qrcodeUrl: `http://mmbiz.qpic.cn/mmbiz_jpg/${digest(seed, index, 'qr', 32)}/0`,
    grantableFuncIds: [...template.grantableFuncIds],
    ...(template.miniProgram ? { miniProgram: structuredClone(template.miniProgram) } : {}),
  };
}

/**
 * Adds `count` synthetic accounts and authorizes each with every set it can grant: a refresh
 * token and an access token each, no push (the merchants confirmed before the test began).
 * `only` keeps the fixture accounts modelled on to those it accepts (e.g. one kind of account).
 */
export function bulkAuthorize(
  state: PlatformState,
  count: number,
  seed = 'bulk',
  only?: (template: TestAccount) => boolean,
): BulkAuthorization[] {
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
  const templates = only ? TEMPLATES.filter(only) : TEMPLATES;
  if (templates.length === 0) throw new Error('no fixture account is accepted by `only`');
  const first = state.accounts.length;
  const accounts = Array.from({ length: count }, (_, i) => syntheticAccount(seed, first + i, templates));
  state.addAccounts(accounts);
  return accounts.map((account) => {
    state.authorizations.grant(account.appid, account.grantableFuncIds);
    const authorization = state.authorizations.active(account.appid)!;
    const { token, expiresIn } = state.authorizerTokens.issue(account.appid);
    return {
      account,
      funcIds: [...authorization.funcIds],
      authTime: authorization.authTime,
      refreshToken: authorization.refreshToken,
      accessToken: token,
      expiresIn,
    };
  });
}
