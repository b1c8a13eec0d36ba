/**
 * The small HTTP pipeline the token-checked APIs share (areas/authorizer, areas/templates,
 * areas/custom-send): JSON bodies, next-call faults by path, and one `serve()` that answers and
 * records a call. The component APIs of areas/authorization keep their own pipeline (quotas, IPs).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, WeChatApiError } from '../state/errors';
import type { PlatformState } from '../state/platform-state';
import type { AuthorizerApiCallRecord } from '../state/types';

/**
 * What the next calls of a path do instead: answer an errcode, or answer as usual with `extra`
 * fields added to the JSON (a leaky answer, e.g. a refresh token a proxy must not pass on).
 */
export type AuthorizerApiFault = { errcode: number } | { extra: Record<string, unknown> };

/** Next-call faults per path, for tests of how a caller reacts. */
export class AuthorizerApiFaults {
  private readonly queued = new Map<string, { fault: AuthorizerApiFault; times: number }>();

  inject(rule: { path: string; times?: number } & AuthorizerApiFault): void {
    const { path, times, ...fault } = rule;
    this.queued.set(path, { fault, times: times ?? 1 });
  }

  clear(): void {
    this.queued.clear();
  }

  take(path: string): AuthorizerApiFault | undefined {
    const rule = this.queued.get(path);
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.queued.delete(path);
    return rule.fault;
  }
}

/** What `serve()` needs: the state (for the clock), the call records, the faults and the log. */
export interface TokenApiDeps {
  state: PlatformState;
  calls: AuthorizerApiCallRecord[];
  faults: AuthorizerApiFaults;
  log: (line: string) => void;
}

export type Answer = { type: 'json'; body: object } | { type: 'binary'; contentType: string; body: Buffer };

export const json = (body: object): Answer => ({ type: 'json', body });

export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through: WeChat answers 47001 to a body it cannot read
  }
  throw new WeChatApiError(47001);
}

/** Records the call and answers it: a fault's errcode, or the handler's answer (with a fault's extra fields). */
export async function serve(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: TokenApiDeps,
  handle: () => { appid: string | null; answer: Answer },
): Promise<void> {
  const path = request.url.split('?')[0];
  let appid: string | null = null;
  let answer: Answer;
  try {
    const fault = deps.faults.take(path);
    if (fault && 'errcode' in fault) throw new WeChatApiError(fault.errcode);
    ({ appid, answer } = handle());
    if (fault && answer.type === 'json') answer = json({ ...answer.body, ...fault.extra });
  } catch (error) {
    const errcode = error instanceof WeChatApiError ? error.errcode : -1;
    if (!(error instanceof WeChatApiError)) deps.log(`${path}: internal error ${(error as Error).message}`);
    answer = json(errorBody(errcode));
  }
  const errcode = answer.type === 'json' ? Number((answer.body as { errcode?: number }).errcode ?? 0) : 0;
  deps.calls.push({ path, method: request.method, appid, errcode, at: deps.state.clock.now() });
  deps.log(`${request.method} ${path}: errcode ${errcode}`);
  if (answer.type === 'binary') {
    await reply.code(200).header('content-type', answer.contentType).send(answer.body);
    return;
  }
  await reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer.body));
}
