/**
 * `POST /cgi-bin/component/<api>`: what every component API call goes through before and after
 * its handler — injected faults, the IP allow-list (61004), daily quotas (45009), the component
 * token in the query (41001/40014/40001/42001), JSON parsing (47001) — and the call record.
 * Answers are always HTTP 200; errors are `{errcode, errmsg … rid: …}` (spec §0, §12).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkComponentToken } from '../../shared/tokens';
import { errorBody, WeChatApiError } from '../../state/errors';
import type { FaultRegistry } from '../../state/faults';
import type { DailyQuota } from '../../state/quota';
import type { PlatformState } from '../../state/platform-state';
import { API_NAMES, type ApiCallRecord, type ApiName } from '../../state/types';
import type { ApiHandler, JsonBody } from './handlers';

export interface ApiRouteDeps {
  state: PlatformState;
  handlers: Record<ApiName, ApiHandler>;
  faults: FaultRegistry;
  quota: DailyQuota;
  calls: ApiCallRecord[];
  ipAllowList?: string[];
  log: (line: string) => void;
}

type Outcome = { body: object; errcode: number; fault?: ApiCallRecord['fault'] };

/** IPv4 clients on a dual-stack socket show up as `::ffff:1.2.3.4`. */
export function clientIpOf(request: FastifyRequest): string {
  return request.ip.replace(/^::ffff:/, '');
}

function parseJsonObject(raw: unknown): JsonBody {
  if (typeof raw !== 'string' || raw.trim() === '') throw new WeChatApiError(47001);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WeChatApiError(47001);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WeChatApiError(47001);
  return parsed as JsonBody;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function registerApiRoutes(app: FastifyInstance, deps: ApiRouteDeps): void {
  for (const api of API_NAMES) {
    app.post(`/cgi-bin/component/${api}`, (request, reply) => serve(api, request, reply, deps));
  }
}

async function serve(api: ApiName, request: FastifyRequest, reply: FastifyReply, deps: ApiRouteDeps): Promise<void> {
  const clientIp = clientIpOf(request);
  const record = (errcode: number, fault?: ApiCallRecord['fault']): void => {
    deps.calls.push({ api, at: deps.state.clock.now(), errcode, clientIp, ...(fault ? { fault } : {}) });
    deps.log(`${api} from ${clientIp}: errcode ${errcode}${fault ? ` (fault: ${fault})` : ''}`);
  };

  const fault = deps.faults.take(api);
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault?.drop) {
    record(-1, 'drop');
    reply.hijack();
    request.raw.socket.destroy();
    return;
  }

  const outcome: Outcome =
    fault?.errcode !== undefined
      ? { body: errorBody(fault.errcode), errcode: fault.errcode, fault: 'errcode' }
      : handle(api, request, clientIp, deps);
  if (fault?.skipListed && api === 'api_get_authorizer_list') withoutFirstListed(outcome.body, fault.skipListed);
  if (fault?.dropReply) {
    record(outcome.errcode, 'drop');
    reply.hijack();
    request.raw.socket.destroy();
    return;
  }
  record(outcome.errcode, outcome.fault ?? (fault?.delayMs ? 'delay' : undefined));
  await reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(outcome.body));
}

function withoutFirstListed(body: object, count: number): void {
  const page = body as { list?: unknown };
  if (Array.isArray(page.list)) page.list = page.list.slice(count);
}

function handle(api: ApiName, request: FastifyRequest, clientIp: string, deps: ApiRouteDeps): Outcome {
  try {
    if (deps.ipAllowList && !deps.ipAllowList.includes(clientIp)) throw new WeChatApiError(61004, `requestIP: ${clientIp}`);
    if (deps.quota.exhausted(api)) throw new WeChatApiError(45009);
    const handler = deps.handlers[api];
    if (handler.needsToken) checkComponentToken(request, deps.state);
    const body = handler.handle(parseJsonObject(request.body));
    deps.quota.countSuccess(api);
    return { body, errcode: 0 };
  } catch (error) {
    if (error instanceof WeChatApiError) return { body: errorBody(error.errcode, error.detail), errcode: error.errcode };
    deps.log(`${api}: internal error ${(error as Error).message}`);
    return { body: errorBody(-1), errcode: -1 };
  }
}
