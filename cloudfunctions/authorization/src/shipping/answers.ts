import { isOpenApiError } from '../openapi/errors';
import { ShipRefusal, type PrivacySetting, type ShipApi } from './api';
import type { CallName, Readiness, ShipInput, ShipQuestion } from './stages';

/** Code management: the permission set every call here needs (spec §0). */
export const CODE_MANAGEMENT_SET = 18;

export interface AnswerDeps {
  api: ShipApi;
  /** The sets the merchant granted us, from our authorizer record (null: not authorized). */
  grantedSets(appid: string): Promise<number[] | null>;
  /** Takes one submission slot of the job's quota budget. */
  takeSubmitSlot(jobId: string): Promise<boolean>;
}

/**
 * Asks what the machine asks and turns the answer (or WeChat's refusal) into its next input.
 * Transient failures are thrown: the runner gives its claim back and a later turn asks again.
 */
export async function askShip(deps: AnswerDeps, question: ShipQuestion): Promise<ShipInput> {
  try {
    return await answer(deps, question);
  } catch (error) {
    const errcode = refusalCode(error);
    if (errcode === null) throw error;
    return { kind: 'refused', call: callOf(question), errcode };
  }
}

async function answer(deps: AnswerDeps, q: ShipQuestion): Promise<ShipInput> {
  const { api } = deps;
  switch (q.ask) {
    case 'preflight':
      return { kind: 'preflight_answered', readiness: await readiness(deps, q.appid) };
    case 'commit':
      await api.commit(q.appid, {
        templateId: q.templateId,
        extJson: q.extJson,
        userVersion: q.userVersion,
        userDesc: q.userDesc,
      });
      return { kind: 'commit_answered' };
    case 'privacy_info': {
      const info = await api.getCodePrivacyInfo(q.appid);
      return { kind: 'privacy_answered', withoutAuth: info.withoutAuthList, withoutConf: info.withoutConfList };
    }
    case 'submit_slot':
      return { kind: 'slot_answered', granted: await deps.takeSubmitSlot(q.jobId) };
    case 'submit_audit': {
      const body = { itemList: q.itemList, versionDesc: q.versionDesc, privacyApiNotUse: q.privacyApiNotUse };
      return { kind: 'submit_answered', auditid: (await api.submitAudit(q.appid, body)).auditid };
    }
    case 'latest_audit':
      return { kind: 'latest_audit_answered', audit: await api.getLatestAuditStatus(q.appid) };
    case 'audit_status':
      return { kind: 'audit_status_answered', ...(await api.getAuditStatus(q.appid, q.auditid)) };
    default:
      return answerRelease(api, q);
  }
}

async function answerRelease(api: ShipApi, q: ShipQuestion): Promise<ShipInput> {
  switch (q.ask) {
    case 'version_info': {
      const info = await api.getVersionInfo(q.appid);
      return { kind: 'version_answered', expVersion: info.expVersion, onlineVersion: info.releaseVersion };
    }
    case 'release':
      await api.release(q.appid);
      return { kind: 'release_answered' };
    case 'gray_release':
      await api.grayRelease(q.appid, q.percentage);
      return { kind: 'release_answered' };
    case 'revert_code_release':
      await api.revertCodeRelease(q.appid);
      return { kind: 'revert_answered' };
    case 'revert_gray_release':
      await api.revertGrayRelease(q.appid);
      return { kind: 'revert_answered' };
    default:
      throw new Error(`no answer for ${q.ask}`);
  }
}

/** Reads only, stopping at the first thing that already decides (set 18 missing: nothing else is allowed). */
async function readiness(deps: AnswerDeps, appid: string): Promise<Readiness> {
  const sets = await deps.grantedSets(appid);
  const none: Readiness = { setGranted: false, category: null, privacyMissing: [], latestAudit: null, onlineVersion: null };
  if (!sets?.includes(CODE_MANAGEMENT_SET)) return none;
  const { api } = deps;
  const categories = await api.getCategory(appid);
  const privacy = await api.getPrivacySetting(appid);
  const latestAudit = await api.getLatestAuditStatus(appid);
  const version = await api.getVersionInfo(appid);
  return {
    setGranted: true,
    category: categories[0] ?? null,
    privacyMissing: missingTexts(privacy),
    latestAudit,
    onlineVersion: version.releaseVersion,
  };
}

/** Every privacy key the code uses needs a text in the guide (spec §3.6). */
function missingTexts(privacy: PrivacySetting): string[] {
  const described = new Set(privacy.settings.filter((s) => s.privacyText.trim() !== '').map((s) => s.privacyKey));
  return privacy.privacyKeys.filter((key) => !described.has(key));
}

/** WeChat's errcode when it refused; null for a transient failure (thrown on). */
function refusalCode(error: unknown): number | null {
  if (error instanceof ShipRefusal) return error.errcode;
  if (isOpenApiError(error) && error.failure === 'errcode') return error.errcode;
  return null;
}

const CALLS: Record<ShipQuestion['ask'], CallName> = {
  preflight: 'preflight',
  commit: 'commit',
  privacy_info: 'privacy_info',
  submit_slot: 'submit_slot',
  submit_audit: 'submit_audit',
  latest_audit: 'latest_audit',
  audit_status: 'audit_status',
  version_info: 'version_info',
  release: 'release',
  gray_release: 'gray_release',
  revert_code_release: 'revert_code_release',
  revert_gray_release: 'revert_gray_release',
};

const callOf = (q: ShipQuestion): CallName => CALLS[q.ask];
