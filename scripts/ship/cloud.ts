import fs from 'node:fs';
import path from 'node:path';
import { COLLECTIONS } from '../../cloudfunctions/authorization/src/store';
import { CONFIG_VARIABLES } from '../../cloudfunctions/authorization/src/config';
import { buildFunction, FUNCTION_DIR } from '../build-function';
import { explainCiError, miniprogramCi } from './ci';
import { tail, withCapturedConsole } from './console-capture';
import { requireInputs, ShipError, type MissingInput } from './errors';
import { resolveAppId, resolveCloudEnvId, resolveFunctionEnv, resolvePrivateKey, type Env } from './inputs';
import { readJson, readProjectConfig } from './project';

export const FUNCTION_NAME = 'authorization';
/** The collections the function uses; each must be server-only. */
export const COLLECTION_NAMES: string[] = Object.values(COLLECTIONS);
/** What the function uploads: the bundle and the two files the cloud reads. */
const STAGED_FILES = ['index.js', 'package.json', 'config.json'] as const;

export interface TimerTrigger {
  name: string;
  type: 'timer';
  config: string;
}

export interface CloudDeployOptions {
  projectRoot: string;
  env: Env;
  cwd: string;
  /** Where the upload folder is assembled (default <project>/.tmp/ship/cloudfunctions/authorization). */
  stagingDir?: string;
  /** false: upload the bundle `npm run build` left instead of bundling again. */
  build?: boolean;
}

export interface CloudDeployPlan {
  projectRoot: string;
  appid: string;
  keyPath: string;
  envId: string;
  functionName: string;
  stagingDir: string;
  bundleBytes: number;
  triggers: TimerTrigger[];
  /** The function's environment variables the console must hold (names only). */
  functionEnvNames: string[];
  publicBaseUrl: string;
}

/** Checks every input at once, then builds the bundle and stages the upload folder. Offline. */
export async function planCloudDeploy(options: CloudDeployOptions): Promise<CloudDeployPlan> {
  const config = readProjectConfig(options.projectRoot);
  const appid = resolveAppId(config, options.env);
  const key = resolvePrivateKey(options.env, options.cwd);
  const envId = resolveCloudEnvId(options.env);
  const fnEnv = resolveFunctionEnv(options.env);
  requireInputs('deploy:cloud', [appid.missing, key.missing, envId.missing, ...fnEnv.missing]);

  const sourceDir = path.join(options.projectRoot, 'cloudfunctions', FUNCTION_NAME);
  const triggers = readTimerTriggers(path.join(sourceDir, 'config.json'));
  const { outfile, bytes } = options.build === false ? existingBundle() : await buildFunction();
  const stagingDir = options.stagingDir ?? path.join(options.projectRoot, '.tmp', 'ship', 'cloudfunctions', FUNCTION_NAME);
  stageFunction({ bundle: outfile, sourceDir, stagingDir });

  return {
    projectRoot: options.projectRoot,
    appid: appid.appid as string,
    keyPath: key.keyPath as string,
    envId: envId.envId as string,
    functionName: FUNCTION_NAME,
    stagingDir,
    bundleBytes: bytes,
    triggers,
    functionEnvNames: functionEnvNames(options.env),
    publicBaseUrl: fnEnv.config?.publicBaseUrl ?? '',
  };
}

function existingBundle(): { outfile: string; bytes: number } {
  const outfile = path.join(FUNCTION_DIR, 'index.js');
  if (!fs.existsSync(outfile))
    throw new ShipError(`${outfile} does not exist: run \`npm run build\` first, or deploy without --no-build.`);
  return { outfile, bytes: fs.statSync(outfile).size };
}

/** The timer triggers in config.json, checked the way createTimeTrigger needs them. */
export function readTimerTriggers(configFile: string): TimerTrigger[] {
  const raw = readJson(configFile) as { triggers?: unknown };
  const list = Array.isArray(raw.triggers) ? raw.triggers : [];
  const problems: MissingInput[] = [];
  const triggers = list.flatMap((entry, index): TimerTrigger[] => {
    const t = entry as Partial<TimerTrigger>;
    const fields = typeof t.config === 'string' ? t.config.trim().split(/\s+/) : [];
    if (typeof t.name !== 'string' || !t.name || t.type !== 'timer' || fields.length !== 7) {
      problems.push({
        name: `triggers[${index}]`,
        problem: 'needs {"name", "type": "timer", "config": "<7-field cron: second minute hour day month weekday year>"}',
        where: configFile,
      });
      return [];
    }
    return [{ name: t.name, type: 'timer', config: t.config as string }];
  });
  if (triggers.length === 0 && problems.length === 0) {
    problems.push({
      name: 'triggers',
      problem: 'has no timer trigger (the maintenance timer refreshes tokens)',
      where: configFile,
    });
  }
  requireInputs('deploy:cloud', problems);
  return triggers;
}

function stageFunction({ bundle, sourceDir, stagingDir }: { bundle: string; sourceDir: string; stagingDir: string }): void {
  fs.rmSync(stagingDir, { recursive: true, force: true });
  fs.mkdirSync(stagingDir, { recursive: true });
  for (const name of STAGED_FILES) {
    const from = name === 'index.js' ? bundle : path.join(sourceDir, name);
    fs.copyFileSync(from, path.join(stagingDir, name));
  }
}

/** Names of the function's variables present in the deploy environment (never their values). */
function functionEnvNames(env: Env): string[] {
  return CONFIG_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
}

export function describeCloudDeploy(plan: CloudDeployPlan): string[] {
  return [
    `  appid        ${plan.appid}`,
    `  upload key   ${plan.keyPath} (a private key; its content is never printed)`,
    `  environment  ${plan.envId}`,
    `  function     ${plan.functionName}: ${fs.readdirSync(plan.stagingDir).sort().join(', ')} from ${plan.stagingDir} ` +
      `(bundle ${(plan.bundleBytes / 1024).toFixed(1)} KiB), dependencies installed in the cloud (remote npm install)`,
    ...plan.triggers.map((t) => `  trigger      ${t.name}: timer "${t.config}"`),
  ];
}

/** Uploads the function and creates its timer trigger. */
export async function deployCloud(plan: CloudDeployPlan, log: string[] = []): Promise<string[]> {
  const ci = miniprogramCi();
  const project = new ci.Project({
    appid: plan.appid,
    type: 'miniProgram',
    projectPath: plan.projectRoot,
    privateKeyPath: plan.keyPath,
  });
  const lines: string[] = [];
  try {
    await withCapturedConsole(async () => {
      const uploaded = await ci.cloud.uploadFunction({
        project,
        env: plan.envId,
        name: plan.functionName,
        path: plan.stagingDir,
        remoteNpmInstall: true,
      });
      lines.push(
        `uploaded function ${plan.functionName} to ${plan.envId}: ${uploaded.filesCount} files, ${(uploaded.packSize / 1024).toFixed(1)} KiB`,
      );
    }, log);
  } catch (error) {
    throw new ShipError(`deploy:cloud: uploading the function failed: ${explainCiError(error, log)}`, tail(log));
  }
  // createTimeTrigger never throws for a rejected trigger: it answers a sentence instead.
  const answer = await withCapturedConsole(
    () =>
      ci.cloud.createTimeTrigger({ project, envId: plan.envId, functionName: plan.functionName, triggersConfig: plan.triggers }),
    log,
  ).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  lines.push(
    answer === '创建定时触发器成功'
      ? `created timer trigger(s): ${plan.triggers.map((t) => t.name).join(', ')}`
      : `WARNING: the timer trigger was not created (miniprogram-ci: "${answer}"). It may already exist: ` +
          `check 云开发控制台 → 云函数 → ${plan.functionName} → 触发器 for ${plan.triggers.map((t) => `${t.name} "${t.config}"`).join(', ')}.`,
  );
  return lines;
}

/** What the console must still have; miniprogram-ci cannot set any of it. */
export function consoleChecklist(plan: Pick<CloudDeployPlan, 'functionName' | 'functionEnvNames' | 'publicBaseUrl'>): string[] {
  const base = plan.publicBaseUrl || 'https://<HTTP access domain>/<path>';
  let host = '<HTTP access domain>';
  try {
    host = new URL(base).host;
  } catch {
    // keep the placeholder
  }
  const fn = `云开发控制台 → 云函数 → ${plan.functionName}`;
  return [
    'Still to do in the consoles (miniprogram-ci cannot set these):',
    `  [ ] HTTP access: 云开发控制台 → HTTP访问服务 → route a path (e.g. /wx, sub-paths included) to ${plan.functionName}; ` +
      `PUBLIC_BASE_URL = that URL (now ${base})`,
    `  [ ] Environment variables: ${fn} → 版本与配置 → 环境变量: ${plan.functionEnvNames.join(', ') || 'COMPONENT_APPID, COMPONENT_APPSECRET, COMPONENT_TOKEN, ENCODING_AES_KEY, PUBLIC_BASE_URL'} ` +
      '(the values checked here; this command never prints them)',
    `  [ ] Runtime and timeout: ${fn} → 版本与配置: Node.js 16 or newer, 超时时间 20 s (a function created by miniprogram-ci gets Node.js 8.9 and 3 s)`,
    `  [ ] Fixed egress IP: ${fn} → 版本与配置 → 固定出口IP: on; add that IP to 微信开放平台 → 第三方平台 → 开发资料 → 白名单IP地址列表 (else every API call fails with 61004)`,
    `  [ ] Open Platform 开发资料: 授权事件接收URL = ${base}/push; 授权发起页域名 = ${host}`,
    `  [ ] Open Platform 开发资料: 消息与事件接收URL = ${base}/message/$APPID$; then npm run rehearse before 全网发布`,
    `  [ ] Database: 云开发控制台 → 数据库: collections ${COLLECTION_NAMES.join(', ')}, each with 权限设置 "仅管理端可读写" (所有用户不可读写)`,
  ];
}
