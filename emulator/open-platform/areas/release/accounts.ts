/**
 * WeChat's accounts for the 全网发布 test (spec §11): five groups, an official account and a
 * mini-program each, plus the user (an openid of that account) who sends the test messages.
 * The emulator's own copy, independent of the function's, so a wrong entry on either side shows.
 */
export type ReleaseKind = 'official_account' | 'mini_program';

export interface ReleaseTestAccount {
  group: number;
  kind: ReleaseKind;
  appid: string;
  userName: string;
  /** The tester's openid under this account (invented; real ones are WeChat's). */
  testerOpenid: string;
}

const TABLE: [number, ReleaseKind, string, string][] = [
  [1, 'official_account', 'wx570bc396a51b8ff8', 'gh_3c884a361561'],
  [1, 'mini_program', 'wxd101a85aa106f53e', 'gh_8dad206e9538'],
  [2, 'official_account', 'wx9252c5e0bb1836fc', 'gh_c0f28a78b318'],
  [2, 'mini_program', 'wxc39235c15087f6f3', 'gh_905ae9d01059'],
  [3, 'official_account', 'wx8e1097c5bc82cde9', 'gh_3f222ed8d140'],
  [3, 'mini_program', 'wx7720d01d4b2a4500', 'gh_393666f1fdf4'],
  [4, 'official_account', 'wx14550af28c71a144', 'gh_26128078e9ab'],
  [4, 'mini_program', 'wx05d483572dcd5d8b', 'gh_39abb5d4e1b7'],
  [5, 'official_account', 'wxa35b9c23cfe664eb', 'gh_2b3713f184a6'],
  [5, 'mini_program', 'wx5910277cae6fd970', 'gh_7818dcb60240'],
];

export const RELEASE_TEST_ACCOUNTS: readonly ReleaseTestAccount[] = TABLE.map(([group, kind, appid, userName]) => ({
  group,
  kind,
  appid,
  userName,
  testerOpenid: `oRel${group}${kind === 'official_account' ? 'Oa' : 'Mp'}_${userName.slice(3)}Tst`,
}));

export const RELEASE_GROUPS = [1, 2, 3, 4, 5] as const;

export const KIND_NAMES: Record<ReleaseKind, string> = { official_account: '公众号', mini_program: '小程序' };

export function releaseTestAccount(appid: string): ReleaseTestAccount | undefined {
  return RELEASE_TEST_ACCOUNTS.find((account) => account.appid === appid);
}
