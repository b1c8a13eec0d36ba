/**
 * The platform's draft box and code template library (spec code-management §2), reached through
 * the function's broker (`/broker/component/<wechat path>`, signed HTTP): ops hold a broker key
 * whose scope names these four paths, never the component secret or token.
 */
import { BrokerError, type ProxyRequest, type ShipTemplateInUse, type WeChatAnswer } from '../../clients/broker-client/src';
import { ShipError } from './errors';

/** The four WeChat paths the commands call, in the order a key's scope lists them. */
export const TEMPLATE_APIS = {
  draftList: '/wxa/gettemplatedraftlist',
  addToTemplate: '/wxa/addtotemplate',
  templateList: '/wxa/gettemplatelist',
  deleteTemplate: '/wxa/deletetemplate',
} as const;

/** WeChat's cap on the template library (spec §2.3, 85065). */
export const TEMPLATE_CAP = 200;

/** Only 普通模板: standard templates can no longer be used (spec §2.3). */
export const TEMPLATE_TYPE = 0;

/** What the commands need of the broker client (`BrokerHttpClient` has it). */
export interface ComponentCaller {
  componentCall(request: ProxyRequest): Promise<WeChatAnswer>;
}

export interface Draft {
  draftId: number;
  userVersion: string;
  userDesc: string;
  /** Unix seconds: when it was uploaded. */
  createTime: number;
  sourceAppid: string;
  sourceName: string;
}

export interface Template {
  templateId: number;
  draftId: number;
  userVersion: string;
  userDesc: string;
  /** Unix seconds; the docs disagree on what it is (spec §2.4): an ordering key only. */
  createTime: number;
  sourceAppid: string;
  templateType: number;
}

/** WeChat's errcodes of these four APIs that a person can act on, with what to do. */
export const ERRCODE_MEANINGS: Record<number, string> = {
  [-1]: 'WeChat system error: try again in a minute',
  43001: 'WeChat wants GET for this API',
  47001: 'WeChat could not read the request body',
  61004:
    "the function's egress IP is not in the Open Platform's IP whitelist (the broker calls from the function's fixed egress IP)",
  85064: 'template or draft not found: run `npm run template -- list` for the current ids',
  85065:
    `the template library is full (WeChat keeps at most ${TEMPLATE_CAP} templates): free room with ` +
    '`npm run template -- prune --keep <n>` or `npm run template -- delete <template_id>`, then run ' +
    '`npm run template -- add-draft <draft_id>`',
};

/** WeChat refused a template API (an errcode in its answer). */
export class TemplateApiError extends ShipError {
  constructor(
    readonly api: string,
    readonly errcode: number,
    errmsg: string,
  ) {
    const meaning = ERRCODE_MEANINGS[errcode];
    super(`${api}: WeChat answered errcode ${errcode}${meaning ? ` (${meaning})` : ''}${errmsg ? `; errmsg: ${errmsg}` : ''}.`);
    this.name = 'TemplateApiError';
  }
}

/** What each of the broker's refusals means to the person running a template command. */
function explainBrokerError(api: string, error: BrokerError, brokerUrl: string): ShipError {
  const why: Partial<Record<BrokerError['code'], string>> = {
    TRANSPORT: `the broker at ${brokerUrl} cannot be reached (locally: is \`npm start\` running?)`,
    BROKER_DISABLED:
      'the function has no BROKER_CLIENT_KEYS: the signed-HTTP way in is off (locally: put the key in .env.local and start again)',
    UNAUTHENTICATED:
      "the broker did not accept the key: BROKER_KEY_ID or BROKER_KEY_SECRET is not a key of the function's BROKER_CLIENT_KEYS " +
      "(or this machine's clock is more than 300 s off)",
    STALE_REQUEST: "this machine's clock is more than 300 s away from the function's",
    KEY_REVOKED: 'the key is marked "revoked" in BROKER_CLIENT_KEYS: use its successor',
    SCOPE_DENIED:
      `the key's scope does not cover ${api} (missing: ${error.scope ?? 'part of it'}); it needs "ops": ["component"], ` +
      `"apis" naming ${Object.values(TEMPLATE_APIS).join(', ')}, and "appids": "*"`,
    API_NOT_SERVED: `the broker does not serve ${api}`,
    NOT_READY: 'the component token is being refreshed: try again in a few seconds',
    UPSTREAM: 'the function could not reach WeChat, or WeChat refused its component token',
  };
  const what = error.code === 'TRANSPORT' ? 'no answer from the broker' : `the broker refused (${error.code})`;
  return new ShipError(`${api}: ${what}: ${why[error.code] ?? error.message}.`, [`broker: ${error.message}`]);
}

/** The four template APIs, each answer checked and parsed; ids sent as numbers (spec §9 #8). */
export class TemplateLibrary {
  constructor(
    private readonly broker: ComponentCaller,
    private readonly brokerUrl: string,
  ) {}

  /** The draft box; WeChat may answer 85064 when it is empty (spec §2.2), read as empty. */
  async drafts(): Promise<Draft[]> {
    const answer = await this.call({ method: 'GET', path: TEMPLATE_APIS.draftList }, [85064]);
    return list(answer, 'draft_list').map(toDraft);
  }

  async templates(): Promise<Template[]> {
    const answer = await this.call({ method: 'GET', path: TEMPLATE_APIS.templateList }, [85064]);
    return list(answer, 'template_list').map(toTemplate);
  }

  /** addtotemplate answers no template id (spec §2.3): find it afterwards by draft_id. */
  async addToTemplate(draftId: number): Promise<void> {
    await this.call({ method: 'POST', path: TEMPLATE_APIS.addToTemplate, json: addBody(draftId) });
  }

  async deleteTemplate(templateId: number): Promise<void> {
    await this.call({ method: 'POST', path: TEMPLATE_APIS.deleteTemplate, json: deleteBody(templateId) });
  }

  private async call(request: ProxyRequest, emptyOn: number[] = []): Promise<Record<string, unknown>> {
    let answer: WeChatAnswer;
    try {
      answer = await this.broker.componentCall(request);
    } catch (error) {
      if (error instanceof BrokerError) throw explainBrokerError(request.path, error, this.brokerUrl);
      throw error;
    }
    if (!answer.isJson) throw new ShipError(`${request.path}: WeChat's answer is not JSON (HTTP ${answer.status}).`);
    const body = answer.json();
    const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
    if (errcode === 0) return body;
    if (emptyOn.includes(errcode)) return {};
    throw new TemplateApiError(request.path, errcode, typeof body.errmsg === 'string' ? body.errmsg : '');
  }
}

export const addBody = (draftId: number) => ({ draft_id: draftId, template_type: TEMPLATE_TYPE });
export const deleteBody = (templateId: number) => ({ template_id: templateId });

function list(body: Record<string, unknown>, field: string): Record<string, unknown>[] {
  const value = body[field];
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

/** Ids and times may come as strings (spec §9 #8). */
const num = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

function toDraft(raw: Record<string, unknown>): Draft {
  return {
    draftId: num(raw.draft_id),
    userVersion: str(raw.user_version),
    userDesc: str(raw.user_desc),
    createTime: num(raw.create_time),
    sourceAppid: str(raw.source_miniprogram_appid),
    sourceName: str(raw.source_miniprogram),
  };
}

function toTemplate(raw: Record<string, unknown>): Template {
  return {
    templateId: num(raw.template_id),
    draftId: num(raw.draft_id),
    userVersion: str(raw.user_version),
    userDesc: str(raw.user_desc),
    createTime: num(raw.create_time),
    sourceAppid: str(raw.source_miniprogram_appid),
    templateType: num(raw.template_type ?? 0),
  };
}

/** Newest first: by create_time, then by id (a later template has a larger id). */
export function newestFirst(templates: Template[]): Template[] {
  return [...templates].sort((a, b) => b.createTime - a.createTime || b.templateId - a.templateId);
}

/**
 * The draft an upload made: same 开发小程序 and user_version, uploaded after the upload started
 * (less the clock skew allowed); its user_desc may carry WeChat's appended "… 提交上传" line, so
 * the description only breaks ties (spec §2.1). The newest wins.
 */
export function findUploadedDraft(
  drafts: Draft[],
  want: { appid: string; version: string; desc: string; notBefore: number },
): Draft | undefined {
  const candidates = drafts.filter(
    (d) => d.sourceAppid === want.appid && d.userVersion === want.version && d.createTime >= want.notBefore,
  );
  const score = (d: Draft) => (d.userDesc.startsWith(want.desc) ? 1 : 0);
  return candidates.sort((a, b) => score(b) - score(a) || b.createTime - a.createTime || b.draftId - a.draftId)[0];
}

export interface PruneRule {
  /** Keep this many of the newest templates. */
  keep?: number;
  /** Delete only templates created before this (unix seconds). */
  olderThan?: number;
  /** Never deleted (--protect, and the templates running or paused jobs ship). */
  protect: Set<number>;
}

/**
 * What a prune deletes: the templates beyond the newest `keep` (when given) that were created
 * before `olderThan` (when given); never a protected one, which is kept besides the newest `keep`.
 */
export function pruneSelection(templates: Template[], rule: PruneRule): { remove: Template[]; keep: Template[] } {
  const ordered = newestFirst(templates);
  const remove: Template[] = [];
  const keep: Template[] = [];
  ordered.forEach((t, index) => {
    const beyondKeep = rule.keep === undefined || index >= rule.keep;
    const oldEnough = rule.olderThan === undefined || t.createTime < rule.olderThan;
    (beyondKeep && oldEnough && !rule.protect.has(t.templateId) ? remove : keep).push(t);
  });
  return { remove, keep };
}

/** Reads which templates running and paused release jobs ship (the broker's `ship/templates`). */
export interface JobTemplates {
  templates(): Promise<{ templates: ShipTemplateInUse[] }>;
}

/** Why a template is never deleted: the jobs that ship it, in words. */
export function inUseText(use: ShipTemplateInUse): string {
  return use.jobs.map((job) => `${job.state} job ${job.jobId} (${job.userVersion})`).join(', ');
}

/**
 * The templates release jobs ship, read before anything is deleted; without them nothing is
 * deleted (a job whose template is gone fails its next commit with 85014).
 */
export async function templatesInUse(jobs: JobTemplates, brokerUrl: string): Promise<Map<number, ShipTemplateInUse>> {
  try {
    const { templates } = await jobs.templates();
    return new Map(templates.map((use) => [use.templateId, use]));
  } catch (error) {
    const why =
      error instanceof BrokerError && error.code === 'SCOPE_DENIED'
        ? 'the broker refused (SCOPE_DENIED): add "ship" to the key\'s "ops" in BROKER_CLIENT_KEYS (its "appids" must be "*")'
        : error instanceof BrokerError && error.code === 'TRANSPORT'
          ? `the broker at ${brokerUrl} cannot be reached`
          : (error as Error).message;
    throw new ShipError('cannot read which templates release jobs use, so nothing was deleted.', [why]);
  }
}
