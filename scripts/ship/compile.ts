import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ciInternals, miniprogramCi, type CiCompiler } from './ci';
import { tail, withCapturedConsole } from './console-capture';
import { ShipError } from './errors';
import { miniprogramDir, readProjectConfig } from './project';

/**
 * The compile settings preview and upload pass to miniprogram-ci: exactly the project's
 * project.config.json "setting" (es6, enhance, minify…, useCompilerPlugins: typescript).
 */
export const COMPILE_SETTING = { useProjectConfig: true } as const;

/** A compile of this project takes seconds; a stuck compiler child must not hang CI. */
const COMPILE_TIMEOUT_MS = 5 * 60_000;

export interface CompiledFile {
  /** Path inside the package, e.g. "pages/authorize/index.js". */
  path: string;
  bytes: number;
  content: Buffer;
}

export interface CompiledPackage {
  files: CompiledFile[];
  /** Every file's bytes except source maps (debugging data that never runs on a phone; counted apart). */
  totalBytes: number;
  sourceMapBytes: number;
  /** miniprogram-ci's own log lines, kept out of the report. */
  log: string[];
}

/**
 * Compiles the mini-program the way `upload` does, offline: the project's attributes (normally
 * fetched from WeChat with the upload key) are replaced by miniprogram-ci's defaults, so no key
 * is needed. Returns every file of the package as it would be sent.
 */
export async function compileMiniprogram(projectRoot: string): Promise<CompiledPackage> {
  const config = readProjectConfig(projectRoot);
  assertNpmPacked(projectRoot, config.setting);
  const internals = ciInternals();
  const ci = miniprogramCi();
  const log: string[] = [];
  const project = new ci.Project({
    appid: config.appid || 'touristappid',
    type: 'miniProgram',
    projectPath: projectRoot,
    // Never used: attr() below answers what the key would have fetched.
    privateKey: 'unused (offline compile)',
  });
  const offlineAttr = { ...structuredClone(ci.DefaultProjectAttr), gameApp: false };
  (project as unknown as { attr: () => Promise<unknown> }).attr = async () => offlineAttr;

  const output = await withCapturedConsole(async () => {
    process.env.COMPILE_THREADS = '0'; // what upload() sets by default
    internals.cleanCache();
    const compiler = await internals.getCompiler(project, COMPILE_SETTING);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result after ${COMPILE_TIMEOUT_MS / 1000} s`)), COMPILE_TIMEOUT_MS);
    });
    try {
      const compiling = compiler.compile({
        setting: internals.formatCISetting(project, COMPILE_SETTING),
        onProgressUpdate: () => {},
        resultType: 'prod',
        disableSpreadingUsingComponents: true,
      });
      return await Promise.race([compiling, timeout]);
    } finally {
      clearTimeout(timer);
      await destroyCompiler(compiler);
    }
  }, log).catch((error: unknown) => {
    throw new ShipError(`The mini-program does not compile: ${describe(error)}`, tail(log));
  });

  return toPackage(output, log);
}

/**
 * Destroys the compiler and waits for its child process to be gone. miniprogram-ci reuses the
 * compiler's process proxy for the next compile in the same node process; if the old child exits
 * after that compile has started, the proxy forks twice and one child is never killed.
 */
async function destroyCompiler(compiler: CiCompiler): Promise<void> {
  const child = (compiler as unknown as { subProcessManager?: { process?: Partial<ChildProcess> } }).subProcessManager?.process;
  compiler.destroy();
  if (!child || typeof child.once !== 'function' || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill?.('SIGKILL');
      resolve();
    }, 5000);
    child.once?.('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function toPackage(output: Record<string, string | Buffer>, log: string[]): CompiledPackage {
  const files = Object.keys(output)
    .sort()
    .map((filePath) => {
      const raw = output[filePath] ?? '';
      const content = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      return { path: filePath, bytes: content.length, content };
    });
  const isMap = (f: CompiledFile) => f.path.endsWith('.map');
  return {
    files,
    totalBytes: files.filter((f) => !isMap(f)).reduce((sum, f) => sum + f.bytes, 0),
    sourceMapBytes: files.filter(isMap).reduce((sum, f) => sum + f.bytes, 0),
    log,
  };
}

/** packNpmManually projects compile against miniprogram_npm; without it Vant is silently absent. */
function assertNpmPacked(projectRoot: string, setting: Record<string, unknown>): void {
  if (setting.packNpmManually !== true) return;
  const npmDir = path.join(miniprogramDir(projectRoot), 'miniprogram_npm');
  if (!fs.existsSync(npmDir)) {
    throw new ShipError(
      `${path.relative(projectRoot, npmDir) || npmDir} is missing: run \`npm run build\` (it packs npm) first.`,
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
