import type { DatabaseSetupReport } from '../../../../typings/api';
import { COLLECTIONS, type CollectionName } from '../store';

/**
 * The collections the function needs, created before first use: WeChat's database fails with
 * -502005 on a collection that does not exist. Each one lists the fields its queries filter on;
 * the Deploy guide asks for the same indexes in the console, and the local stack declares them.
 */
export const COLLECTION_INDEXES: Readonly<Record<CollectionName, readonly string[]>> = {
  [COLLECTIONS.platform]: [],
  [COLLECTIONS.authSessions]: ['status', 'expiresAt'],
  [COLLECTIONS.authorizers]: ['status', 'owners', 'userName'],
  [COLLECTIONS.authorizerTokens]: ['expiresAt', 'lastUsedAt'],
  [COLLECTIONS.authCodes]: ['sessionId', 'claimState', 'leaseUntil'],
  [COLLECTIONS.pushLog]: ['claimState', 'receivedAt'],
  [COLLECTIONS.rateLimits]: ['expiresAt'],
  [COLLECTIONS.brokerNonces]: ['expiresAt'],
  [COLLECTIONS.brokerUsage]: ['appid'],
  [COLLECTIONS.messageStats]: ['lastAt'],
  [COLLECTIONS.releaseTestAccounts]: [],
  [COLLECTIONS.releaseJobs]: ['state'],
};

interface CollectionCreator {
  createCollection(name: string): Promise<unknown>;
}

function canCreateCollections(db: object): db is CollectionCreator {
  return typeof (db as Partial<CollectionCreator>).createCollection === 'function';
}

/** The exact wording for an existing collection is not documented; these are the forms seen. */
function isAlreadyExists(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String((error as { errMsg?: unknown } | null)?.errMsg ?? error);
  return /already exist|ResourceInUse|COLLECTION_ALREADY_EXIST|Table exist/i.test(text);
}

/** Creates every collection that is missing; safe to run again (existing ones are left as they are). */
export async function setupDatabase(db: object): Promise<DatabaseSetupReport> {
  if (!canCreateCollections(db)) throw new Error('this database cannot create collections (wx-server-sdk ≥ 2 can)');
  const report: DatabaseSetupReport = { created: [], existing: [] };
  for (const name of Object.keys(COLLECTION_INDEXES)) {
    try {
      await db.createCollection(name);
      report.created.push(name);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      report.existing.push(name);
    }
  }
  return report;
}
