import fs from 'node:fs';
import path from 'node:path';
import { explainCiError, miniprogramCi } from './ci';
import { checkProject, type ProjectCheck } from './check-project';
import { kib } from './checks';
import { COMPILE_SETTING } from './compile';
import { tail, withCapturedConsole } from './console-capture';
import { requireInputs, ShipError } from './errors';
import { resolveAppId, resolvePrivateKey, secretValues, type Env } from './inputs';
import { lastCommitSubject, readPackageVersion, readProjectConfig } from './project';

export type ReleaseKind = 'preview' | 'upload';

export interface ReleaseOptions {
  projectRoot: string;
  env: Env;
  /** Where relative paths (key, QR, env file) are resolved. */
  cwd: string;
  robot?: number;
  desc?: string;
  /** preview only: where the QR code image goes. */
  qrPath?: string;
  budgetBytes?: number;
  envFile?: string;
}

/** Everything a preview or upload will send, decided and checked before anything is sent. */
export interface ReleasePlan {
  kind: ReleaseKind;
  projectRoot: string;
  appid: string;
  keyPath: string;
  version: string;
  desc: string;
  robot: number;
  qrPath?: string;
  check: ProjectCheck;
}

export const DEFAULT_QR_PATH = '.tmp/preview-qr.jpg';

/** Validates every input (reporting all that are missing at once), then runs the check. */
export async function planRelease(kind: ReleaseKind, options: ReleaseOptions): Promise<ReleasePlan> {
  const robot = options.robot ?? 1;
  if (!Number.isInteger(robot) || robot < 1 || robot > 30)
    throw new ShipError(`--robot must be a whole number from 1 to 30 (got ${options.robot}).`);
  const config = readProjectConfig(options.projectRoot);
  const appid = resolveAppId(config, options.env);
  const key = resolvePrivateKey(options.env, options.cwd);
  requireInputs(kind, [appid.missing, key.missing]);
  const version = readPackageVersion(options.projectRoot);
  const check = await checkProject(options.projectRoot, {
    budgetBytes: options.budgetBytes,
    secrets: secretValues(options.env, options.envFile, options.cwd),
  });
  return {
    kind,
    projectRoot: options.projectRoot,
    appid: appid.appid as string,
    keyPath: key.keyPath as string,
    version,
    desc: options.desc?.trim() || lastCommitSubject(options.projectRoot) || `v${version}`,
    robot,
    qrPath: kind === 'preview' ? path.resolve(options.cwd, options.qrPath ?? DEFAULT_QR_PATH) : undefined,
    check,
  };
}

/** What would be sent; no secret and no key content, only the key's path. */
export function describeRelease(plan: ReleasePlan): string[] {
  const setting = readProjectConfig(plan.projectRoot).setting;
  const on = Object.entries(setting)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
  return [
    `  appid        ${plan.appid}`,
    ...(plan.kind === 'upload' ? [`  version      ${plan.version}`] : []),
    `  description  ${JSON.stringify(plan.desc)}`,
    `  robot        ${plan.robot}`,
    `  upload key   ${plan.keyPath} (a private key; its content is never printed)`,
    `  settings     project.config.json "setting": ${on.join(', ')}`,
    `  package      ${kib(plan.check.report.mainPackageBytes)} main package, ${plan.check.report.fileCount} files (source maps ${kib(plan.check.report.sourceMapBytes)})`,
    ...(plan.qrPath ? [`  QR code      written to ${plan.qrPath}`] : []),
  ];
}

/** Sends the plan with miniprogram-ci; refuses a plan whose check failed. */
export async function sendRelease(plan: ReleasePlan, log: string[] = []): Promise<string[]> {
  if (!plan.check.report.ok) throw new ShipError(`${plan.kind}: the check failed; nothing was sent.`);
  const ci = miniprogramCi();
  const project = new ci.Project({
    appid: plan.appid,
    type: 'miniProgram',
    projectPath: plan.projectRoot,
    privateKeyPath: plan.keyPath,
  });
  try {
    return await withCapturedConsole(async () => {
      if (plan.kind === 'preview') {
        fs.mkdirSync(path.dirname(plan.qrPath as string), { recursive: true });
        const result = await ci.preview({
          project,
          version: plan.version,
          desc: plan.desc,
          robot: plan.robot,
          setting: COMPILE_SETTING,
          qrcodeFormat: 'image',
          qrcodeOutputDest: plan.qrPath,
        });
        return [`preview ready: scan ${plan.qrPath} with WeChat`, ...describePackages(result.subPackageInfo)];
      }
      const result = await ci.upload({
        project,
        version: plan.version,
        desc: plan.desc,
        robot: plan.robot,
        setting: COMPILE_SETTING,
      });
      return [
        `uploaded ${plan.version} as robot ${plan.robot}: 微信公众平台 → 管理 → 版本管理 → 开发版本 shows it; submit it for review there`,
        ...describePackages(result.subPackageInfo),
      ];
    }, log);
  } catch (error) {
    throw new ShipError(`${plan.kind} failed: ${explainCiError(error, log)}`, tail(log));
  }
}

function describePackages(info: Array<{ name: string; size: number }> | undefined): string[] {
  return (info ?? []).map((p) => `  ${p.name}: ${kib(p.size)}`);
}
