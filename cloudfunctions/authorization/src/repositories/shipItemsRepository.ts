import { Claims, FOREVER, type ClaimFields, type ClaimToken } from '../claims';
import type { ShipItemDoc } from '../model';
import {
  NEVER,
  RESTING_STAGES,
  SETTLED_STAGES,
  SHIP_STAGES,
  type Prepared,
  type Queued,
  type ShipItem,
  type ShipItemBase,
  type ShipReason,
  type ShipStage,
} from '../shipping/stages';
import { COLLECTIONS, type Query, type Store } from '../store';

/**
 * The shipItems collection: the shipping workflow's records, one per job and merchant, stored flat
 * and read back typed by stage. Writes carry the holder's claim token and only the stage's own
 * fields (the plan and the merchant's values are written once, at creation).
 */

export interface StoredShipItem {
  record: ShipItem;
  claim: ClaimFields;
}

/** The database's page: one read returns at most this many. */
const PAGE = 100;

const UNKNOWN: ShipReason = { errcode: null, message: '记录不完整', action: '请开发人员检查' };

export class ShipItemsRepository {
  private readonly claims: Claims;

  constructor(
    private readonly store: Store,
    holder: string,
    private readonly now: () => number,
  ) {
    this.claims = new Claims({ store, collection: COLLECTIONS.shipItems, holder, now });
  }

  /** Creates a queued item, unclaimed; false when the job already has one for this merchant. */
  enqueue(item: Queued): Promise<boolean> {
    return this.store.create(COLLECTIONS.shipItems, queuedDoc(item));
  }

  /**
   * Creates up to 100 queued items in one write (two more when some exist: a creation retried
   * after a crash adds only the missing ones). How many were added.
   */
  async enqueueMany(items: Queued[]): Promise<number> {
    if (items.length > PAGE) throw new RangeError(`enqueueMany writes at most ${PAGE} items`);
    const docs = items.map(queuedDoc);
    if (await this.store.createMany(COLLECTIONS.shipItems, docs)) return docs.length;
    const query = { _id: this.store.command.in(docs.map((doc) => doc._id)) };
    const have = new Set(ids(await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, query, { limit: PAGE })));
    const missing = docs.filter((doc) => !have.has(doc._id));
    if (await this.store.createMany(COLLECTIONS.shipItems, missing)) return missing.length;
    throw new Error('ship items were being created by another call at the same time');
  }

  async get(id: string): Promise<StoredShipItem | null> {
    const doc = await this.store.get<ShipItemDoc>(COLLECTIONS.shipItems, id);
    return doc ? { record: shipItemOf(doc), claim: doc } : null;
  }

  /** Claims an item nobody holds (an event, a command, the timer). Null: held, or settled. */
  claim(id: string, ttlMs: number): Promise<ClaimToken | null> {
    return this.claims.acquire(id, ttlMs);
  }

  /**
   * Writes the item's next stage under the claim: settles it when nothing moves it any more, gives
   * the claim back when it waits (for an event, a command or its due time), so the run ends there.
   * False when the claim was taken over meanwhile.
   */
  async write(id: string, token: ClaimToken, record: ShipItem): Promise<boolean> {
    const fields = this.stageFields(record);
    if (SETTLED_STAGES.includes(record.stage)) {
      return this.claims.settle(id, token, record.stage === 'failed' ? 'failed' : 'done', fields, FOREVER);
    }
    if (!(await this.claims.progress(id, token, fields))) return false;
    if (RESTING_STAGES.includes(record.stage) || record.dueAt > this.now()) await this.claims.release(id, token);
    return true;
  }

  /** Proves the claim is still held (a write that changes nothing else). */
  fence(id: string, token: ClaimToken): Promise<boolean> {
    return this.claims.progress(id, token, {});
  }

  /** Gives the claim back unfinished: the next turn carries on (a no-op once it is not held). */
  release(id: string, token: ClaimToken): Promise<void> {
    return this.claims.release(id, token);
  }

  /**
   * Makes a failed item claimable again for the job's retry command (its stage is not touched:
   * the command's input moves it). False when it is not failed any more.
   */
  async reopenFailed(id: string): Promise<boolean> {
    const query = { _id: id, stage: 'failed', claimState: 'failed' };
    const data = { claimState: 'in_progress', leaseOwner: '', leaseUntil: 0 };
    return (await this.store.updateWhere(COLLECTIONS.shipItems, query, data)) === 1;
  }

  /**
   * Makes up to a page of the queued items of a job's open wave due now (those not due yet); how
   * many. A page per write keeps each write small: a wave of 9,000 made due in one write is one
   * long operation no run's budget bounds.
   */
  async openWavePage(jobId: string, wave: number): Promise<number> {
    const waiting = { jobId, wave, stage: 'queued', dueAt: NEVER };
    const page = ids(await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, waiting, { limit: PAGE }));
    if (page.length === 0) return 0;
    const query = { ...waiting, _id: this.store.command.in(page) };
    return this.store.updateWhere(COLLECTIONS.shipItems, query, { dueAt: this.now() });
  }

  /**
   * Items of running jobs due for a turn that nobody holds: their time came, or their holder died;
   * the earliest due first. One read per job: with the job's id an equality, the index
   * (claimState, jobId, dueAt) gives the order; a list of jobs (`in`) would sort every item.
   */
  async findDue(jobIds: string[], limit: number): Promise<string[]> {
    const _ = this.store.command;
    const at = this.now();
    const due: ShipItemDoc[] = [];
    for (const jobId of jobIds) {
      const query = { claimState: 'in_progress', jobId, dueAt: _.lte(at), leaseUntil: _.lt(at) };
      due.push(...(await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, query, { orderBy: ['dueAt', 'asc'], limit })));
    }
    return ids(due.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit));
  }

  /** Open audits WeChat has said nothing about since `before` (no event, no poll): to be polled. */
  async findSilentAudits(before: number, limit: number): Promise<string[]> {
    const _ = this.store.command;
    const query = { stage: 'submitted', heardAt: _.lt(before), leaseUntil: _.lt(this.now()) };
    return ids(await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, query, { orderBy: ['heardAt', 'asc'], limit }));
  }

  /** The item whose audit is open on this app (an audit event names only the app); newest first. */
  async findOpenAudit(appid: string): Promise<string[]> {
    const docs = await this.store.find<ShipItemDoc>(
      COLLECTIONS.shipItems,
      { appid, stage: 'submitted' },
      { orderBy: ['createdAt', 'desc'], limit: 5 },
    );
    return ids(docs);
  }

  /** The app's newest shipment (any job, any stage): what the merchant's account page shows of shipping. */
  async findNewestFor(appid: string): Promise<StoredShipItem | null> {
    const docs = await this.store.find<ShipItemDoc>(
      COLLECTIONS.shipItems,
      { appid },
      { orderBy: ['createdAt', 'desc'], limit: 1 },
    );
    return docs[0] ? { record: shipItemOf(docs[0]), claim: docs[0] } : null;
  }

  /** A job's items in these stages (commands: release those approved, roll back those released). */
  async findInJob(jobId: string, stages: ShipStage[], limit: number, skip = 0): Promise<string[]> {
    const query = { jobId, stage: this.store.command.in(stages) };
    return ids(await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, query, { orderBy: ['_id', 'asc'], limit, skip }));
  }

  /** A job's items left in place with a reason (a delayed audit, a release or rollback WeChat refused). */
  async findNoted(jobId: string, limit: number, skip = 0): Promise<string[]> {
    const _ = this.store.command;
    // Stored flat: a note is read only in the stages that write it.
    const query = { jobId, stage: _.in(NOTED_STAGES), note: _.neq(null) };
    return ids(await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, query, { orderBy: ['_id', 'asc'], limit, skip }));
  }

  /** When the job's next gray step is due (a released merchant waiting for it); null: none waits. */
  async nextGrayStepAt(jobId: string): Promise<number | null> {
    const query = { jobId, stage: 'released', dueAt: this.store.command.lt(NEVER) };
    const [doc] = await this.store.find<ShipItemDoc>(COLLECTIONS.shipItems, query, { orderBy: ['dueAt', 'asc'], limit: 1 });
    return doc ? doc.dueAt : null;
  }

  /** How many of a job's items (of one wave, if given) are in each stage. */
  async countByStage(jobId: string, wave?: number): Promise<Partial<Record<ShipStage, number>>> {
    const counts: Partial<Record<ShipStage, number>> = {};
    for (const stage of SHIP_STAGES) {
      const n = await this.store.count(COLLECTIONS.shipItems, { jobId, stage, ...(wave === undefined ? {} : { wave }) });
      if (n > 0) counts[stage] = n;
    }
    return counts;
  }

  /** The stage's own fields (objects replaced whole); never the plan or the values. */
  private stageFields(record: ShipItem): Query {
    const _ = this.store.command;
    const fields: Query = { stage: record.stage, dueAt: record.dueAt };
    for (const [key, value] of Object.entries(ownFields(record))) {
      fields[key] = value !== null && typeof value === 'object' ? _.set(value) : value;
    }
    if (record.stage === 'submitted') fields.heardAt = record.audit.heardAt;
    return fields;
  }
}

const BASE_KEYS = new Set<string>(['id', 'jobId', 'appid', 'wave', 'plan', 'values', 'createdAt', 'dueAt', 'stage']);

/** The fields a stage adds to the base. */
function ownFields(record: ShipItem): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !BASE_KEYS.has(key)));
}

const ids = (docs: ShipItemDoc[]) => docs.map((doc) => doc._id);
const NOTED_STAGES: ShipStage[] = ['submitted', 'releasing', 'released'];

/** A queued item as stored: unclaimed, nobody's lease. */
function queuedDoc(item: Queued) {
  const { id, ...fields } = item;
  return { _id: id, ...fields, leaseOwner: '', leaseUntil: 0, claimState: 'in_progress' };
}

/** The typed item a stored document holds; a document missing its stage's fields reads as failed. */
export function shipItemOf(doc: ShipItemDoc): ShipItem {
  const base: ShipItemBase = {
    id: doc._id,
    jobId: doc.jobId,
    appid: doc.appid,
    wave: doc.wave,
    plan: doc.plan,
    values: doc.values,
    createdAt: doc.createdAt,
    dueAt: doc.dueAt,
  };
  return stagedOf(doc, base) ?? settledOf(doc, base) ?? { ...base, stage: 'failed', reason: doc.reason ?? UNKNOWN, dueAt: NEVER };
}

function stagedOf(doc: ShipItemDoc, base: ShipItemBase): ShipItem | null {
  if (doc.stage === 'queued') return { ...base, stage: 'queued' };
  if (doc.stage === 'preflight' && doc.extJson) return { ...base, stage: 'preflight', extJson: doc.extJson };
  if (!doc.prepared) return null;
  if (doc.stage === 'committing') {
    return { ...base, stage: 'committing', prepared: doc.prepared, commitAttempts: doc.commitAttempts ?? 0 };
  }
  if (doc.stage === 'submitted' && doc.audit)
    return { ...base, stage: 'submitted', prepared: doc.prepared, audit: doc.audit, note: doc.note ?? null };
  return committedOf(doc, base, doc.prepared) ?? releaseOf(doc, base);
}

/** The stages between the commit and the audit: they carry the commit's time. */
function committedOf(doc: ShipItemDoc, base: ShipItemBase, prepared: Prepared): ShipItem | null {
  const { committedAt } = doc;
  if (!committedAt) return null;
  if (doc.stage === 'committed') return { ...base, stage: 'committed', prepared, committedAt };
  if (doc.stage === 'ready') return { ...base, stage: 'ready', prepared, committedAt, slotHeld: !!doc.slotHeld };
  if (doc.stage === 'submitting')
    return { ...base, stage: 'submitting', prepared, committedAt, submitAttempts: doc.submitAttempts ?? 0 };
  return null;
}

function releaseOf(doc: ShipItemDoc, base: ShipItemBase): ShipItem | null {
  const { prepared, auditid, release } = doc;
  if (!prepared || !auditid) return null;
  if (doc.stage === 'audit_passed') return { ...base, stage: 'audit_passed', prepared, auditid };
  if (!release) return null;
  if (doc.stage === 'releasing')
    return {
      ...base,
      stage: 'releasing',
      prepared,
      auditid,
      release,
      releaseAttempts: doc.releaseAttempts ?? 0,
      note: doc.note ?? null,
    };
  if (doc.stage === 'released') {
    return { ...base, stage: 'released', prepared, auditid, release, releasedAt: doc.releasedAt ?? 0, note: doc.note ?? null };
  }
  if (doc.stage === 'rolling_back') {
    return { ...base, stage: 'rolling_back', prepared, auditid, release, rollbackAttempts: doc.rollbackAttempts ?? 0 };
  }
  return null;
}

function settledOf(doc: ShipItemDoc, base: ShipItemBase): ShipItem | null {
  if (doc.stage === 'rolled_back') return { ...base, stage: 'rolled_back', auditid: doc.auditid ?? null, at: doc.at ?? 0 };
  if (doc.stage === 'rejected' && doc.auditid) {
    return {
      ...base,
      stage: 'rejected',
      auditid: doc.auditid,
      reason: doc.reason ?? UNKNOWN,
      screenshot: doc.screenshot ?? null,
    };
  }
  if (doc.stage === 'skipped') return { ...base, stage: 'skipped', reason: doc.reason ?? UNKNOWN };
  return null;
}
