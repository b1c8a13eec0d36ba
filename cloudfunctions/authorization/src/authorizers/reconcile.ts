import type { ReconcileReport } from '../../../../typings/api';
import type { AuthorizerDoc, ReconcileCheckpoint } from '../model';
import { AppError } from '../errors';
import { unlessRevoked } from '../openapi/errors';
import type { AuthorizerListItem, AuthorizerListResponse } from '../openapi/types';
import type { Repositories } from '../repositories';
import type { TimeBudget } from '../timer/budget';
import type { ComponentApi, Upstream } from '../upstream';
import { observedAt, recordGrant, recordUnlisted } from './records';
import type { AuthorizerTokens } from './tokens';

/** WeChat's largest page of api_get_authorizer_list. */
const LIST_PAGE = 500;
/** Left in the budget before another WeChat page is started (one call plus its lookups). */
const PAGE_RESERVE_MS = 1_500;
/** A run holds the pass this long at most; a run the timeout killed frees it by expiry. */
const CLAIM_MS = 90_000;

export interface ReconcileDeps {
  repositories: Pick<Repositories, 'authorizers' | 'authorizerTokens' | 'platform'>;
  upstream: Upstream;
  authorizerTokens: AuthorizerTokens;
  now: () => number;
  componentAppId: string;
  /** Names this instance in the pass's claim. */
  holder: string;
}

export type ReconcileStep = ReconcileReport | 'not due' | 'running elsewhere';

/**
 * WeChat's list of authorizers is the truth: it returns every refresh token (the cure for a lost
 * one, 61023), shows accounts we never recorded, and omits the ones that were revoked.
 *
 * A pass is spread over timer runs: one WeChat page at a time, the checkpoint in the platform
 * document written after each, so a run that stops (budget) or dies (timeout) is continued by the
 * next one, which redoes at most the page that was cut (settling a page twice is harmless). Per page
 * it reads the token records of the 500 listed accounts (5 reads): an account whose record is
 * there, holds WeChat's refresh token and was not refused is in order and costs nothing more.
 * Afterwards, if the database holds more unrevoked accounts than WeChat listed, a sweep marks
 * revoked those WeChat no longer lists.
 */
export async function reconcileStep(deps: ReconcileDeps, budget: TimeBudget, startPass: boolean): Promise<ReconcileStep> {
  const { platform: platforms } = deps.repositories;
  const claims = platforms.reconcileClaims(deps.holder, deps.now);
  const key = passKey(deps.componentAppId);
  // The record exists after the first pass: take it with one write; only the very first creates it.
  const token = (await claims.acquire(key, CLAIM_MS)) ?? (await claims.acquire(key, CLAIM_MS, {}));
  if (!token) return 'running elsewhere';
  try {
    const platform = await platforms.get(deps.componentAppId);
    const checkpoint = platform?.reconcileCheckpoint ?? (startPass ? newCheckpoint(deps.now()) : null);
    if (!checkpoint) return 'not due';
    const run = new PassRun(deps, budget, checkpoint);
    const complete = await run.advance();
    return complete ? reportOf(checkpoint) : { ...reportOf(checkpoint), inProgress: true };
  } finally {
    await claims.release(key, token);
  }
}

function newCheckpoint(at: number): ReconcileCheckpoint {
  return { startedAt: at, phase: 'list', offset: 0, listedUnrevoked: 0, sweepAfter: '', restored: 0, markedRevoked: 0 };
}

function reportOf(checkpoint: ReconcileCheckpoint): ReconcileReport {
  return { listed: checkpoint.listedUnrevoked, restored: checkpoint.restored, markedRevoked: checkpoint.markedRevoked };
}

/**
 * One run at a time advances the pass (timers of several instances fire together): a claim on a
 * record of its own beside the platform document, whose lease is the component token's.
 */
const passKey = (componentAppId: string) => `${componentAppId}:reconcile`;

/** An empty page before total_count: a partial list must not make live accounts look revoked. */
function listEndedEarly(offset: number, total: number): Error {
  return new AppError(
    'UPSTREAM',
    `微信返回的授权方列表在第 ${offset} 个处提前结束（共 ${total} 个），本轮对账暂停，下次自动从这里继续`,
  );
}

/** The work of one timer run on the pass, saving the checkpoint as it goes. */
class PassRun {
  /** Set once the pass completed: nothing left to save. */
  private saved = false;
  /** WeChat's whole list, when this run read all of it: the sweep then needs no second reading. */
  private listedHere: Set<string> | null;
  /** When that list was read: an account granted after it is not missing from it, just newer. */
  private listedAt: number;
  /** Keeps its token for the run (it has a minute left at least, longer than a run): no database read per page. */
  private readonly listing: ComponentApi;

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly budget: TimeBudget,
    private readonly checkpoint: ReconcileCheckpoint,
  ) {
    this.listedHere = checkpoint.phase === 'list' && checkpoint.offset === 0 ? new Set() : null;
    this.listedAt = observedAt(deps.now());
    this.listing = deps.upstream.keepingToken();
  }

  /** True when the pass completed in this run. */
  async advance(): Promise<boolean> {
    try {
      while (this.budget.allows(PAGE_RESERVE_MS)) {
        const done = this.checkpoint.phase === 'list' ? await this.listNextPage() : await this.sweepSome();
        if (done && (await this.finishPhase())) return true;
        await this.save();
      }
      return false;
    } catch (error) {
      // Keep what the earlier pages settled; the next run continues from there.
      await this.save().catch(() => undefined);
      throw error;
    }
  }

  private listPage(offset: number): Promise<AuthorizerListResponse> {
    return this.listing.getAuthorizerList(offset, LIST_PAGE);
  }

  /** Reads one WeChat page and settles its accounts; true when the list is exhausted. */
  private async listNextPage(): Promise<boolean> {
    const page = await this.listPage(this.checkpoint.offset);
    if (page.list.length === 0) {
      if (this.checkpoint.offset >= page.total_count) return true;
      throw listEndedEarly(this.checkpoint.offset, page.total_count);
    }
    page.list.forEach((item) => this.listedHere?.add(item.authorizer_appid));
    await this.settlePage(page.list);
    this.checkpoint.offset += page.list.length;
    return this.checkpoint.offset >= page.total_count;
  }

  private async settlePage(list: AuthorizerListItem[]): Promise<void> {
    const { authorizers, authorizerTokens } = this.deps.repositories;
    const tokens = await authorizerTokens.byIds(list.map((item) => item.authorizer_appid));
    const suspects = list.filter((item) => {
      const token = tokens.get(item.authorizer_appid);
      return !token || token.rejected === true || (!!item.refresh_token && token.refreshToken !== item.refresh_token);
    });
    this.checkpoint.listedUnrevoked += list.length;
    if (suspects.length === 0) return;
    const docs = await authorizers.byIds(suspects.map((item) => item.authorizer_appid));
    for (const item of suspects) await this.settle(item, docs.get(item.authorizer_appid));
  }

  /** A listed account whose records are not in order: restore its token, and its record if need be. */
  private async settle(item: AuthorizerListItem, doc: AuthorizerDoc | undefined): Promise<void> {
    const { repositories, upstream, authorizerTokens, now } = this.deps;
    const appid = item.authorizer_appid;
    if (item.refresh_token && (await authorizerTokens.restoreRefreshToken(appid, item.refresh_token)))
      this.checkpoint.restored += 1;
    // Unknown or revoked but listed: a push was missed. Needs re-authorization: only if the
    // (possibly restored) refresh token really works again.
    const recover = !doc || doc.status === 'revoked' || (doc.status === 'needs_reauth' && (await authorizerTokens.verify(appid)));
    if (!recover) return;
    const info = await upstream.component.getAuthorizerInfo(appid);
    const granted = (
      info.authorization_info?.func_info ??
      doc?.grantedSets.map((id) => ({ funcscope_category: { id } })) ??
      []
    ).map((f) => f.funcscope_category.id);
    await recordGrant(repositories.authorizers, {
      appid,
      profile: info.authorizer_info,
      grantedSets: granted,
      event: 'reconciled',
      eventAt: observedAt(now()),
      now: now(),
    });
  }

  /**
   * Marks revoked the unrevoked accounts WeChat does not list, one database page at a time, in
   * `_id` order from the cursor; true when a page comes back empty. WeChat's list is read whole
   * first, so the comparison is against one consistent listing.
   */
  private async sweepSome(): Promise<boolean> {
    this.listedHere ??= await this.wholeList();
    const listed = this.listedHere;
    const { authorizers } = this.deps.repositories;
    while (this.budget.allows(PAGE_RESERVE_MS)) {
      const page = await authorizers.unrevokedAfter(this.checkpoint.sweepAfter);
      if (page.length === 0) return true;
      for (const doc of page) if (!listed.has(doc._id)) await this.markRevoked(doc);
      this.checkpoint.sweepAfter = page[page.length - 1]._id;
      await this.save();
    }
    return false;
  }

  private async wholeList(): Promise<Set<string>> {
    this.listedAt = observedAt(this.deps.now());
    const listed = new Set<string>();
    for (let offset = 0; ;) {
      const page = await this.listPage(offset);
      page.list.forEach((item) => listed.add(item.authorizer_appid));
      offset += page.list.length;
      if (offset >= page.total_count) return listed;
      if (page.list.length === 0) throw listEndedEarly(offset, page.total_count);
    }
  }

  /**
   * Only if WeChat confirms it for this account (a list read by offsets can shift and skip one),
   * and nothing newer than the listing was recorded meanwhile (a grant during the pass is not a
   * revocation).
   */
  private async markRevoked(doc: AuthorizerDoc): Promise<void> {
    const { repositories, upstream, authorizerTokens, now } = this.deps;
    const info = await unlessRevoked(upstream.component.getAuthorizerInfo(doc._id));
    if (info) return;
    if (!(await recordUnlisted(repositories.authorizers, doc, this.listedAt, now()))) return;
    await authorizerTokens.remove(doc._id);
    this.checkpoint.markedRevoked += 1;
  }

  /** After the list: sweep only if the database holds unrevoked accounts WeChat did not list. True when the pass is over. */
  private async finishPhase(): Promise<boolean> {
    if (this.checkpoint.phase === 'list') {
      const unrevoked = await this.deps.repositories.authorizers.countUnrevoked();
      if (unrevoked > this.checkpoint.listedUnrevoked) {
        this.checkpoint.phase = 'sweep';
        return false;
      }
    }
    await this.complete();
    return true;
  }

  private async complete(): Promise<void> {
    const { repositories, now, componentAppId } = this.deps;
    await repositories.platform.completeReconcile(componentAppId, now());
    this.saved = true;
  }

  private async save(): Promise<void> {
    if (this.saved) return;
    const { repositories, componentAppId } = this.deps;
    await repositories.platform.saveReconcileCheckpoint(componentAppId, this.checkpoint);
  }
}
