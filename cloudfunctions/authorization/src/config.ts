import { z } from 'zod';
import type { PermissionBundle } from '../../../typings/api';

/**
 * The function's configuration, read once at cold start from its environment variables.
 * Secrets live only here and in the crypto keys derived from them; nothing else reads process.env.
 */
export interface Config {
  componentAppId: string;
  componentAppSecret: string;
  messageToken: string;
  encodingAesKey: string;
  previousEncodingAesKey?: string;
  /** The public base URL of this function's HTTP access, e.g. https://env-id.service.tcloudbase.com/wx */
  publicBaseUrl: string;
  adminOpenIds: string[];
  /** Permission sets the provider needs from every merchant (empty: whatever the merchant grants). */
  requiredCategoryIds: number[];
  bundles: PermissionBundle[];
  apiBaseUrl: string;
  /** Host of WeChat's PC authorization page and of its H5 page (the emulator stands in locally). */
  mpBaseUrl: string;
  openBaseUrl: string;
  apiTimeoutMs: number;
  /** Refresh a token when fewer than this many seconds remain. */
  refreshMarginSeconds: number;
}

export const MIN_PLUGIN_VERSION = '0.3.10';

const APPID = /^wx[0-9a-zA-Z]{16}$/;
const AES_KEY = /^[A-Za-z0-9]{43}$/;

const idList = z
  .string()
  .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'a comma-separated list of permission-set ids, e.g. "1,15,18"')
  .transform((s) => s.split(',').map((x) => Number(x.trim())));

const bundleList = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.object({
        id: z.string().regex(/^[a-z0-9_-]{1,32}$/),
        name: z.string().min(1).max(40),
        categoryIds: z.array(z.number().int().positive()).min(1),
      }),
    ),
  );

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));

const schema = z.object({
  COMPONENT_APPID: z.string().regex(APPID, 'must look like wx followed by 16 letters or digits'),
  COMPONENT_APPSECRET: z.string().min(16, 'must be the platform AppSecret (32 characters)'),
  COMPONENT_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'must be the 消息校验Token: 3–32 letters or digits'),
  ENCODING_AES_KEY: z.string().regex(AES_KEY, 'must be the 43-character 消息加解密Key'),
  PREVIOUS_ENCODING_AES_KEY: z.string().regex(AES_KEY, 'must be the previous 43-character key').optional(),
  PUBLIC_BASE_URL: httpUrl,
  ADMIN_OPENIDS: z.string().optional(),
  REQUIRED_CATEGORY_IDS: idList.optional(),
  PERMISSION_BUNDLES: bundleList.optional(),
  WX_API_BASE_URL: httpUrl.default('https://api.weixin.qq.com'),
  WX_MP_BASE_URL: httpUrl.default('https://mp.weixin.qq.com'),
  WX_OPEN_BASE_URL: httpUrl.default('https://open.weixin.qq.com'),
  API_TIMEOUT_MS: z.coerce.number().int().min(500).max(20000).default(5000),
  TOKEN_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The cloud function is not configured: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks every variable at once, so the error lists all that is missing or malformed. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // Name the variable and the rule, never the value: some of them are secrets.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${describeIssue(i)}`));
  }
  const e = parsed.data;
  return {
    componentAppId: e.COMPONENT_APPID,
    componentAppSecret: e.COMPONENT_APPSECRET,
    messageToken: e.COMPONENT_TOKEN,
    encodingAesKey: e.ENCODING_AES_KEY,
    previousEncodingAesKey: e.PREVIOUS_ENCODING_AES_KEY,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    adminOpenIds: (e.ADMIN_OPENIDS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    requiredCategoryIds: e.REQUIRED_CATEGORY_IDS ?? [],
    bundles: e.PERMISSION_BUNDLES ?? [],
    apiBaseUrl: e.WX_API_BASE_URL,
    mpBaseUrl: e.WX_MP_BASE_URL,
    openBaseUrl: e.WX_OPEN_BASE_URL,
    apiTimeoutMs: e.API_TIMEOUT_MS,
    refreshMarginSeconds: e.TOKEN_REFRESH_MARGIN_SECONDS,
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is missing';
  return issue.message;
}
