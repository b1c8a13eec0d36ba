import { ShipError } from './errors';
import { WHERE } from './inputs';

/**
 * Loading miniprogram-ci lazily: it prints "[miniprogram-builder] initservices CI" when first
 * required, and --help or a missing-input error should not pay for (or show) that.
 */
export type MiniprogramCi = typeof import('miniprogram-ci');

let loaded: MiniprogramCi | undefined;

export function miniprogramCi(): MiniprogramCi {
  if (!loaded) {
    const original = console.log;
    console.log = () => {};
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('miniprogram-ci') as MiniprogramCi;
    } finally {
      console.log = original;
    }
  }
  return loaded;
}

// upload() and getCompiledResult() both compile through these internal modules; calling them
// ourselves lets us destroy the compiler's child process afterwards (getCompiledResult leaves it
// running, which keeps node alive for minutes). Written against miniprogram-ci 2.1.42.
export interface CiCompiler {
  compile(options: {
    setting: unknown;
    onProgressUpdate: (status: unknown) => void;
    resultType: 'prod';
    disableSpreadingUsingComponents: boolean;
  }): Promise<Record<string, string | Buffer>>;
  destroy(): void;
}

export interface CiInternals {
  getCompiler(project: unknown, setting: unknown): Promise<CiCompiler>;
  formatCISetting(project: unknown, setting: unknown): unknown;
  cleanCache(): void;
}

export function ciInternals(): CiInternals {
  miniprogramCi();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { getCompiler } = require('miniprogram-ci/dist/ci/getcompiler') as Partial<CiInternals>;
  const { formatCISetting } = require('miniprogram-ci/dist/ci/utils/tools') as Partial<CiInternals>;
  const { cacheManager } = require('miniprogram-ci/dist/utils/cache') as { cacheManager?: { clean(): void } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (typeof getCompiler !== 'function' || typeof formatCISetting !== 'function' || typeof cacheManager?.clean !== 'function') {
    throw new ShipError('miniprogram-ci changed its internals (expected 2.1.x): update scripts/ship/ci.ts.');
  }
  return { getCompiler, formatCISetting, cleanCache: () => cacheManager.clean() };
}

const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH/;

/** A miniprogram-ci failure with what to do about it; its log tells "offline" apart. */
export function explainCiError(error: unknown, log: string[] = []): string {
  const message =
    error instanceof Error
      ? error.message
      : typeof error === 'object' && error && 'message' in error
        ? String(error.message)
        : String(error);
  if (/-10008|invalid ip/i.test(message))
    return `${message}\n  This machine's IP is not in the upload IP白名单. Where: ${WHERE.privateKey}`;
  if (/-80011|get new ticket fail/i.test(message))
    return `${message}\n  The upload key is wrong or was reset. Where: ${WHERE.privateKey}`;
  if (NETWORK_ERROR.test(message) || log.some((line) => NETWORK_ERROR.test(line))) {
    return `${message}\n  WeChat's servers (servicewechat.com) cannot be reached from here.`;
  }
  return `${message}\n  Usual causes: no network to servicewechat.com, this machine's IP not in the upload IP白名单, or a wrong key. Where: ${WHERE.privateKey}`;
}
