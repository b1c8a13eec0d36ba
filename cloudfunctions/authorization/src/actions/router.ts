import type { ActionError, ActionName, ActionResult } from '../../../../typings/api';
import type { App } from '../app';
import { AppError, forbidden } from '../errors';
import { isConfigurationError, isOpenApiError, isTicketError } from '../openapi/errors';
import { handlers, type Caller } from './handlers';
import { describeInputIssue, INPUT_PARSE } from './inputErrors';
import { audited, auditedAfter, auditTarget } from '../console/audit';
import { ADMIN_ACTIONS, ADMIN_CHANGE_ACTIONS, isActionName, schemas } from './schemas';

/**
 * callFunction entry: `{ action, payload }` in, `{ ok, data | error }` out. The caller's identity
 * comes only from the trusted WX context; anything identity-like in the payload is rejected by
 * the strict schemas.
 */
export async function handleAction(app: App, event: unknown, openid: string | undefined): Promise<ActionResult<ActionName>> {
  try {
    const { action, payload } = readRequest(event);
    if (!openid) throw forbidden('无法识别调用者身份');
    const caller: Caller = { openid, isAdmin: app.config.adminOpenIds.includes(openid) };
    if (ADMIN_ACTIONS.has(action) && !caller.isAdmin) throw forbidden();
    const parsed = schemas[action].safeParse(payload ?? {}, INPUT_PARSE);
    if (!parsed.success) throw new AppError('INVALID_INPUT', describeInputIssue(parsed.error.issues[0]));
    const handler = handlers[action] as (app: App, caller: Caller, input: unknown) => Promise<unknown>;
    const run = () => handler(app, caller, parsed.data);
    // Admin changes land in the audit log (the console's 操作记录), whoever makes them and from where.
    const entry = { openid, source: 'miniprogram' as const, action, target: auditTarget(action, parsed.data) };
    // setupDatabase creates the log's collection: it can only be recorded after it ran.
    const logged = action === 'setupDatabase' ? auditedAfter : audited;
    const data = ADMIN_CHANGE_ACTIONS.has(action) ? await logged(app, entry, run) : await run();
    return { ok: true, data } as ActionResult<ActionName>;
  } catch (error) {
    return { ok: false, error: toActionError(app, error) };
  }
}

function readRequest(event: unknown): { action: ActionName; payload: unknown } {
  const body = (event ?? {}) as { action?: unknown; payload?: unknown };
  if (!isActionName(body.action)) throw new AppError('UNKNOWN_ACTION', '不支持的操作');
  return { action: body.action, payload: body.payload };
}

/** Every failure becomes a code and a message a page can show; details go to the log, not the caller. */
export function toActionError(app: App, error: unknown): ActionError {
  if (error instanceof AppError) return error.toJSON();
  if (isOpenApiError(error)) {
    app.log.warn('upstream error', { api: error.api, errcode: error.errcode, category: error.category });
    if (isConfigurationError(error)) return { code: 'CONFIGURATION', message: '平台配置有误，请联系服务商处理' };
    if (isTicketError(error)) return { code: 'NOT_READY', message: '平台尚未收到有效的微信推送票据，请稍后重试' };
    return { code: 'UPSTREAM', message: '微信服务暂时不可用，请稍后重试' };
  }
  app.log.warn('internal error', { name: error instanceof Error ? error.name : typeof error });
  return { code: 'INTERNAL', message: '服务出错了，请稍后重试' };
}
