import type { AuthorizerTokens } from '../authorizers/tokens';
import { sendRequest } from '../httpClient';
import { ShipRefusal, type AuditStatus, type PrivacySetting, type Quota, type ShipApi, type VersionInfo } from './api';
import type { AuditItem, AuditSnapshot } from './stages';

/**
 * `ShipApi` on WeChat's code-management API (spec code-management.md), each call with the
 * merchant's authorizer token on the function's one HTTP client. A rejected token (40001, 40014,
 * 42001) is dropped if it is still the stored one and the call is sent once more, as the broker
 * does. An errcode becomes `ShipRefusal`; no answer (timeout, network, not JSON) is transient and
 * thrown as a plain error that never holds the URL (the token is in its query).
 */
export interface WeChatShipApiDeps {
  authorizerTokens: Pick<AuthorizerTokens, 'token' | 'invalidateIfCurrent'>;
  apiBaseUrl: string;
  timeoutMs: number;
}

type Json = Record<string, unknown>;

const TOKEN_REJECTED = new Set([40001, 40014, 42001]);
/** `get_latest_auditstatus` on an app that never had an audit (spec §4.2): 85012 with code, 86001 without. */
const NO_AUDIT = new Set([85012, 86001]);
/** Answers here are small JSON. */
const MAX_ANSWER_BYTES = 256 * 1024;

export class WeChatShipApi implements ShipApi {
  constructor(private readonly deps: WeChatShipApiDeps) {}

  async commit(appid: string, body: { templateId: number; extJson: string; userVersion: string; userDesc: string }) {
    const { templateId, extJson, userVersion, userDesc } = body;
    await this.post(appid, '/wxa/commit', {
      template_id: templateId,
      ext_json: extJson,
      user_version: userVersion,
      user_desc: userDesc,
    });
  }

  async getCodePrivacyInfo(appid: string) {
    const answer = await this.get(appid, '/wxa/security/get_code_privacy_info');
    return { withoutAuthList: strings(answer.without_auth_list), withoutConfList: strings(answer.without_conf_list) };
  }

  async submitAudit(appid: string, body: { itemList: AuditItem[]; versionDesc: string; privacyApiNotUse: boolean }) {
    const sent = { item_list: body.itemList, version_desc: body.versionDesc, privacy_api_not_use: body.privacyApiNotUse };
    return { auditid: Number((await this.post(appid, '/wxa/submit_audit', sent)).auditid) };
  }

  async getLatestAuditStatus(appid: string): Promise<AuditSnapshot | null> {
    try {
      return snapshotOf(await this.get(appid, '/wxa/get_latest_auditstatus'));
    } catch (error) {
      if (error instanceof ShipRefusal && NO_AUDIT.has(error.errcode)) return null;
      throw error;
    }
  }

  async getAuditStatus(appid: string, auditid: number): Promise<AuditStatus> {
    const answer = await this.post(appid, '/wxa/get_auditstatus', { auditid });
    return { status: Number(answer.status), reason: text(answer.reason), screenshot: screenshotOf(answer) };
  }

  async getVersionInfo(appid: string): Promise<VersionInfo> {
    const answer = await this.post(appid, '/wxa/getversioninfo', {});
    const exp = objectOf(answer.exp_info);
    const online = objectOf(answer.release_info);
    return {
      expVersion: text(exp.exp_version),
      releaseVersion: text(online.release_version),
      expDesc: text(exp.exp_desc),
      expAt: secondsToMs(exp.exp_time),
      releaseDesc: text(online.release_desc),
      releaseAt: secondsToMs(online.release_time),
    };
  }

  async release(appid: string) {
    await this.post(appid, '/wxa/release', {});
  }

  async grayRelease(appid: string, percentage: number) {
    await this.post(appid, '/wxa/grayrelease', { gray_percentage: percentage });
  }

  async revertCodeRelease(appid: string) {
    await this.get(appid, '/wxa/revertcoderelease');
  }

  async revertGrayRelease(appid: string) {
    await this.get(appid, '/wxa/revertgrayrelease');
  }

  async queryQuota(appid: string): Promise<Quota> {
    const answer = await this.get(appid, '/wxa/queryquota');
    const n = (value: unknown) => Number(value ?? 0);
    return {
      rest: n(answer.rest),
      limit: n(answer.limit),
      speedupRest: n(answer.speedup_rest),
      speedupLimit: n(answer.speedup_limit),
    };
  }

  async getCategory(appid: string): Promise<AuditItem[]> {
    const answer = await this.get(appid, '/wxa/get_category');
    return Array.isArray(answer.category_list) ? answer.category_list.map(auditItemOf) : [];
  }

  async getPrivacySetting(appid: string): Promise<PrivacySetting> {
    const answer = await this.post(appid, '/cgi-bin/component/getprivacysetting', { privacy_ver: 2 });
    const settings = Array.isArray(answer.setting_list) ? answer.setting_list.map(objectOf) : [];
    return {
      privacyKeys: strings(answer.privacy_list),
      settings: settings.map((s) => ({ privacyKey: str(s.privacy_key), privacyText: str(s.privacy_text) })),
    };
  }

  private get(appid: string, path: string): Promise<Json> {
    return this.call(appid, 'GET', path);
  }

  private post(appid: string, path: string, body: Json): Promise<Json> {
    return this.call(appid, 'POST', path, Buffer.from(JSON.stringify(body)));
  }

  /** One call with the merchant's token; once more with a fresh one when WeChat rejects the token. */
  private async call(appid: string, method: 'GET' | 'POST', path: string, body?: Buffer): Promise<Json> {
    const { authorizerTokens } = this.deps;
    const first = await authorizerTokens.token(appid);
    let answer = await this.send(method, path, first, body);
    if (TOKEN_REJECTED.has(errcodeOf(answer))) {
      await authorizerTokens.invalidateIfCurrent(appid, first);
      answer = await this.send(method, path, await authorizerTokens.token(appid), body);
    }
    const errcode = errcodeOf(answer);
    if (errcode !== 0) throw new ShipRefusal(errcode, typeof answer.errmsg === 'string' ? answer.errmsg.slice(0, 200) : '');
    return answer;
  }

  private async send(method: string, path: string, token: string, body?: Buffer): Promise<Json> {
    const url = new URL(`${this.deps.apiBaseUrl.replace(/\/+$/, '')}${path}`);
    url.searchParams.set('access_token', token);
    const outcome = await sendRequest({
      method,
      url,
      accept: 'application/json',
      ...(body ? { body: { bytes: body, contentType: 'application/json' } } : {}),
      timeoutMs: this.deps.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
    });
    if (outcome.kind !== 'response') throw new Error(`WeChat ${path}: no answer (${outcome.kind})`);
    try {
      return objectOf(JSON.parse(outcome.body.toString('utf8')));
    } catch {
      throw new Error(`WeChat ${path}: HTTP ${outcome.status}, not JSON`);
    }
  }
}

function errcodeOf(answer: Json): number {
  return typeof answer.errcode === 'number' ? answer.errcode : 0;
}

function objectOf(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** A string field; anything else reads as empty. */
function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Absent or empty is null. */
function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** WeChat's Unix seconds as ms; absent or not a positive number is null. */
function secondsToMs(value: unknown): number | null {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/** The field table says `screenshot`, the example `ScreenShot` (spec §4.2): both are read. */
function screenshotOf(answer: Json): string | null {
  return text(answer.screenshot) ?? text(answer.ScreenShot);
}

function snapshotOf(answer: Json): AuditSnapshot {
  return {
    auditid: Number(answer.auditid),
    status: Number(answer.status),
    userVersion: str(answer.user_version),
    submittedAt: Number(answer.submit_audit_time ?? 0) * 1000,
    reason: text(answer.reason),
    screenshot: screenshotOf(answer),
  };
}

/** A `get_category` entry as an `item_list` entry (names and ids; the third level when present). */
function auditItemOf(raw: unknown): AuditItem {
  const c = objectOf(raw);
  return {
    first_class: str(c.first_class),
    second_class: str(c.second_class),
    first_id: Number(c.first_id),
    second_id: Number(c.second_id),
    ...(c.third_id ? { third_class: str(c.third_class), third_id: Number(c.third_id) } : {}),
  };
}
