// zod/mini with named imports: the bundle keeps only what is used (about 16 KiB instead of 450).
import {
  array,
  boolean,
  int,
  literal,
  lte,
  nullable,
  union,
  maxLength,
  minLength,
  gte,
  optional,
  refine,
  regex,
  strictObject,
  string,
  type ZodMiniType,
} from 'zod/mini';
import { APPID_PATTERN } from '../../../../miniprogram/shared/constants';
import type { ActionName } from '../../../../typings/api';

/** Input schemas of every action: strict (unknown fields are errors), with Chinese messages. */

const appid = string({ error: 'AppID 必须是字符串' }).check(regex(APPID_PATTERN, 'AppID 格式不正确（应为 wx 开头的 18 位字符）'));
const none = strictObject({});
const consoleTicket = string({ error: '登录二维码内容不正确' }).check(regex(/^[0-9a-f]{32}$/, '这不是电脑版控制台的登录二维码'));
const jobId = string({ error: '任务 ID 必须是字符串' }).check(regex(/^ship-[0-9a-f]{24}$/, '任务 ID 格式不正确'));

export const AUTH_TYPES = [1, 2, 3, 4, 5, 6, 8] as const;
/** Every authorizer kind, as the filters of lists take it. */
export const KINDS = [
  'official_account',
  'mini_program',
  'mini_game',
  'channels',
  'store',
  'sales_assistant',
  'supplier',
  'unknown',
] as const;

export const schemas = {
  getAppConfig: none,
  createAuthSession: strictObject({
    authType: literal(AUTH_TYPES, { error: '授权账号类型必须是 1–6 或 8' }),
    channel: literal(['plugin', 'pc', 'h5'], { error: '授权方式必须是 plugin、pc 或 h5' }),
    bizAppid: optional(appid),
    categoryIds: optional(
      array(
        int({ error: '权限集 id 必须是整数' }).check(
          gte(1, '权限集 id 必须在 1–9999 之间'),
          lte(9999, '权限集 id 必须在 1–9999 之间'),
        ),
        { error: '权限集必须是数字 id 的列表' },
      ).check(minLength(1, '至少选择一个权限集'), maxLength(200, '权限集太多')),
    ),
    bundleId: optional(string().check(maxLength(32))),
  }).check(refine((v) => !(v.categoryIds && v.bundleId), '权限集和权限包只能指定一个')),
  getAuthSession: strictObject({ sessionId: string().check(regex(/^[0-9a-f]{32}$/, '授权会话编号不正确')) }),
  listMyAuthorizers: none,
  getAuthorizer: strictObject({ appid }),
  listAuthorizers: strictObject({
    kind: optional(literal(KINDS, { error: '账号类型不正确' })),
    status: optional(literal(['active', 'needs_reauth', 'revoked'], { error: '状态不正确' })),
    offset: optional(int().check(gte(0), lte(100_000))),
    limit: optional(int().check(gte(1), lte(100))),
  }),
  platformHealth: none,
  reconcile: none,
  startPushTicket: none,
  releaseStatus: none,
  authorizerUsage: strictObject({ appid }),
  testAuthorizerCall: strictObject({ appid }),
  brokerCallers: none,
  shipJobs: strictObject({
    offset: optional(int().check(gte(0), lte(100_000))),
    limit: optional(int().check(gte(1), lte(100))),
  }),
  shipJobStatus: strictObject({ jobId, offset: optional(int().check(gte(0), lte(100_000))) }),
  shipJobCommand: union([
    strictObject({ jobId, action: literal('pause'), reason: string().check(minLength(1, '请填写暂停原因'), maxLength(200)) }),
    strictObject({ jobId, action: literal('resume') }),
    strictObject({
      jobId,
      action: literal('release'),
      appid: optional(appid),
      percentage: optional(nullable(int().check(gte(1), lte(100)))),
    }),
    strictObject({ jobId, action: literal(['rollback', 'retry']), appid: optional(appid) }),
  ]),
  setupDatabase: none,
  // What wx.requestSubscribeMessage answered for the lapse notice's template.
  subscribeLapseNotice: strictObject({
    result: literal(['accept', 'reject', 'ban', 'filter'], { error: '订阅结果必须是 accept、reject、ban 或 filter' }),
  }),
  getMiniProgramVersions: strictObject({ appid }),
  consoleSignInPreview: strictObject({ ticket: consoleTicket }),
  consoleSignInConfirm: strictObject({ ticket: consoleTicket, approve: boolean({ error: 'approve 必须是 true 或 false' }) }),
} satisfies Record<ActionName, ZodMiniType>;

export const ADMIN_ACTIONS: ReadonlySet<ActionName> = new Set([
  'listAuthorizers',
  'platformHealth',
  'reconcile',
  'startPushTicket',
  'releaseStatus',
  'authorizerUsage',
  'testAuthorizerCall',
  'brokerCallers',
  'shipJobs',
  'shipJobStatus',
  'shipJobCommand',
  'setupDatabase',
  'consoleSignInPreview',
  'consoleSignInConfirm',
]);

/** Admin actions that change something: each lands in the audit log (console/audit.ts) before it runs. */
export const ADMIN_CHANGE_ACTIONS: ReadonlySet<ActionName> = new Set([
  'reconcile',
  'startPushTicket',
  'shipJobCommand',
  'setupDatabase',
  'consoleSignInConfirm',
  // Not a change at WeChat, but a call made in the merchant's name: the console logs it too.
  'testAuthorizerCall',
]);

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(schemas, value);
}
