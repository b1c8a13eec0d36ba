import type { WxContext } from './context';

/**
 * `cloud.openapi` of the local runtime: the calls a function makes with the cloud's own credentials
 * (no access_token in sight). Only what the product uses is here: `subscribeMessage.send`, which
 * is recorded instead of reaching a phone. As in WeChat's cloud, a function may call only the
 * APIs its config.json lists under `permissions.openapi`; others fail with -604101.
 */

export interface SentSubscribeMessage {
  /** The function that sent it. */
  functionName: string;
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState?: string;
  at: number;
}

/** Every subscribe message the functions sent, in order; tests read and steer it. */
export class SubscribeMessageOutbox {
  readonly sent: SentSubscribeMessage[] = [];
  /** errCodes to answer for the next sends, one each (e.g. 43101: the user has no quota left). */
  readonly failNext: number[] = [];
}

export interface OpenApiDeps {
  functionName: string;
  /** `permissions.openapi` of the function's config.json. */
  permitted: readonly string[];
  outbox: SubscribeMessageOutbox;
  now(): number;
  /** The invocation's context: OPENID/APPID are not needed, the call is the function's own. */
  context(): WxContext;
}

/** The rejection wx-server-sdk gives: an Error carrying errCode and errMsg. */
class OpenApiError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
  ) {
    super(`errCode: ${errCode} | errMsg: ${errMsg}`);
  }
}

const NAME_FIELD = /^[a-z][a-zA-Z0-9_]{0,31}$/;

export function createOpenApi(deps: OpenApiDeps) {
  return {
    subscribeMessage: {
      async send(options: unknown): Promise<{ errCode: number; errMsg: string }> {
        const api = 'subscribeMessage.send';
        if (!deps.permitted.includes(api)) {
          throw new OpenApiError(-604101, `openapi.${api}:fail function has no permission to call this API`);
        }
        const o = (options ?? {}) as Partial<SentSubscribeMessage>;
        if (typeof o.touser !== 'string' || o.touser === '' || typeof o.templateId !== 'string' || o.templateId === '') {
          throw new OpenApiError(47003, `openapi.${api}:fail argument invalid! touser and templateId are required`);
        }
        const data = o.data ?? {};
        for (const [key, field] of Object.entries(data)) {
          if (!NAME_FIELD.test(key) || typeof field?.value !== 'string') {
            throw new OpenApiError(47003, `openapi.${api}:fail argument invalid! data.${key}.value`);
          }
        }
        const failure = deps.outbox.failNext.shift();
        if (failure !== undefined) throw new OpenApiError(failure, `openapi.${api}:fail ${failure}`);
        deps.outbox.sent.push({
          functionName: deps.functionName,
          touser: o.touser,
          templateId: o.templateId,
          ...(o.page ? { page: o.page } : {}),
          data: JSON.parse(JSON.stringify(data)) as SentSubscribeMessage['data'],
          ...(o.miniprogramState ? { miniprogramState: o.miniprogramState } : {}),
          at: deps.now(),
        });
        return { errCode: 0, errMsg: `openapi.${api}:ok` };
      },
    },
  };
}
