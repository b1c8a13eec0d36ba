/**
 * Emulator of the WeChat Open Platform's third-party-platform authorization surface
 * (spec/open-platform.md §12): component APIs, merchant authorization pages, encrypted pushes,
 * and a `/__emulator/` admin API. Start it with `startOpenPlatform()` or `cli.ts`.
 */
export { startOpenPlatform } from './server';
export type { OpenPlatformEmulator, OpenPlatformOptions } from './emulator';
export {
  DEFAULT_ACCOUNTS,
  DEFAULT_COMPONENT,
  PERMISSION_SETS,
  KIND_LABELS,
  accountTypeLabel,
  type PermissionSet,
} from './state/fixtures';
export { AUTH_TYPE_KINDS, DEFAULT_AUTH_TYPE, eligibleAccounts, type EligibleAccount } from './state/eligibility';
export { ConfirmError, type ConfirmErrorCode } from './flows';
export { ERRMSG } from './state/errors';
export { checkAuthorizerToken } from './shared/tokens';
export { CONFIRM_PATH } from './pages/html';
export { TICKET_LIFETIME_SECONDS } from './state/tickets';
export { TOKEN_LIFETIME_SECONDS } from './state/platform-state';
export { CUSTOM_SEND_PATH } from './areas/custom-send';
export {
  RELEASE_TEST_ACCOUNTS,
  RELEASE_GROUPS,
  KIND_NAMES,
  type ReleaseKind,
  type ReleaseTestAccount,
} from './areas/release/accounts';
export {
  ITEM_NAMES,
  type ItemName,
  type RehearsalItem,
  type RehearsalOptions,
  type RehearsalReport,
  type RehearsalTest,
} from './areas/release/rehearsal';
export { openReply } from './areas/release/reply';
export { sendMessage } from './shared/message-channel';
export { syntheticAccount, type BulkAuthorization } from './state/synthetic';
export {
  AUDIT_EVENT_SENDER_OPENID,
  categoryId,
  TEMPLATE_PAGES,
  type AuditEventFault,
  type CodeManagementHandle,
} from './areas/code-management';
export { DEFAULT_AUDIT_SCRIPT, DEFAULT_CODE_SETTINGS, type CodeManagementSettings } from './state/code-management';
export type * from './state/code-management/types';
export {
  API_NAMES,
  type AccountKind,
  type ApiCallRecord,
  type ApiName,
  type AuthorizerApiCallRecord,
  type ComponentConfig,
  type ConfirmInput,
  type ConfirmResult,
  type CustomMessageRecord,
  type FaultController,
  type FaultRule,
  type FaultTarget,
  type MiniProgramNetwork,
  type PushAttempt,
  type PushInfoType,
  type PushRecord,
  type TestAccount,
} from './state/types';
