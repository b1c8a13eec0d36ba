import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temp folder with `functions/<name>/index.js` (+ config.json) fixtures and a data folder. */
export interface FixtureDirs {
  root: string;
  functionsRoot: string;
  dataDir: string;
  remove(): void;
}

export function makeFixtureDirs(functions: Record<string, { index: string; config?: unknown }>): FixtureDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-runtime-'));
  const functionsRoot = path.join(root, 'functions');
  for (const [name, files] of Object.entries(functions)) {
    const dir = path.join(functionsRoot, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.js'), files.index);
    if (files.config !== undefined) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(files.config));
  }
  return {
    root,
    functionsRoot,
    dataDir: path.join(root, 'data'),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Polls until `check` returns a value (real waiting, for work the runtime does on its own). */
export async function eventually<T>(check: () => Promise<T | undefined>, deadlineMs = 4_000): Promise<T> {
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json(), headers: response.headers };
}
