import { MIN_PLUGIN_VERSION } from '../../miniprogram/shared/constants';
import type { CompiledFile, CompiledPackage } from './compile';

/** WeChat's limit for a main package. */
export const WECHAT_MAIN_PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024;
/** Our own budget for the main package (override with --budget-kb). */
export const DEFAULT_BUDGET_BYTES = 400 * 1024;
export const PLUGIN_NAME = 'miniprogram-thirdparty-plugin';
export const PLUGIN_PROVIDER = 'wxb8b928431b8c56d8';
/** The packOptions.ignore entry that keeps local-development code out of every upload. */
export const DEV_FOLDER_IGNORE = { type: 'folder', value: 'dev' } as const;

export interface Finding {
  rule: 'size' | 'local-mode' | 'dev-code' | 'fixture' | 'secret' | 'token' | 'plugin';
  message: string;
  file?: string;
}

export interface CheckOptions {
  budgetBytes?: number;
  /** Values of the function's secrets to look for (names are reported, values never). */
  secrets?: Array<{ name: string; value: string }>;
  /** How many of the biggest files to list. */
  biggest?: number;
}

export interface CheckReport {
  ok: boolean;
  findings: Finding[];
  /** Notes that do not fail the check (e.g. a secret too short to search for). */
  notes: string[];
  fileCount: number;
  mainPackageBytes: number;
  sourceMapBytes: number;
  budgetBytes: number;
  limitBytes: number;
  biggestFiles: Array<{ path: string; bytes: number }>;
}

/** Runs every rule on a compiled package. Pure: tests and the benchmark call it on any package. */
export function runChecks(pkg: CompiledPackage, options: CheckOptions = {}): CheckReport {
  const budgetBytes = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
  const notes: string[] = [];
  const mainFiles = mainPackageFiles(pkg.files);
  const mainPackageBytes = mainFiles.reduce((sum, f) => sum + f.bytes, 0);
  const findings = [
    ...checkSize(mainPackageBytes, budgetBytes),
    ...checkLocalMode(pkg.files),
    ...checkDevCode(pkg.files),
    ...checkFixtures(pkg.files),
    ...checkSecretValues(pkg.files, options.secrets ?? [], notes),
    ...checkTokenLookalikes(pkg.files),
    ...checkPlugin(pkg.files),
  ];
  return {
    ok: findings.length === 0,
    findings,
    notes,
    fileCount: pkg.files.length,
    mainPackageBytes,
    sourceMapBytes: pkg.sourceMapBytes,
    budgetBytes,
    limitBytes: WECHAT_MAIN_PACKAGE_LIMIT_BYTES,
    biggestFiles: [...mainFiles]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, options.biggest ?? 8)
      .map(({ path: p, bytes }) => ({ path: p, bytes })),
  };
}

/** Files of the main package: not a source map, not under a subpackage root of app.json. */
export function mainPackageFiles(files: CompiledFile[]): CompiledFile[] {
  const roots = subpackageRoots(files);
  return files.filter((f) => !f.path.endsWith('.map') && !roots.some((root) => f.path.startsWith(root)));
}

function subpackageRoots(files: CompiledFile[]): string[] {
  const app = appJson(files);
  const list = [...asArray(app?.subpackages), ...asArray(app?.subPackages)];
  return list
    .map((entry) => (typeof entry === 'object' && entry !== null ? (entry as { root?: unknown }).root : undefined))
    .filter((root): root is string => typeof root === 'string' && root !== '')
    .map((root) => root.replace(/^\/+/, '').replace(/\/?$/, '/'));
}

export function checkSize(mainPackageBytes: number, budgetBytes: number): Finding[] {
  if (mainPackageBytes > WECHAT_MAIN_PACKAGE_LIMIT_BYTES) {
    return [
      {
        rule: 'size',
        message: `main package is ${kib(mainPackageBytes)}, over WeChat's ${kib(WECHAT_MAIN_PACKAGE_LIMIT_BYTES)} limit (upload would be refused)`,
      },
    ];
  }
  if (mainPackageBytes > budgetBytes) {
    return [
      {
        rule: 'size',
        message: `main package is ${kib(mainPackageBytes)}, over our budget of ${kib(budgetBytes)} (--budget-kb to change it)`,
      },
    ];
  }
  return [];
}

/** config/runtime.ts must ship with mode 'cloud'. */
export function checkLocalMode(files: CompiledFile[]): Finding[] {
  const runtime = files.find((f) => f.path === 'config/runtime.js');
  if (runtime && /\bmode\s*:\s*["'`]local["'`]/.test(runtime.content.toString('utf8'))) {
    return [
      {
        rule: 'local-mode',
        file: runtime.path,
        message: "miniprogram/config/runtime.ts has mode: 'local' (the local development backend); set it back to 'cloud'",
      },
    ];
  }
  return [];
}

/** Nothing from miniprogram/dev/, and no pointer to the emulator or the local machine. */
export function checkDevCode(files: CompiledFile[]): Finding[] {
  const findings: Finding[] = [];
  const devFiles = files.filter((f) => f.path.startsWith('dev/'));
  if (devFiles.length > 0) {
    findings.push({
      rule: 'dev-code',
      file: devFiles[0]?.path,
      message:
        `${devFiles.length} file(s) from miniprogram/dev/ are in the package (${devFiles
          .map((f) => f.path)
          .slice(0, 3)
          .join(', ')}); ` + `add ${JSON.stringify(DEV_FOLDER_IGNORE)} to project.config.json packOptions.ignore`,
    });
  }
  // Source maps hold the sources with their comments: markers there are prose, not code. (Secret
  // values are searched for in maps too: uploadWithSourceMap sends them.)
  for (const file of files) {
    if (file.path.startsWith('dev/') || file.path.endsWith('.map')) continue;
    const text = file.content.toString('latin1');
    for (const marker of ['__emulator', '127.0.0.1']) {
      if (text.includes(marker))
        findings.push({
          rule: 'dev-code',
          file: file.path,
          message: `${file.path} contains "${marker}" (local development only)`,
        });
    }
  }
  return findings;
}

const FIXTURE_PATH = /(^|\/)(test|tests|__tests__|__fixtures__|fixtures?|__mocks__)\/|\.(test|spec)\.[cm]?[jt]s$/i;

export function checkFixtures(files: CompiledFile[]): Finding[] {
  return files
    .filter((f) => FIXTURE_PATH.test(f.path))
    .map((f) => ({ rule: 'fixture' as const, file: f.path, message: `${f.path} looks like a test or fixture file` }));
}

/** Shorter values match too much by chance to be searched for. */
const MIN_SECRET_LENGTH = 8;

export function checkSecretValues(
  files: CompiledFile[],
  secrets: Array<{ name: string; value: string }>,
  notes: string[] = [],
): Finding[] {
  const findings: Finding[] = [];
  for (const { name, value } of secrets) {
    if (value.length < MIN_SECRET_LENGTH) {
      notes.push(`${name} is shorter than ${MIN_SECRET_LENGTH} characters: not searched for`);
      continue;
    }
    const needle = Buffer.from(value, 'utf8');
    for (const file of files) {
      if (file.content.includes(needle))
        findings.push({ rule: 'secret', file: file.path, message: `${file.path} contains the value of ${name}` });
    }
  }
  return findings;
}

const TOKEN_PREFIX = /(ticket|preauthcode|queryauthcode|refreshtoken)@@@/i;
const SECRET_NEAR_HEX = /secret[^\n]{0,40}?\b[0-9a-f]{32}\b|\b[0-9a-f]{32}\b[^\n]{0,40}?secret/i;

/** Strings shaped like WeChat tokens or an appsecret; the match itself is never printed. */
export function checkTokenLookalikes(files: CompiledFile[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    if (file.path.endsWith('.map')) continue;
    const text = file.content.toString('latin1');
    const token = TOKEN_PREFIX.exec(text);
    if (token)
      findings.push({
        rule: 'token',
        file: file.path,
        message: `${file.path} contains a ${token[1]}@@@… string (a WeChat ticket/code/token)`,
      });
    if (SECRET_NEAR_HEX.test(text))
      findings.push({
        rule: 'token',
        file: file.path,
        message: `${file.path} contains a 32-hex value next to "secret" (an AppSecret?)`,
      });
  }
  return findings;
}

/** app.json must declare the service-provider plugin at a version with openAuthorizeAccount. */
export function checkPlugin(files: CompiledFile[]): Finding[] {
  const app = appJson(files);
  const declared = (app?.plugins as Record<string, { version?: unknown; provider?: unknown }> | undefined)?.[PLUGIN_NAME];
  if (!declared) return [{ rule: 'plugin', file: 'app.json', message: `app.json does not declare the "${PLUGIN_NAME}" plugin` }];
  const findings: Finding[] = [];
  if (declared.provider !== PLUGIN_PROVIDER) {
    findings.push({
      rule: 'plugin',
      file: 'app.json',
      message: `app.json plugin "${PLUGIN_NAME}" has provider ${JSON.stringify(declared.provider)}; it must be "${PLUGIN_PROVIDER}"`,
    });
  }
  const version = typeof declared.version === 'string' ? declared.version : '';
  if (!isVersionAtLeast(version, MIN_PLUGIN_VERSION)) {
    findings.push({
      rule: 'plugin',
      file: 'app.json',
      message: `app.json plugin "${PLUGIN_NAME}" version ${JSON.stringify(declared.version)} is below ${MIN_PLUGIN_VERSION}, the first with openAuthorizeAccount`,
    });
  }
  return findings;
}

/** Numeric dotted comparison; anything not a dotted number (e.g. "latest") fails. */
export function isVersionAtLeast(version: string, minimum: string): boolean {
  if (!/^\d+(\.\d+)*$/.test(version)) return false;
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

/** The packOptions.ignore entries the project still lacks (today: the dev/ folder). */
export function missingPackIgnores(ignore: Array<{ type: string; value: string }>): Array<{ type: string; value: string }> {
  const hasDev = ignore.some(
    (rule) => rule.type === 'folder' && rule.value.replace(/^\/+|\/+$/g, '') === DEV_FOLDER_IGNORE.value,
  );
  return hasDev ? [] : [DEV_FOLDER_IGNORE];
}

function appJson(files: CompiledFile[]): Record<string, unknown> | undefined {
  const file = files.find((f) => f.path === 'app.json');
  if (!file) return undefined;
  try {
    return JSON.parse(file.content.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
