/**
 * Calls a WeChat API with a token the caller never sees: the token goes into the query, WeChat's
 * answer comes back as it is (JSON, an image, anything) with the token scrubbed should WeChat echo
 * it, and any token or code field blanked. A rejected token (40001/40014/42001) is dropped only if
 * it is still the stored one, and the call is retried once with a fresh token. Only authorizer
 * APIs get a merchant's token and only the closed list gets the component token (wechatApis.ts),
 * so a 40014 always speaks of the token this proxy put in.
 */
import type { BrokerDeps } from './deps';
import { permissionName } from '../permissions';
import { issuedToken, markBroken } from './access';
import { refuse } from './refusal';
import type { Usage } from './usage';
import { checkAuthorizerApi, checkComponentApi } from './wechatApis';
import { requestRaw, type RawOutcome } from './wechatHttp';
import { permissionSetOf, targetUrl } from './wechatPath';

export interface WeChatCall {
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  body?: Buffer;
  contentType?: string;
}

export interface WeChatAnswerBytes {
  status: number;
  contentType: string;
  body: Buffer;
}

const TOKEN_REJECTED = new Set([40001, 40014, 42001]);
const AUTHORIZATION_BROKEN = new Set([61003, 61023]);
const SET_NOT_GRANTED = 61007;
/** Error answers are small JSON; don't parse a big body looking for an errcode. */
const MAX_ERROR_BODY = 64 * 1024;

interface TokenSource {
  get(): Promise<string>;
  /** Drop this token if it is still the stored one. */
  drop(token: string): Promise<unknown>;
  param: string;
}

export class WeChatProxy {
  constructor(
    private readonly app: BrokerDeps,
    private readonly usage: Usage,
  ) {}

  async forAuthorizer(appid: string, call: WeChatCall): Promise<WeChatAnswerBytes> {
    checkAuthorizerApi(call.path);
    const { authorizerTokens } = this.app;
    const source: TokenSource = {
      get: async () => (await issuedToken(this.app, appid)).accessToken,
      drop: (token) => authorizerTokens.invalidateIfCurrent(appid, token),
      param: 'access_token',
    };
    const { answer, errcode, tokens } = await this.withRetry(appid, call, source);
    if (errcode === SET_NOT_GRANTED) throw await this.setNotGranted(appid, call.path);
    if (AUTHORIZATION_BROKEN.has(errcode)) throw await markBroken(this.app, appid, tokens[tokens.length - 1], errcode);
    return scrub(answer, tokens);
  }

  /** Component-level APIs (spec §15.2) with the platform's component token. */
  async forComponent(call: WeChatCall): Promise<WeChatAnswerBytes> {
    checkComponentApi(call.path);
    const { componentTokens, config } = this.app;
    const source: TokenSource = {
      get: () => componentTokens.token(),
      drop: (token) => componentTokens.invalidate(token),
      param: 'component_access_token',
    };
    const { answer, tokens } = await this.withRetry(config.componentAppId, call, source);
    return scrub(answer, tokens);
  }

  private async withRetry(usageKey: string, call: WeChatCall, source: TokenSource) {
    const first = await source.get();
    let answer = await this.send(usageKey, call, source.param, first);
    let errcode = errcodeOf(answer);
    const tokens = [first];
    if (TOKEN_REJECTED.has(errcode)) {
      await source.drop(first);
      const second = await source.get();
      tokens.push(second);
      answer = await this.send(usageKey, call, source.param, second);
      errcode = errcodeOf(answer);
    }
    return { answer, errcode, tokens };
  }

  private async send(usageKey: string, call: WeChatCall, param: string, token: string): Promise<WeChatAnswerBytes> {
    const { config, now } = this.app;
    const outcome = await requestRaw({
      method: call.method,
      url: targetUrl(config.apiBaseUrl, call.path, call.query, { param, value: token }),
      body: call.method === 'POST' ? (call.body ?? Buffer.alloc(0)) : undefined,
      contentType: call.contentType,
      timeoutMs: config.apiTimeoutMs,
    });
    if (outcome.kind !== 'response') {
      await this.usage.record(usageKey, call.path, -1, now());
      throw unreachable(outcome);
    }
    await this.usage.record(usageKey, call.path, errcodeOf(outcome), now());
    return outcome;
  }

  private async setNotGranted(appid: string, path: string) {
    const doc = await this.app.authorizers.get(appid);
    const id = permissionSetOf(path, doc?.kind);
    const which = id === undefined ? 'the permission set that contains this API' : `permission set ${id} (${permissionName(id)})`;
    return refuse(
      'SET_NOT_GRANTED',
      `the merchant has not granted ${which}; they must update the authorization (更新授权) and tick it`,
      {
        errcode: SET_NOT_GRANTED,
        ...(id === undefined ? {} : { permissionSet: { id, name: permissionName(id) } }),
      },
    );
  }
}

function unreachable(outcome: Exclude<RawOutcome, { kind: 'response' }>) {
  const why = {
    timeout: 'did not answer in time',
    network: 'could not be reached',
    too_large: 'answered with a body too large to pass on',
  };
  return refuse('UPSTREAM', `WeChat ${why[outcome.kind]}`);
}

/** WeChat's errcode in a JSON answer; 0 for success and for any non-JSON answer (an image). */
export function errcodeOf(answer: WeChatAnswerBytes): number {
  if (answer.body.length > MAX_ERROR_BODY || !/json|text\/plain/i.test(answer.contentType)) return 0;
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { errcode?: unknown };
    return typeof parsed.errcode === 'number' ? parsed.errcode : 0;
  } catch {
    return 0;
  }
}

/** The tokens we sent replaced wherever they appear, then every token or code field blanked. */
export function scrub(answer: WeChatAnswerBytes, tokens: string[]): WeChatAnswerBytes {
  return scrubSecretFields(scrubSent(answer, tokens));
}

/**
 * Field names whose values are credentials, compared in lower case without `_` or `-`: any access
 * or refresh token, `token`, a ticket, a session key, an authorization or pre-auth code.
 */
const SECRET_NAME = /(accesstoken|refreshtoken|ticket|sessionkey|authcode|authorizationcode|preauthcode)$|^token$/;
const MAY_HOLD_SECRET = /token|ticket|session|code/i;

const isSecretName = (key: string) => SECRET_NAME.test(key.toLowerCase().replace(/[_-]/g, ''));

/**
 * A JSON answer (whatever its content type says) with a field named like a credential is
 * re-serialised with those values, of any type, replaced by `***`; any other answer is passed on
 * byte for byte.
 */
export function scrubSecretFields(answer: WeChatAnswerBytes): WeChatAnswerBytes {
  // An image or any other answer that does not open like JSON is never decoded as text.
  if (!opensLikeJson(answer.body)) return answer;
  const text = answer.body.toString('utf8').replace(/^\uFEFF/, '');
  if (!MAY_HOLD_SECRET.test(text)) return answer;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return answer;
  }
  let blanked = 0;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        if (!isSecretName(key)) return [key, walk(inner)];
        blanked += 1;
        return [key, '***'];
      }),
    );
  };
  const cleaned = walk(parsed);
  return blanked === 0 ? answer : { ...answer, body: Buffer.from(JSON.stringify(cleaned), 'utf8') };
}

/** The first byte after a BOM and whitespace is `{` or `[`. */
function opensLikeJson(body: Buffer): boolean {
  let at = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  while (at < body.length && (body[at] === 0x20 || body[at] === 0x09 || body[at] === 0x0a || body[at] === 0x0d)) at += 1;
  return body[at] === 0x7b || body[at] === 0x5b;
}

/** Replaces every occurrence of a token we sent with asterisks, whatever the content type. */
function scrubSent(answer: WeChatAnswerBytes, tokens: string[]): WeChatAnswerBytes {
  let body = answer.body;
  for (const token of tokens) {
    const needle = Buffer.from(token, 'utf8');
    if (needle.length === 0 || body.indexOf(needle) < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, from)) {
      parts.push(body.subarray(from, at), Buffer.from('***'));
      from = at + needle.length;
    }
    parts.push(body.subarray(from));
    body = Buffer.concat(parts);
  }
  return { ...answer, body };
}
