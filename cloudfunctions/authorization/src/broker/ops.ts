/**
 * The broker's operations, shared by both ways in: each validates its input (strictly: unknown
 * fields are errors), then does one thing. Answers never contain a token except `token`'s own.
 */
import {
  enum as oneOf,
  gte,
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
import type { AuthorizerPage, BrokerOp, BrokerOps, ProxyResponse } from '../../../../clients/broker-client/src/wire';
import type { App } from '../app';
import { describeInputIssue, INPUT_PARSE } from '../actions/inputErrors';
import type { AuthorizerDoc } from '../model';
import { COLLECTIONS } from '../store';
import { issuedToken } from './access';
import type { WeChatAnswerBytes, WeChatCall, WeChatProxy } from './proxy';
import { refuse } from './refusal';
import type { Usage } from './usage';
import { checkQuery, checkWeChatPath } from './wechatPath';

export interface BrokerServices {
  proxy: WeChatProxy;
  usage: Usage;
}

const appid = string().check(regex(/^wx[0-9a-zA-Z]{16}$/, 'appid must be wx followed by 16 letters or digits'));
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** The callFunction payload limit is a few MB; WeChat's media uploads stay under this. */
const MAX_BODY_BASE64 = 6 * 1024 * 1024;
const TOKEN_REJECTION_CODES = [40001, 40014, 42001];

const proxyFields = {
  method: oneOf(['GET', 'POST']),
  path: string(),
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
  if (input.json !== undefined)
    return { ...call, body: Buffer.from(JSON.stringify(input.json), 'utf8'), contentType: 'application/json' };
  if (input.body) return { ...call, body: Buffer.from(input.body.base64, 'base64'), contentType: input.body.contentType };
  return call;
}

export const isTextType = (contentType: string) => /^(text\/|application\/([a-z.+-]*\+)?(json|xml)\b)/i.test(contentType.trim());

export function toProxyResponse(answer: WeChatAnswerBytes): ProxyResponse {
  const base = { status: answer.status, contentType: answer.contentType };
  return isTextType(answer.contentType)
    ? { ...base, text: answer.body.toString('utf8') }
    : { ...base, base64: answer.body.toString('base64') };
}

export async function reportRejected(app: App, input: BrokerOps['reportRejected']['input']): Promise<{ invalidated: boolean }> {
  if (!TOKEN_REJECTION_CODES.includes(input.errcode)) {
    throw refuse('INVALID_INPUT', `only a token rejected with ${TOKEN_REJECTION_CODES.join('/')} can be reported`);
  }
  return { invalidated: await app.authorizerTokens.invalidateIfCurrent(input.appid, input.accessToken) };
}

/** One page in appid order from a cursor: no page skips over earlier ones, at 100,000 neither. */
export async function listAuthorizers(app: App, input: BrokerOps['listAuthorizers']['input']): Promise<AuthorizerPage> {
  const query = input.after === undefined ? {} : { _id: app.store.command.gt(input.after) };
  const docs = await app.store.find<AuthorizerDoc>(COLLECTIONS.authorizers, query, {
    orderBy: ['_id', 'asc'],
    limit: input.limit ?? 50,
  });
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
    next: docs.length > 0 ? docs[docs.length - 1]._id : null,
  };
}

/** Runs one operation with already-parsed input; proxied answers come back as bytes. */
export async function runOp<K extends BrokerOp>(
  app: App,
  services: BrokerServices,
  op: K,
  input: BrokerOps[K]['input'],
): Promise<BrokerOps[K]['output'] | WeChatAnswerBytes> {
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
      return listAuthorizers(app, input as BrokerOps['listAuthorizers']['input']);
    default:
      throw refuse('INVALID_INPUT', 'unknown broker operation');
  }
}
