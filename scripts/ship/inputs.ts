import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, loadConfig, SECRET_ENV_VARS, type Config } from '../../cloudfunctions/authorization/src/config';
import { ShipError, type MissingInput } from './errors';
import { PLACEHOLDER_APPIDS, type ProjectConfig } from './project';

export type Env = Record<string, string | undefined>;

const APPID = /^wx[0-9a-zA-Z]{16}$/;

const MP_SETTINGS = '微信公众平台 (mp.weixin.qq.com, the mini-program) → 管理 → 开发管理 → 开发设置';
const OPEN_PLATFORM = '微信开放平台 (open.weixin.qq.com) → 管理中心 → 第三方平台 → your platform → 详情';

export const WHERE = {
  appid: `${MP_SETTINGS} → 开发者ID → AppID(小程序ID); set MP_APPID, or "appid" in project.config.json (touristappid is only a placeholder)`,
  privateKey:
    `${MP_SETTINGS} → 小程序代码上传 → 代码上传密钥 → 生成 (downloads private.<appid>.key; ` +
    `add this machine's public IP to the IP白名单 next to it); set MP_PRIVATE_KEY_PATH to the file's path`,
  cloudEnvId:
    '微信开发者工具 → 云开发 → 云开发控制台: the 环境ID in the environment picker at the top (or 设置 → 环境设置); set CLOUD_ENV_ID',
  COMPONENT_APPID: `${OPEN_PLATFORM} → 基本信息 → AppID`,
  COMPONENT_APPSECRET: `${OPEN_PLATFORM} → 基本信息 → AppSecret (生成/重置 needs the administrator's scan; WeChat shows it once)`,
  COMPONENT_TOKEN: `${OPEN_PLATFORM} → 开发配置 → 开发资料 → 消息校验Token`,
  ENCODING_AES_KEY: `${OPEN_PLATFORM} → 开发配置 → 开发资料 → 消息加解密Key (43 characters)`,
  PREVIOUS_ENCODING_AES_KEY: 'the 消息加解密Key you replaced, only while rotating it',
  PUBLIC_BASE_URL:
    '云开发控制台 → 云函数 → authorization → HTTP 访问服务 (or 环境 → HTTP访问服务): the domain + path that reach the function, e.g. https://<domain>/wx',
} as const;

/**
 * The function's secret environment variables (see the schema in
 * cloudfunctions/authorization/src/config.ts). `check` fails when any of their values ships.
 */
export const SECRET_ENV_NAMES = SECRET_ENV_VARS;

/** MP_APPID wins over project.config.json; the placeholder counts as missing. */
export function resolveAppId(config: ProjectConfig, env: Env): { appid?: string; missing?: MissingInput } {
  const fromEnv = env.MP_APPID?.trim();
  const appid = fromEnv || config.appid.trim();
  if (PLACEHOLDER_APPIDS.has(appid)) {
    return {
      missing: {
        name: 'MP_APPID',
        problem: `is not set and project.config.json has the placeholder "${appid || '(empty)'}"`,
        where: WHERE.appid,
      },
    };
  }
  if (!APPID.test(appid)) {
    const source = fromEnv ? 'MP_APPID' : 'project.config.json "appid"';
    return {
      missing: {
        name: 'MP_APPID',
        problem: `(${source}) does not look like an appid (wx + 16 letters or digits)`,
        where: WHERE.appid,
      },
    };
  }
  return { appid };
}

/** The upload key's path, checked to be a readable private key (its content is never printed). */
export function resolvePrivateKey(env: Env, cwd: string): { keyPath?: string; missing?: MissingInput } {
  const given = env.MP_PRIVATE_KEY_PATH?.trim();
  if (!given) return { missing: { name: 'MP_PRIVATE_KEY_PATH', problem: 'is not set', where: WHERE.privateKey } };
  const keyPath = path.resolve(cwd, given);
  let pem: string;
  try {
    pem = fs.readFileSync(keyPath, 'utf8');
  } catch {
    return {
      missing: { name: 'MP_PRIVATE_KEY_PATH', problem: `points to ${keyPath}, which cannot be read`, where: WHERE.privateKey },
    };
  }
  try {
    createPrivateKey(pem);
  } catch {
    return {
      missing: {
        name: 'MP_PRIVATE_KEY_PATH',
        problem: `points to ${keyPath}, which is not a private key (expected the downloaded private.<appid>.key)`,
        where: WHERE.privateKey,
      },
    };
  }
  return { keyPath };
}

export function resolveCloudEnvId(env: Env): { envId?: string; missing?: MissingInput } {
  const envId = env.CLOUD_ENV_ID?.trim();
  if (!envId) return { missing: { name: 'CLOUD_ENV_ID', problem: 'is not set', where: WHERE.cloudEnvId } };
  if (!/^[a-z0-9][a-z0-9-]{1,63}$/i.test(envId)) {
    return {
      missing: {
        name: 'CLOUD_ENV_ID',
        problem: 'does not look like a cloud environment id (letters, digits, -)',
        where: WHERE.cloudEnvId,
      },
    };
  }
  return { envId };
}

/** Reads a dotenv-style file (KEY=value lines). */
export function readEnvFile(file: string): Env {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ShipError(`--env-file ${file} cannot be read.`);
  }
  return parseEnv(text);
}

/** The environment a command sees: the env file's values, overridden by the real environment. */
export function mergedEnv(env: Env, envFile: string | undefined, cwd: string): Env {
  if (!envFile) return { ...env };
  const fromFile = readEnvFile(path.resolve(cwd, envFile));
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return { ...fromFile, ...present };
}

/** Every value each secret variable has in the environment and in the env file (both are scanned). */
export function secretValues(env: Env, envFile: string | undefined, cwd: string): Array<{ name: string; value: string }> {
  const sources = [env, envFile ? readEnvFile(path.resolve(cwd, envFile)) : {}];
  const found: Array<{ name: string; value: string }> = [];
  for (const name of SECRET_ENV_NAMES) {
    const values = new Set(sources.map((s) => s[name]?.trim()).filter((v): v is string => !!v));
    for (const value of values) found.push({ name, value });
  }
  return found;
}

/**
 * Validates the function's environment with the function's own schema, so what the operator
 * pastes into the console is known to be well-formed. Problems name the variable, never its value.
 */
export function resolveFunctionEnv(env: Env): { config?: Config; missing: MissingInput[] } {
  try {
    return { config: loadConfig(env), missing: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      missing: error.problems.map((problem) => {
        const name = problem.split(' ')[0] ?? problem;
        const where = (WHERE as Record<string, string>)[name] ?? 'see README "The function\'s configuration"';
        return {
          name,
          problem: problem.slice(name.length + 1) || 'is wrong',
          where: `${where} (function environment variable, from the environment or --env-file)`,
        };
      }),
    };
  }
}
