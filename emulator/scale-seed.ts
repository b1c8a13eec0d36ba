import { newAuthorizerDoc } from '../cloudfunctions/authorization/src/authorizers/records';
import { newTokenDoc } from '../cloudfunctions/authorization/src/authorizers/tokens';
import { COLLECTIONS } from '../cloudfunctions/authorization/src/store';
import type { Database } from './cloud/sdk/database';
import { authorizerInfo } from './open-platform/areas/authorization/authorizer-info';
import type { BulkAuthorization } from './open-platform/state/synthetic';

/** Documents written per database call while seeding. */
const CHUNK = 2_000;

/**
 * Writes what the function would hold after each bulk authorization (its authorizer record and
 * its token record) straight into the local database: setting up 100,000 merchants through pages
 * and pushes would take hours. Nobody has used them yet: none is in the hot set.
 */
export async function seedAuthorizers(db: Database, grants: BulkAuthorization[], now: number): Promise<void> {
  const authorizers = grants.map((grant, i) => ({
    ...newAuthorizerDoc({
      appid: grant.account.appid,
      // authorizer_info as WeChat's api_get_authorizer_info returns it.
      profile: authorizerInfo(grant.account),
      grantedSets: grant.funcIds,
      event: 'authorized',
      eventAt: grant.authTime * 1000,
      now: grant.authTime * 1000,
    }),
    owners: [`oBULK-merchant-${i}`],
  }));
  const tokens = grants.map((grant) => {
    const issued = { accessToken: grant.accessToken, expiresIn: grant.expiresIn, refreshToken: grant.refreshToken };
    const { lastUsedAt: _unused, ...doc } = newTokenDoc(grant.account.appid, issued, now);
    return doc;
  });
  for (const [collection, docs] of [
    [COLLECTIONS.authorizers, authorizers],
    [COLLECTIONS.authorizerTokens, tokens],
  ] as const) {
    for (let i = 0; i < docs.length; i += CHUNK) {
      await db.collection(collection).add({ data: docs.slice(i, i + CHUNK) });
    }
  }
}
