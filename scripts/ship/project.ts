import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ShipError } from './errors';

/** The repository root (what the commands act on unless --project says otherwise). */
export const REPO_ROOT = path.resolve(__dirname, '../..');

/** project.config.json's placeholder appid: compiles, but WeChat accepts no upload with it. */
export const PLACEHOLDER_APPIDS = new Set(['', 'touristappid']);

export interface PackRule {
  type: string;
  value: string;
}

/** The part of project.config.json the shipping commands read. */
export interface ProjectConfig {
  appid: string;
  miniprogramRoot: string;
  setting: Record<string, unknown>;
  packOptions: { ignore: PackRule[]; include: PackRule[] };
}

export function readProjectConfig(projectRoot: string): ProjectConfig {
  const file = path.join(projectRoot, 'project.config.json');
  const raw = readJson(file) as Partial<ProjectConfig> & { packOptions?: Partial<ProjectConfig['packOptions']> };
  return {
    appid: typeof raw.appid === 'string' ? raw.appid : '',
    miniprogramRoot: typeof raw.miniprogramRoot === 'string' ? raw.miniprogramRoot : '',
    setting: raw.setting ?? {},
    packOptions: { ignore: raw.packOptions?.ignore ?? [], include: raw.packOptions?.include ?? [] },
  };
}

/** Absolute path of the mini-program sources (project.config.json "miniprogramRoot"). */
export function miniprogramDir(projectRoot: string, config = readProjectConfig(projectRoot)): string {
  return path.join(projectRoot, config.miniprogramRoot);
}

export function readPackageVersion(projectRoot: string): string {
  const pkg = readJson(path.join(projectRoot, 'package.json')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || pkg.version === '') {
    throw new ShipError(`package.json in ${projectRoot} has no "version": the upload's version comes from it.`);
  }
  return pkg.version;
}

/** The last commit's subject, the default upload description; undefined outside a git checkout. */
export function lastCommitSubject(projectRoot: string): string | undefined {
  try {
    const subject = execFileSync('git', ['log', '-1', '--format=%s'], {
      cwd: projectRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return subject === '' ? undefined : subject;
  } catch {
    return undefined;
  }
}

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ShipError(`Cannot read ${file}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ShipError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
