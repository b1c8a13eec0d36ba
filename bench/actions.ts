import type { ActionName, ActionResult, Actions } from '../typings/api';
import type { LocalStack } from '../emulator/stack';

/** Sends `{action, payload}` somewhere (the warm instance, a fresh one) as one merchant. */
export type Invoke = (data: { action: ActionName; payload: unknown }, openid: string) => Promise<unknown>;

export function stackInvoke(stack: LocalStack): Invoke {
  return (data, openid) => stack.call(openid, data.action, data.payload);
}

/** One action; an `{ok:false}` answer becomes an error, so a benchmark never times a failure as a success. */
export async function callAction<A extends ActionName>(
  invoke: Invoke,
  openid: string,
  action: A,
  payload: Actions[A]['input'],
): Promise<Actions[A]['output']> {
  const result = (await invoke({ action, payload }, openid)) as ActionResult<A>;
  if (!result.ok) throw new Error(`${action} failed: ${result.error.code} ${result.error.message}`);
  return result.data;
}

/** The plugin channel, as the mini-program starts it. */
export const PLUGIN_SESSION = { authType: 3, channel: 'plugin' } as const;

/**
 * One whole plugin authorization: a session, the merchant's confirmation (awaiting WeChat's push
 * delivery), then the page's view of it, which must say authorized.
 */
export async function authorizeAccount(stack: LocalStack, openid: string, authorizerAppid: string): Promise<void> {
  const invoke = stackInvoke(stack);
  const session = await callAction(invoke, openid, 'createAuthSession', PLUGIN_SESSION);
  if (!session.plugin) throw new Error('createAuthSession gave no plugin launch data');
  await stack.openPlatform.confirmAuthorization({ preAuthCode: session.plugin.preAuthCode, authorizerAppid, channel: 'plugin' });
  const view = await callAction(invoke, openid, 'getAuthSession', { sessionId: session.sessionId });
  if (view.status !== 'authorized') throw new Error(`authorization of ${authorizerAppid} ended ${view.status}`);
}
