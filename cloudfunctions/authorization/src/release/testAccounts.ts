/**
 * WeChat's own accounts for the 全网发布 test (spec §11): five groups, each an official account and
 * a mini-program. They are recognised by appid, and everything about them stays out of the
 * merchants' collections. Kept apart from the emulator's copy on purpose: if one were wrong, the
 * rehearsal would catch it.
 */
export type ReleaseTestKind = 'official_account' | 'mini_program';

export interface ReleaseTestAccount {
  group: number;
  kind: ReleaseTestKind;
  appid: string;
  /** 原始ID: the ToUserName of its messages. */
  userName: string;
}

const GROUPS: [string, string, string, string][] = [
  ['wx570bc396a51b8ff8', 'gh_3c884a361561', 'wxd101a85aa106f53e', 'gh_8dad206e9538'],
  ['wx9252c5e0bb1836fc', 'gh_c0f28a78b318', 'wxc39235c15087f6f3', 'gh_905ae9d01059'],
  ['wx8e1097c5bc82cde9', 'gh_3f222ed8d140', 'wx7720d01d4b2a4500', 'gh_393666f1fdf4'],
  ['wx14550af28c71a144', 'gh_26128078e9ab', 'wx05d483572dcd5d8b', 'gh_39abb5d4e1b7'],
  ['wxa35b9c23cfe664eb', 'gh_2b3713f184a6', 'wx5910277cae6fd970', 'gh_7818dcb60240'],
];

export const RELEASE_TEST_ACCOUNTS: readonly ReleaseTestAccount[] = GROUPS.flatMap(([oa, oaUser, mp, mpUser], index) => [
  { group: index + 1, kind: 'official_account' as const, appid: oa, userName: oaUser },
  { group: index + 1, kind: 'mini_program' as const, appid: mp, userName: mpUser },
]);

const BY_APPID = new Map(RELEASE_TEST_ACCOUNTS.map((account) => [account.appid, account]));

export function releaseTestAccount(appid: string): ReleaseTestAccount | undefined {
  return BY_APPID.get(appid);
}

export function isReleaseTestAppid(appid: string | null | undefined): appid is string {
  return !!appid && BY_APPID.has(appid);
}

/** The permission set whose selection makes WeChat send each kind its message cases (spec §11). */
export const MESSAGE_CASE_SET: Record<ReleaseTestKind, number> = { official_account: 1, mini_program: 19 };
