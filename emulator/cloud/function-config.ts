import fs from 'node:fs';
import path from 'node:path';

/**
 * The run limits a function's config.json sets. The timeout's default and range follow the
 * stricter of the documented readings (spec cloud-runtime.md §2): 3 s by default, 1–900 s.
 */
export const DEFAULT_TIMEOUT_SECONDS = 3;
export const MAX_TIMEOUT_SECONDS = 900;

/** `timeout` (seconds) from `<functionDir>/config.json`, or the default. */
export function readTimeoutSeconds(functionDir: string): number {
  const file = path.join(functionDir, 'config.json');
  if (!fs.existsSync(file)) return DEFAULT_TIMEOUT_SECONDS;
  const { timeout } = JSON.parse(fs.readFileSync(file, 'utf8')) as { timeout?: unknown };
  if (timeout === undefined) return DEFAULT_TIMEOUT_SECONDS;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_SECONDS) {
    throw new Error(`${file}: timeout must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return timeout;
}

/** `permissions.openapi` of `<functionDir>/config.json`: the cloud APIs the function may call. */
export function readOpenApiPermissions(functionDir: string): string[] {
  const file = path.join(functionDir, 'config.json');
  if (!fs.existsSync(file)) return [];
  const { permissions } = JSON.parse(fs.readFileSync(file, 'utf8')) as { permissions?: { openapi?: unknown } };
  const list = permissions?.openapi ?? [];
  if (!Array.isArray(list) || !list.every((api) => typeof api === 'string')) {
    throw new Error(`${file}: permissions.openapi must be a list of API names, e.g. ["subscribeMessage.send"]`);
  }
  return list;
}
