import type { ReleaseTestAccountDoc } from '../model';
import type { ReleaseTestAccountsRepository } from '../repositories/releaseTestAccountsRepository';
import { releaseTestAccount } from './testAccounts';

async function ensureDoc(accounts: ReleaseTestAccountsRepository, appid: string, now: number): Promise<void> {
  const account = releaseTestAccount(appid);
  if (!account) throw new Error('not a release-test account');
  await accounts.create({
    _id: appid,
    group: account.group,
    kind: account.kind,
    lastEvent: null,
    lastEventAt: null,
    accessToken: null,
    accessTokenExpiresAt: 0,
    refreshToken: null,
    updatedAt: now,
  } satisfies ReleaseTestAccountDoc);
}

/**
 * An authorization-event push about a test account: acknowledged and noted, nothing exchanged.
 * Its code is left unspent, in case WeChat sends the same one in QUERY_AUTH_CODE.
 */
export async function noteTestAccountEvent(
  accounts: ReleaseTestAccountsRepository,
  appid: string,
  event: string,
  now: number,
): Promise<void> {
  await ensureDoc(accounts, appid, now);
  await accounts.noteEvent(appid, event, now, event === 'unauthorized');
}

export async function saveTestAccountTokens(
  accounts: ReleaseTestAccountsRepository,
  appid: string,
  tokens: { accessToken: string; expiresAt: number; refreshToken: string | null },
  now: number,
): Promise<void> {
  await ensureDoc(accounts, appid, now);
  await accounts.saveTokens(appid, tokens, now);
}

export async function testAccountToken(
  accounts: ReleaseTestAccountsRepository,
  appid: string,
  now: number,
): Promise<string | null> {
  const doc = await accounts.get(appid);
  return doc?.accessToken && doc.accessTokenExpiresAt > now ? doc.accessToken : null;
}
