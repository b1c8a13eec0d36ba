import { z } from 'zod';
import type { ActionName } from '../../../../typings/api';

/** Input schemas of every action: strict (unknown fields are errors), with Chinese messages. */

const appid = z.string().regex(/^wx[0-9a-zA-Z]{16}$/, 'AppID 格式不正确（应为 wx 开头的 18 位字符）');
const none = z.object({}).strict();

export const AUTH_TYPES = [1, 2, 3, 4, 5, 6, 8] as const;

export const schemas = {
  getAppConfig: none,
  createAuthSession: z
    .object({
      authType: z.union(AUTH_TYPES.map((n) => z.literal(n)), { error: '授权账号类型必须是 1–6 或 8' }),
      channel: z.enum(['plugin', 'pc', 'h5'], { error: '授权方式必须是 plugin、pc 或 h5' }),
      bizAppid: appid.optional(),
      categoryIds: z
        .array(z.number().int().min(1).max(9999), { error: '权限集必须是数字 id 的列表' })
        .min(1, '至少选择一个权限集')
        .max(200)
        .optional(),
      bundleId: z.string().max(32).optional(),
    })
    .strict()
    .refine((v) => !(v.categoryIds && v.bundleId), '权限集和权限包只能指定一个'),
  getAuthSession: z.object({ sessionId: z.string().regex(/^[0-9a-f]{32}$/, '授权会话编号不正确') }).strict(),
  listMyAuthorizers: none,
  getAuthorizer: z.object({ appid }).strict(),
  listAuthorizers: z
    .object({
      kind: z
        .enum(['official_account', 'mini_program', 'mini_game', 'channels', 'store', 'sales_assistant', 'supplier', 'unknown'])
        .optional(),
      status: z.enum(['active', 'needs_reauth', 'revoked']).optional(),
      offset: z.number().int().min(0).max(100_000).optional(),
      limit: z.number().int().min(1).max(100).optional(),
    })
    .strict(),
  platformHealth: none,
  reconcile: none,
} satisfies Record<ActionName, z.ZodType>;

export const ADMIN_ACTIONS: ReadonlySet<ActionName> = new Set(['listAuthorizers', 'platformHealth', 'reconcile']);

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(schemas, value);
}
