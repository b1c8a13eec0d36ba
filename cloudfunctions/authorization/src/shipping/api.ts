import type { AuditItem, AuditSnapshot } from './stages';

/**
 * The WeChat calls shipping makes, each on one merchant's mini-program (its authorizer token:
 * permission set 18), named as the spec names them. Wired later to the broker's authorizer-token
 * call path; tests use a fake. A refusal (WeChat answered an errcode) rejects with `ShipRefusal`;
 * anything else that rejects (a timeout, a network failure) is transient: the runner gives its
 * claim back and the item's next turn asks WeChat what happened before repeating a write.
 */
export interface ShipApi {
  /** `POST /wxa/commit` (spec §3.1): replaces the trial version, starts the privacy scan. */
  commit(appid: string, body: CommitBody): Promise<void>;
  /** `GET /wxa/security/get_code_privacy_info` (§3.4); 61039 while the scan runs. */
  getCodePrivacyInfo(appid: string): Promise<PrivacyInfo>;
  /** `POST /wxa/submit_audit` (§4.1): spends one unit of the provider's monthly quota. */
  submitAudit(appid: string, body: SubmitBody): Promise<{ auditid: number }>;
  /** `GET /wxa/get_latest_auditstatus` (§4.2); null when the app never had an audit. */
  getLatestAuditStatus(appid: string): Promise<AuditSnapshot | null>;
  /** `POST /wxa/get_auditstatus` (§4.2). */
  getAuditStatus(appid: string, auditid: number): Promise<AuditStatus>;
  /** `POST /wxa/getversioninfo` with `{}` (§5.5); absent or empty versions are null. */
  getVersionInfo(appid: string): Promise<VersionInfo>;
  /** `POST /wxa/release` with `{}` (§5.1). */
  release(appid: string): Promise<void>;
  /** `POST /wxa/grayrelease` (§5.2); 85082 when the percentage is not higher than before. */
  grayRelease(appid: string, percentage: number): Promise<void>;
  /** `GET /wxa/revertcoderelease` (§5.4): back to the previous online version. */
  revertCodeRelease(appid: string): Promise<void>;
  /** `GET /wxa/revertgrayrelease` (§5.3): cancels the gray plan. */
  revertGrayRelease(appid: string): Promise<void>;
  /** `GET /wxa/queryquota` (§4.5): provider-wide, asked with any authorizer's token. */
  queryQuota(appid: string): Promise<Quota>;
  /** `GET /wxa/get_category` (§3.5): the categories usable in `submit_audit`. */
  getCategory(appid: string): Promise<AuditItem[]>;
  /** `POST /cgi-bin/component/getprivacysetting` (§3.6), development version. */
  getPrivacySetting(appid: string): Promise<PrivacySetting>;
}

export interface CommitBody {
  templateId: number;
  /** Already a string: WeChat wants ext_json serialized. */
  extJson: string;
  userVersion: string;
  userDesc: string;
}

export interface SubmitBody {
  itemList: AuditItem[];
  versionDesc: string;
  privacyApiNotUse: boolean;
}

export interface PrivacyInfo {
  withoutAuthList: string[];
  withoutConfList: string[];
}

export interface AuditStatus {
  status: number;
  reason: string | null;
  screenshot: string | null;
}

export interface VersionInfo {
  expVersion: string | null;
  releaseVersion: string | null;
  /** Descriptions and times (ms) of the two slots, for the merchant's page; the workflow reads only the versions. */
  expDesc?: string | null;
  expAt?: number | null;
  releaseDesc?: string | null;
  releaseAt?: number | null;
}

export interface Quota {
  rest: number;
  limit: number;
  speedupRest: number;
  speedupLimit: number;
}

export interface PrivacySetting {
  /** Privacy keys found in the code (`privacy_list`). */
  privacyKeys: string[];
  /** The texts the guide gives (`setting_list`). */
  settings: { privacyKey: string; privacyText: string }[];
}

/** WeChat answered a ship call with an errcode. */
export class ShipRefusal extends Error {
  constructor(
    readonly errcode: number,
    errmsg = '',
  ) {
    super(`WeChat refused: ${errcode} ${errmsg}`.trim());
    this.name = 'ShipRefusal';
  }
}
