import type { AuditState, MiniProgramVersions, VersionSlot } from '../../../../typings/api';
import { AuthorizationPaused } from '../authorizers/tokens';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { AuthorizerDoc } from '../model';
import { isAuthorizationError } from '../openapi/errors';
import type { Repositories } from '../repositories';
import { ShipRefusal, type ShipApi, type VersionInfo } from './api';
import { CODE_MANAGEMENT_SET } from './answers';
import { plainReason, rejectionAdvice, shipmentAdvice } from './merchantAdvice';
import type { AuditSnapshot, ShipItem } from './stages';

/**
 * The merchant's mini-program as WeChat sees it (issue 19): the online and trial versions, the
 * latest audit and, when it was refused or the provider's shipment stopped, who fixes it. Read
 * with the merchant's token through the ship API; the answer is kept for `VERSIONS_CACHE_MS`, so
 * however often the page asks, WeChat is asked at most once a minute per app. A refusal is an
 * answer with a notice, never an error: the page shows what to do.
 */
export const VERSIONS_CACHE_MS = 60_000;

export interface MerchantVersionsDeps {
  repositories: Pick<Repositories, 'merchantVersions' | 'shipItems'>;
  api: Pick<ShipApi, 'getVersionInfo' | 'getLatestAuditStatus'>;
  log: Logger;
  now: () => number;
}

type Unavailable = Exclude<MiniProgramVersions['availability'], 'ok'>;

const AUDIT_STATES: Record<number, AuditState> = { 0: 'approved', 1: 'rejected', 2: 'reviewing', 3: 'withdrawn', 4: 'delayed' };

const NOTICES = {
  not_mini_program: '只有小程序有版本信息。',
  missing_set: '你还没有授予服务商“开发管理”权限，服务商无法为你发布新版本，也看不到版本信息。请重新授权并勾选开发管理权限。',
  reauthorize: '微信已不再接受这个小程序的授权，暂时看不到版本信息。请重新授权后再查看。',
  unreachable: '暂时没能从微信读到版本信息，请稍后刷新。',
} as const;

/** The versions of `doc`'s app (ownership is the caller's check). */
export async function merchantVersions(deps: MerchantVersionsDeps, doc: AuthorizerDoc): Promise<MiniProgramVersions> {
  const appid = doc._id;
  if (doc.kind !== 'mini_program') return unavailable(deps, appid, 'not_mini_program');
  if (doc.status !== 'active') return unavailable(deps, appid, 'reauthorize');
  if (!doc.grantedSets.includes(CODE_MANAGEMENT_SET)) return unavailable(deps, appid, 'missing_set');
  const kept = await deps.repositories.merchantVersions.get(appid);
  if (kept && deps.now() - kept.checkedAt < VERSIONS_CACHE_MS) return kept.view;
  const view = await readWeChat(deps, appid);
  await deps.repositories.merchantVersions.put(appid, view);
  return view;
}

async function readWeChat(deps: MerchantVersionsDeps, appid: string): Promise<MiniProgramVersions> {
  const checkedAt = deps.now();
  const newest = await deps.repositories.shipItems.findNewestFor(appid);
  const shipment = newest ? shipmentOf(newest.record) : null;
  let info: VersionInfo;
  let audit: AuditSnapshot | null;
  try {
    [info, audit] = await Promise.all([deps.api.getVersionInfo(appid), deps.api.getLatestAuditStatus(appid)]);
  } catch (error) {
    const availability = refusalOf(error);
    deps.log.warn('merchant versions unavailable', {
      appid,
      availability,
      errcode: error instanceof ShipRefusal ? error.errcode : null,
    });
    return { ...empty(appid, availability, checkedAt), shipment };
  }
  const state = audit ? (AUDIT_STATES[audit.status] ?? 'reviewing') : null;
  return {
    appid,
    availability: 'ok',
    notice: null,
    live: slot(info.releaseVersion, info.releaseDesc, info.releaseAt),
    trial: slot(info.expVersion, info.expDesc, info.expAt),
    audit:
      audit && state
        ? { version: audit.userVersion, submittedAt: audit.submittedAt, state, reason: plainReason(audit.reason) }
        : null,
    advice: adviceFor(state === 'rejected' ? audit : null, newest?.record ?? null),
    shipment,
    checkedAt,
  };
}

/** Why WeChat could not be read, as the page's availability. */
function refusalOf(error: unknown): Unavailable {
  if (error instanceof ShipRefusal && error.errcode === 61007) return 'missing_set';
  if (error instanceof ShipRefusal && error.errcode === 61003) return 'reauthorize';
  if (error instanceof AuthorizationPaused || isAuthorizationError(error)) return 'reauthorize';
  if (error instanceof AppError && error.code === 'NOT_READY') return 'reauthorize';
  return 'unreachable';
}

/** A refused audit speaks first; otherwise a shipment that stopped for this app. */
function adviceFor(rejected: AuditSnapshot | null, item: ShipItem | null) {
  if (rejected) return rejectionAdvice(rejected.reason);
  if (item && (item.stage === 'skipped' || item.stage === 'failed')) return shipmentAdvice(item.reason);
  return null;
}

function shipmentOf(item: ShipItem): MiniProgramVersions['shipment'] {
  return { jobId: item.jobId, version: item.plan.userVersion, stage: item.stage, startedAt: item.createdAt };
}

function slot(version: string | null, description: string | null | undefined, at: number | null | undefined): VersionSlot | null {
  return version ? { version, description: description ?? '', at: at ?? null } : null;
}

function empty(appid: string, availability: Unavailable, checkedAt: number) {
  return {
    appid,
    availability,
    notice: NOTICES[availability],
    live: null,
    trial: null,
    audit: null,
    advice: null,
    shipment: null,
    checkedAt,
  } satisfies MiniProgramVersions;
}

/** Known without asking WeChat: nothing is cached, nothing is called. */
function unavailable(deps: MerchantVersionsDeps, appid: string, availability: Unavailable): MiniProgramVersions {
  return empty(appid, availability, deps.now());
}
