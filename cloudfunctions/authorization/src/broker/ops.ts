/**
 * The broker's operations, shared by both ways in: each validates its input (strictly: unknown
 * fields are errors), then does one thing. Answers never contain a token except `token`'s own.
 */
import {
  array,
  boolean,
  discriminatedUnion,
  enum as oneOf,
  gte,
  literal,
  nullable,
  union,
  int,
  lte,
  maxLength,
  minLength,
  number,
  optional,
  record,
  regex,
  strictObject,
  string,
  unknown,
  type ZodMiniType,
} from 'zod/mini';
import {
  BODY_LIMITS,
  OP_SCOPE,
  type AuthorizerPage,
  type BrokerOp,
  type BrokerOps,
  type BrokerScope,
  type ProxyResponse,
  type ShipOpInput,
} from '../../../../clients/broker-client/src/wire';
import { runShipOp } from './shipOp';
import type { BrokerDeps } from './deps';
import { describeInputIssue, INPUT_PARSE } from '../actions/inputErrors';
import { issuedToken } from './access';
import { errcodeOf, type WeChatAnswerBytes, type WeChatCall, type WeChatProxy } from './proxy';
import { BrokerRefusal, refuse } from './refusal';
import { checkScope, type BrokerCaller } from './scope';
import type { CallerOutcome, Usage } from './usage';
import { checkQuery, checkWeChatPath } from './wechatPath';

export interface BrokerServices {
  proxy: WeChatProxy;
  usage: Usage;
}

const appid = string().check(regex(/^wx[0-9a-zA-Z]{16}$/, 'appid must be wx followed by 16 letters or digits'));
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** A cap on the text zod looks at; the body's own limit (BODY_LIMITS) is checked after decoding. */
const MAX_BODY_BASE64 = 8 * 1024 * 1024;
const TOKEN_REJECTION_CODES = [40001, 40014, 42001];
const REPORT_MIN_AGE_MS = 60_000;

const proxyFields = {
  method: oneOf(['GET', 'POST']),
  path: string().check(maxLength(200)),
  query: optional(record(string(), string())),
  json: optional(unknown()),
  body: optional(
    strictObject({
      base64: string().check(maxLength(MAX_BODY_BASE64), regex(BASE64, 'body.base64 must be base64')),
      contentType: string().check(
        regex(/^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;.{0,100})?$/, 'body.contentType must be a media type'),
      ),
    }),
  ),
};

const jobId = string().check(regex(/^ship-[0-9a-f]{24}$/, 'jobId must be a job id from create'));
const percentage = number().check(int(), gte(1), lte(100));

/** The `ship` operation's actions (JSON bodies, so BODY_LIMITS.json applies over HTTP). */
const shipSchema: ZodMiniType<ShipOpInput> = discriminatedUnion('action', [
  strictObject({
    action: literal('create'),
    templateId: number().check(int(), gte(0)),
    userVersion: string().check(minLength(1), maxLength(64)),
    userDesc: string().check(maxLength(1024)),
    versionDesc: optional(string().check(maxLength(1024))),
    extJsonTemplate: record(string(), unknown()),
    release: optional(oneOf(['auto', 'command'])),
    grayPercentage: optional(nullable(percentage)),
    graySchedule: optional(
      nullable(strictObject({ steps: array(percentage).check(maxLength(10)), intervalMinutes: number().check(int(), gte(1)) })),
    ),
    privacyApiNotUse: optional(boolean()),
    targets: union([literal('all'), array(appid).check(minLength(1), maxLength(1000))]),
    waveSizes: optional(array(number().check(int(), gte(1))).check(maxLength(100))),
    rejectionThreshold: optional(number().check(gte(0), lte(1))),
    quotaReserve: optional(number().check(int(), gte(0))),
  }),
  strictObject({
    action: literal('status'),
    jobId,
    offset: optional(number().check(int(), gte(0), lte(100_000))),
    limit: optional(number().check(int(), gte(1), lte(100))),
  }),
  strictObject({ action: literal('pause'), jobId, reason: string().check(minLength(1), maxLength(200)) }),
  strictObject({ action: literal('resume'), jobId }),
  strictObject({ action: literal('release'), jobId, appid: optional(appid), percentage: optional(nullable(percentage)) }),
  strictObject({ action: literal('rollback'), jobId, appid: optional(appid) }),
  strictObject({ action: literal('retry'), jobId, appid: optional(appid) }),
  strictObject({ action: literal('values'), appid, values: record(string(), string().check(maxLength(1024))) }),
  strictObject({ action: literal('templates') }),
]);

const SCHEMAS: { [K in BrokerOp]: ZodMiniType<BrokerOps[K]['input']> } = {
  token: strictObject({ appid }),
  reportRejected: strictObject({
    appid,
    accessToken: string().check(minLength(1), maxLength(1024)),
    errcode: number().check(int()),
  }),
  call: strictObject({ appid, ...proxyFields }),
  componentCall: strictObject(proxyFields),
  listAuthorizers: strictObject({
    after: optional(string().check(regex(/^[A-Za-z0-9_-]{1,64}$/, 'after must be an appid from the previous page'))),
    limit: optional(number().check(int(), gte(1), lte(100))),
  }),
  ship: shipSchema,
};

export function isBrokerOp(op: unknown): op is BrokerOp {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(SCHEMAS, op);
}

export function parseInput<K extends BrokerOp>(op: K, input: unknown): BrokerOps[K]['input'] {
  const parsed = SCHEMAS[op].safeParse(input ?? {}, INPUT_PARSE);
  if (!parsed.success) throw refuse('INVALID_INPUT', describeInputIssue(parsed.error.issues[0]));
  return parsed.data;
}

/** A proxied call from its wire form: path and query checked, JSON or binary body as bytes. */
export function toWeChatCall(input: BrokerOps['componentCall']['input']): WeChatCall {
  if (input.json !== undefined && input.body !== undefined) throw refuse('INVALID_INPUT', 'send either json or body, not both');
  const call: WeChatCall = { method: input.method, path: checkWeChatPath(input.path), query: checkQuery(input.query) };
  const body =
    input.json !== undefined
      ? { bytes: Buffer.from(JSON.stringify(input.json), 'utf8'), contentType: 'application/json' }
      : input.body && { bytes: Buffer.from(input.body.base64, 'base64'), contentType: input.body.contentType };
  if (!body) return call;
  checkBodySize(body.bytes.length, body.contentType);
  return { ...call, body: body.bytes, contentType: body.contentType };
}

/** JSON and other text bodies up to BODY_LIMITS.json, anything else up to BODY_LIMITS.binary. */
export function checkBodySize(bytes: number, contentType: string): void {
  const [kind, limit] = isTextType(contentType) ? ['JSON or text', BODY_LIMITS.json] : ['binary', BODY_LIMITS.binary];
  if (bytes > limit) throw refuse('BODY_TOO_LARGE', `a ${kind} body may be at most ${limit} bytes; this one is ${bytes}`);
}

export const isTextType = (contentType: string) => /^(text\/|application\/([a-z.+-]*\+)?(json|xml)\b)/i.test(contentType.trim());

export function toProxyResponse(answer: WeChatAnswerBytes): ProxyResponse {
  const base = { status: answer.status, contentType: answer.contentType };
  return isTextType(answer.contentType)
    ? { ...base, text: answer.body.toString('utf8') }
    : { ...base, base64: answer.body.toString('base64') };
}

export async function reportRejected(
  app: BrokerDeps,
  input: BrokerOps['reportRejected']['input'],
): Promise<{ invalidated: boolean }> {
  if (!TOKEN_REJECTION_CODES.includes(input.errcode)) {
    throw refuse('INVALID_INPUT', `only a token rejected with ${TOKEN_REJECTION_CODES.join('/')} can be reported`);
  }
  // A token younger than a minute is kept: a caller cannot make the broker refresh in a loop.
  return { invalidated: await app.authorizerTokens.invalidateIfCurrent(input.appid, input.accessToken, REPORT_MIN_AGE_MS) };
}

/**
 * One page in appid order from a cursor: no page skips over earlier ones, at 100,000 neither. A
 * caller scoped to some appids sees only those.
 */
export async function listAuthorizers(
  app: BrokerDeps,
  input: BrokerOps['listAuthorizers']['input'],
  appids: BrokerScope['appids'],
): Promise<AuthorizerPage> {
  const after = input.after;
  const limit = input.limit ?? 50;
  const scoped =
    appids === '*'
      ? null
      : [...appids]
          .sort()
          .filter((id) => after === undefined || id > after)
          .slice(0, limit);
  if (scoped?.length === 0) return { authorizers: [], next: null };
  const docs = await app.authorizers.inAppidOrder(scoped ? { only: scoped } : { after }, limit);
  return {
    authorizers: docs.map((d) => ({
      appid: d._id,
      name: d.name,
      kind: d.kind,
      status: d.status,
      grantedSets: d.grantedSets,
      updatedAt: d.updatedAt,
    })),
    // A short page is not trusted to be the last (the server may cap pages): only an empty one is.
    // A scoped walk goes on past its appids that are not (or no longer) authorized.
    next: scoped ? scoped[scoped.length - 1] : docs.length > 0 ? docs[docs.length - 1]._id : null,
  };
}

type OpResult<K extends BrokerOp> = BrokerOps[K]['output'] | WeChatAnswerBytes;

/**
 * Runs one operation for an authenticated caller: input already parsed, then the WeChat path
 * checked, then the caller's scope, before anything is read or called. The caller's usage is
 * counted whatever the outcome; proxied answers come back as bytes.
 */
export async function runOp<K extends BrokerOp>(
  app: BrokerDeps,
  services: BrokerServices,
  caller: BrokerCaller,
  op: K,
  input: BrokerOps[K]['input'],
): Promise<OpResult<K>> {
  const path = (input as { path?: unknown }).path;
  // Counted under the operation until the path is known good and in scope: a refused caller
  // cannot make a counter row per made-up path.
  let api: string = op;
  try {
    if (typeof path === 'string') checkWeChatPath(path);
    checkScope(caller, op, input);
    if (typeof path === 'string') api = path;
    const result = await perform(app, services, caller, op, input);
    const errcode = op === 'call' || op === 'componentCall' ? errcodeOf(result as WeChatAnswerBytes) : 0;
    await services.usage.recordCaller(caller, api, { errcode }, app.now());
    return result;
  } catch (error) {
    const outcome = error instanceof BrokerRefusal ? refusalOutcome(error, op, input) : { errcode: -1 };
    await services.usage.recordCaller(caller, api, outcome, app.now());
    throw error;
  }
}

/** A refusal as counted; a scope refusal keeps what was asked (an operation, a checked path or appid). */
function refusalOutcome<K extends BrokerOp>(error: BrokerRefusal, op: K, input: BrokerOps[K]['input']): CallerOutcome {
  const { code, scope: part } = error.body;
  if (code !== 'SCOPE_DENIED' || !part) return { refusal: code };
  const asked = input as { path?: unknown; appid?: unknown };
  const value = part === 'operation' ? OP_SCOPE[op] : part === 'api' ? asked.path : asked.appid;
  return typeof value === 'string' ? { refusal: code, missing: { part, value } } : { refusal: code };
}

async function perform<K extends BrokerOp>(
  app: BrokerDeps,
  services: BrokerServices,
  caller: BrokerCaller,
  op: K,
  input: BrokerOps[K]['input'],
): Promise<OpResult<K>> {
  switch (op) {
    case 'token': {
      const { appid: id } = input as BrokerOps['token']['input'];
      const issued = await issuedToken(app, id);
      await services.usage.record(id, 'token', 0, app.now());
      return issued;
    }
    case 'reportRejected':
      return reportRejected(app, input as BrokerOps['reportRejected']['input']);
    case 'call': {
      const { appid: id, ...request } = input as BrokerOps['call']['input'];
      return services.proxy.forAuthorizer(id, toWeChatCall(request));
    }
    case 'componentCall':
      return services.proxy.forComponent(toWeChatCall(input as BrokerOps['componentCall']['input']));
    case 'listAuthorizers':
      return listAuthorizers(app, input as BrokerOps['listAuthorizers']['input'], caller.scope.appids);
    case 'ship':
      return runShipOp(app.shipping, input as ShipOpInput);
    default:
      throw refuse('INVALID_INPUT', 'unknown broker operation');
  }
}
