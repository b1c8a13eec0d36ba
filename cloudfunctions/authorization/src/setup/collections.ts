import type { DatabaseSetupReport } from '../../../../typings/api';
import { COLLECTIONS, type CollectionName } from '../store';

/** One index: its fields in order, a compound index when there are several. */
export type IndexSpec = readonly string[];

/**
 * The collections the function needs, created before first use: WeChat's database fails with
 * -502005 on a collection that does not exist. Each lists the indexes its queries need: equality
 * fields first, then the sort field, then ranges, so that a sorted page never sorts in memory
 * (the cloud refuses large in-memory sorts). The Deploy guide's table is generated from this and
 * checked by a test; the local stack declares the same indexes (emulator/cloud/sdk/ordered-index.ts).
 */
export const COLLECTION_INDEXES: Readonly<Record<CollectionName, readonly IndexSpec[]>> = {
  [COLLECTIONS.platform]: [],
  [COLLECTIONS.authSessions]: [['status', 'expiresAt'], ['expiresAt']],
  [COLLECTIONS.authorizers]: [
    ['owners', 'updatedAt'],
    ['status', 'updatedAt'],
    ['kind', 'updatedAt'],
    ['updatedAt'],
    ['userName', 'updatedAt'],
    // The console's list (console/authorizersQuery.ts): each order under each filter, and the name
    // search (a range on `name`, after the filters' equalities).
    ['kind', 'status', 'updatedAt'],
    ['name'],
    ['kind', 'name'],
    ['status', 'name'],
    ['kind', 'status', 'name'],
    ['authorizedAt'],
    ['kind', 'authorizedAt'],
    ['status', 'authorizedAt'],
    ['kind', 'status', 'authorizedAt'],
  ],
  [COLLECTIONS.authorizerTokens]: [['expiresAt', 'lastUsedAt']],
  [COLLECTIONS.authCodes]: [
    ['sessionId'],
    ['claimState', 'leaseUntil'],
    ['stage', 'claimState', 'expiresAt'],
    ['claimState', 'createdAt'],
  ],
  [COLLECTIONS.pushLog]: [['outcome', 'receivedAt'], ['receivedAt']],
  [COLLECTIONS.rateLimits]: [['expiresAt']],
  [COLLECTIONS.brokerNonces]: [['expiresAt']],
  [COLLECTIONS.brokerUsage]: [['appid', 'lastAt']],
  [COLLECTIONS.brokerCallerUsage]: [['caller', 'lastAt']],
  [COLLECTIONS.messageStats]: [['lastAt']],
  [COLLECTIONS.releaseTestAccounts]: [],
  [COLLECTIONS.releaseJobs]: [['state', 'leaseUntil']],
  [COLLECTIONS.noticeConsents]: [],
  [COLLECTIONS.lapseNotices]: [['at']],
  [COLLECTIONS.shipJobs]: [['state', 'updatedAt']],
  [COLLECTIONS.shipItems]: [
    ['claimState', 'jobId', 'dueAt'],
    ['stage', 'heardAt'],
    ['appid', 'createdAt'],
    ['jobId', 'wave', 'stage', 'dueAt'],
    ['jobId', 'stage', 'dueAt'],
  ],
  [COLLECTIONS.merchantShipValues]: [],
  [COLLECTIONS.merchantVersions]: [],
  [COLLECTIONS.consoleTickets]: [['expiresAt']],
  [COLLECTIONS.consoleSessions]: [['expiresAt']],
  [COLLECTIONS.consoleAudit]: [['at']],
};

/** The Deploy guide's table of collections and indexes (README.md, checked by a test). */
export function indexTableMarkdown(): string {
  const rows = Object.entries(COLLECTION_INDEXES).map(([name, specs]) => {
    const indexes = specs.map((spec) => spec.map((field) => `\`${field}\``).join(' + ')).join('; ');
    return `| \`${name}\` | ${indexes || '— (reads by `_id` only)'} |`;
  });
  return ['| collection | indexes (fields in order) |', '|---|---|', ...rows].join('\n');
}

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
