import type { ActionError, ActionName, Actions, ActionResult, ErrorCode } from '../../typings/api';

/**
 * The one typed client every page uses to reach the cloud function. Transport (cloud or local)
 * is chosen once; failures of any kind become a `BackendError` with a message fit to show.
 */

export type Transport = (request: { action: ActionName; payload: unknown }) => Promise<unknown>;

export class BackendError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK',
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export const NETWORK_MESSAGE = '网络不给力，请检查网络后重试';

export interface Backend {
  call<A extends ActionName>(action: A, payload: Actions[A]['input']): Promise<Actions[A]['output']>;
}

function isActionResult(value: unknown): value is ActionResult<ActionName> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function createBackend(transport: Transport): Backend {
  return {
    async call(action, payload) {
      let answer: unknown;
      try {
        answer = await transport({ action, payload });
      } catch {
        throw new BackendError('NETWORK', NETWORK_MESSAGE);
      }
      if (!isActionResult(answer)) throw new BackendError('INTERNAL', '服务返回了无法识别的结果，请稍后重试');
      if (!answer.ok) {
        const error: ActionError = answer.error;
        throw new BackendError(error.code, error.message || '操作失败，请稍后重试');
      }
      return answer.data;
    },
  };
}

/** Plain Chinese for any thrown value, for toasts and dialogs. */
export function errorMessage(error: unknown): string {
  if (error instanceof BackendError) return error.message;
  return '出了点问题，请稍后重试';
}
