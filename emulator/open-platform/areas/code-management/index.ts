/**
 * WeChat's code management for authorized mini-programs (spec code-management.md): commit from
 * the template library, audit on the emulated clock with its events to the 消息与事件接收URL,
 * release, gray release and rollback, all with the authorizer token and set 18; and its
 * `/__emulator/code-management/…` routes. The state is `context.code` (state/code-management).
 */
import type { ProductArea } from '../../shared/area';
import { registerCodeManagementAdmin } from './admin';
import { registerAuditApis } from './audit-apis';
import { registerCommitApis } from './commit-apis';
import { sendAuditEvent } from './events';
import { codeManagementHandle } from './handle';
import { registerReleaseApis } from './release-apis';

export { AUDIT_EVENT_SENDER_OPENID } from './events';
export { categoryId, TEMPLATE_PAGES } from './commit-apis';
export { codeManagementHandle, type AuditEventFault, type CodeManagementHandle } from './handle';

/** Real ms an audit event may take to be answered (one attempt, spec §6.3). */
const EVENT_TIMEOUT_MS = 5000;

export const codeManagementArea: ProductArea = {
  name: 'code-management',
  register(app, { state, code, faults, authorizerCalls, authorizerApiFaults, log }) {
    const deps = { state, code, calls: authorizerCalls, faults: authorizerApiFaults, log };
    code.onDueStep((due) => sendAuditEvent({ state, faults, records: code.events, log, timeoutMs: EVENT_TIMEOUT_MS }, due));
    registerCommitApis(app, deps);
    registerAuditApis(app, deps);
    registerReleaseApis(app, deps);
    registerCodeManagementAdmin(app, codeManagementHandle(code, faults));
  },
};
