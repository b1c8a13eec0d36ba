/**
 * The callFunction way in: `{ broker: { secret, op, input } }` from another cloud function of the
 * provider, answered `{ ok: true, data } | { ok: false, error }`. Binary answers travel base64.
 */
import type { BrokerCallResult } from '../../../../clients/broker-client/src/wire';
import type { BrokerDeps } from './deps';
import { checkFunctionCaller, type CallerContext } from './callGuard';
import { isBrokerOp, parseInput, runOp, toProxyResponse } from './ops';
import type { WeChatAnswerBytes } from './proxy';
import { refuse } from './refusal';
import { brokerOf, countRevoked, toBrokerError } from './services';

export async function handleBrokerCall(
  app: BrokerDeps,
  event: { broker: unknown },
  wxContext: CallerContext,
): Promise<BrokerCallResult> {
  try {
    const request = (event.broker ?? {}) as { secret?: unknown; op?: unknown; input?: unknown };
    const caller = checkFunctionCaller(app.config, request.secret, wxContext);
    if (!isBrokerOp(request.op)) throw refuse('INVALID_INPUT', 'unknown broker operation');
    const result = await runOp(app, brokerOf(app), caller, request.op, parseInput(request.op, request.input));
    const data = request.op === 'call' || request.op === 'componentCall' ? toProxyResponse(result as WeChatAnswerBytes) : result;
    return { ok: true, data };
  } catch (error) {
    await countRevoked(app, error);
    return { ok: false, error: toBrokerError(app, error) };
  }
}
