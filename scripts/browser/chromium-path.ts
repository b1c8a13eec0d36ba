/**
 * Which Chromium the browser tests and the gallery drive (chromium.ts launches it).
 *
 * A system Chromium is preferred when there is one; otherwise the one that npm brought
 * (`@sparticuz/chromium`, unpacked to the temp folder). Nothing is ever downloaded at run time.
 * `@sparticuz/chromium` is an ES module that jest's module loader refuses, so its path is resolved
 * in a plain Node child process; jest's globalSetup does it once and hands the path on in
 * `CHROMIUM_PATH`. This module does not load playwright-core, so that globalSetup stays light.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../..');

/** Printed as is (no stack): the message says everything a newcomer needs. */
export class ChromiumUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumUnavailable';
    this.stack = `${this.name}: ${message}`;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** Unpacks (once per machine, ~2 s) the Chromium shipped in the npm package and returns its path. */
function npmChromium(): string {
  const script = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => process.stdout.write(p))";
  try {
    return execFileSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    }).trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new ChromiumUnavailable(
      `No Chromium: none at CHROMIUM_PATH, ${SYSTEM_CHROMIUM} or on PATH, and @sparticuz/chromium could not be unpacked ` +
        `(run \`npm ci\`): ${stderr.trim().split('\n')[0]}`,
    );
  }
}

/** The Chromium to drive: `CHROMIUM_PATH`, then the system's, then the npm package's. */
export function resolveChromium(): string {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!isExecutable(chosen)) throw new ChromiumUnavailable(`CHROMIUM_PATH=${chosen} is not an executable file`);
    return chosen;
  }
  if (isExecutable(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return onPath('chromium') ?? npmChromium();
}
