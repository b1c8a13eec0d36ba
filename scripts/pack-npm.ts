// Builds miniprogram/miniprogram_npm from the root package.json's runtime dependencies
// (@vant/weapp, qrcode-generator) with miniprogram-ci, the same step as the devtools' "构建 npm".
// Offline: packNpmManually reads node_modules only.
//
//   npx tsx scripts/pack-npm.ts             always rebuild
//   npx tsx scripts/pack-npm.ts --if-missing  build only when absent (used by tests)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
const MINIPROGRAM_ROOT = path.join(PROJECT_ROOT, 'miniprogram');
export const MINIPROGRAM_NPM_DIR = path.join(MINIPROGRAM_ROOT, 'miniprogram_npm');

/** A lock per checkout, outside the tree so a crash never leaves it in the package. */
const LOCK_DIR = path.join(os.tmpdir(), `pack-npm-${createHash('sha1').update(PROJECT_ROOT).digest('hex').slice(0, 12)}.lock`);
const STALE_LOCK_MS = 120_000;
const LOCK_POLL_MS = 200;

/** True when a previous build left every packed dependency in place (Vant, the QR encoder). */
export function isNpmPacked(): boolean {
  return (
    fs.existsSync(path.join(MINIPROGRAM_NPM_DIR, '@vant', 'weapp', 'button', 'index.json')) &&
    fs.existsSync(path.join(MINIPROGRAM_NPM_DIR, 'qrcode-generator', 'index.js'))
  );
}

/** Rebuilds miniprogram_npm from scratch (packNpmManually never deletes stale files). */
export async function packNpm(): Promise<void> {
  await withLock(buildAndSwap);
}

/** Builds only if absent; returns whether it built. Safe when several jest runs start at once. */
export async function packNpmIfMissing(): Promise<boolean> {
  if (isNpmPacked()) return false;
  return withLock(async () => {
    if (isNpmPacked()) return false; // another process finished while we waited
    await buildAndSwap();
    return true;
  });
}

async function buildAndSwap(): Promise<void> {
  const started = Date.now();
  // Build next to the target so the final rename stays on one file system.
  const staging = fs.mkdtempSync(path.join(MINIPROGRAM_ROOT, '.pack-npm-'));
  try {
    const ci = await import('miniprogram-ci');
    const result = await ci.packNpmManually({
      packageJsonPath: path.join(PROJECT_ROOT, 'package.json'),
      miniprogramNpmDistDir: staging,
    });
    for (const warning of result.warnList) console.warn('[pack-npm] warning:', JSON.stringify(warning));
    if (result.miniProgramPackNum + result.otherNpmPackNum === 0) {
      throw new Error('pack-npm: nothing was packed; is @vant/weapp in package.json dependencies and installed?');
    }
    replaceDir(path.join(staging, 'miniprogram_npm'), MINIPROGRAM_NPM_DIR);
    console.log(
      `[pack-npm] ${describePacked(MINIPROGRAM_NPM_DIR)} -> ${path.relative(PROJECT_ROOT, MINIPROGRAM_NPM_DIR)}` +
        ` (${result.miniProgramPackNum} mini-program package(s), ${result.otherNpmPackNum} other) in ${Date.now() - started} ms`,
    );
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Puts `fresh` at `target`, keeping the window without a target to two renames. */
function replaceDir(fresh: string, target: string): void {
  const retired = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, retired);
  fs.renameSync(fresh, target);
  fs.rmSync(retired, { recursive: true, force: true });
}

/** "@vant/weapp (466 files)" for each package in the output. */
function describePacked(npmDir: string): string {
  const packages = fs
    .readdirSync(npmDir)
    .flatMap((entry) =>
      entry.startsWith('@') ? fs.readdirSync(path.join(npmDir, entry)).map((name) => `${entry}/${name}`) : [entry],
    );
  return packages.map((name) => `${name} (${countFiles(path.join(npmDir, name))} files)`).join(', ');
}

function countFiles(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce((sum, entry) => sum + (entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1), 0);
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  await acquireLock();
  try {
    return await work();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

async function acquireLock(): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR); // atomic: exactly one process creates it
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockAgeMs() > STALE_LOCK_MS) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

function lockAgeMs(): number {
  try {
    return Date.now() - fs.statSync(LOCK_DIR).mtimeMs;
  } catch {
    return 0; // released between our mkdir and stat
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--if-missing')) {
    if (!(await packNpmIfMissing())) console.log('[pack-npm] miniprogram_npm already present');
  } else {
    await packNpm();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
