import { COLLECTIONS, type Store } from '../store';
import { releaseTestAccount } from './testAccounts';

/**
 * What we know about WeChat's test accounts, in their own collection (never `authorizers` or
 * `authorizerTokens`): the last authorization event and the token api_query_auth gave for them.
 */
export interface ReleaseTestAccountDoc {
  _id: string;
  group: number;
  kind: string;
  lastEvent: string | null;
  lastEventAt: number | null;
  accessToken: string | null;
  accessTokenExpiresAt: number;
  refreshToken: string | null;
  updatedAt: number;
}

async function ensureDoc(store: Store, appid: string, now: number): Promise<void> {
  const account = releaseTestAccount(appid);
  if (!account) throw new Error('not a release-test account');
  await store.create(COLLECTIONS.releaseTestAccounts, {
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
export async function noteTestAccountEvent(store: Store, appid: string, event: string, now: number): Promise<void> {
  await ensureDoc(store, appid, now);
  const revoked = event === 'unauthorized';
  await store.update(COLLECTIONS.releaseTestAccounts, appid, {
    lastEvent: event,
    lastEventAt: now,
    updatedAt: now,
    ...(revoked ? { accessToken: null, accessTokenExpiresAt: 0, refreshToken: null } : {}),
  });
}

export async function saveTestAccountTokens(
  store: Store,
  appid: string,
  tokens: { accessToken: string; expiresAt: number; refreshToken: string | null },
  now: number,
): Promise<void> {
  await ensureDoc(store, appid, now);
  await store.update(COLLECTIONS.releaseTestAccounts, appid, {
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.expiresAt,
    refreshToken: tokens.refreshToken,
    updatedAt: now,
  });
}

export async function testAccountToken(store: Store, appid: string, now: number): Promise<string | null> {
  const doc = await store.get<ReleaseTestAccountDoc>(COLLECTIONS.releaseTestAccounts, appid);
  return doc?.accessToken && doc.accessTokenExpiresAt > now ? doc.accessToken : null;
}
