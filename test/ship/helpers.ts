import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isNpmPacked, packNpmIfMissing } from '../../scripts/pack-npm';
import { runCommand, type Command, type Io } from '../../scripts/ship/cli';
import type { Env } from '../../scripts/ship/inputs';
import { REPO_ROOT } from '../../scripts/ship/project';

export const FAKE_APPID = 'wx0123456789abcdef';

/** Well-formed values for the function's variables (none is real). */
export const FUNCTION_ENV: Env = {
  COMPONENT_APPID: 'wx1111222233334444',
  COMPONENT_APPSECRET: 'b2c3d4e5f60718293a4b5c6d7e8f9012',
  COMPONENT_TOKEN: 'shipTestToken42',
  ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  PUBLIC_BASE_URL: 'https://ship-test-1a2b3c.example.com/wx',
};

/** check compiles against miniprogram_npm; the node project's globalSetup does not pack it. */
export async function ensureNpmPacked(): Promise<void> {
  if (!isNpmPacked()) await packNpmIfMissing();
}

/**
 * A temporary copy of what shipping reads (the repository is never modified): miniprogram/
 * with its packed npm, project.config.json, package.json and the function's config files,
 * committed to a fresh git repository so the upload description has a last commit.
 */
export function copyProject(prefix = 'ship-'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const skip = /[\\/](\.pack-npm-[^\\/]*|miniprogram_npm\.old-\d+)([\\/]|$)/;
  fs.cpSync(path.join(REPO_ROOT, 'miniprogram'), path.join(root, 'miniprogram'), {
    recursive: true,
    filter: (src) => !skip.test(src),
  });
  for (const file of [
    'project.config.json',
    'package.json',
    'cloudfunctions/authorization/package.json',
    'cloudfunctions/authorization/config.json',
  ]) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=ship-test', '-c', 'user.email=ship@test.invalid', ...args], {
      cwd: root,
      stdio: 'ignore',
    });
  git('init', '-q');
  git('add', 'project.config.json');
  git('commit', '-q', '-m', 'Release candidate for the ship tests');
  return root;
}

export function removeDir(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** A real RSA private key in the format of WeChat's private.<appid>.key. */
export function writeUploadKey(dir: string): { keyPath: string; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const keyPath = path.join(dir, `private.${FAKE_APPID}.key`);
  fs.writeFileSync(keyPath, pem, { mode: 0o600 });
  return { keyPath, pem };
}

export interface Run {
  code: number;
  out: string;
  err: string;
  all: string;
}

/** Runs a command in-process with its own environment, capturing what it prints. */
export async function run(command: Command, argv: string[], env: Env, cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd };
  const code = await runCommand(command, argv, io);
  return { code, out: out.join('\n'), err: err.join('\n'), all: [...out, ...err].join('\n') };
}
