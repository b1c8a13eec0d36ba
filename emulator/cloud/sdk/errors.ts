import vm from 'node:vm';
import { errorMessage } from '../error-text';

/**
 * Errors the way wx-server-sdk reports them: an `Error` whose message is
 * "<api>:fail <errCode> <text>. <detail>" and which carries `errCode` and `errMsg`.
 */

/** Error codes the emulated database reports, with the text wx-server-sdk prints for them. */
export const DB_ERROR = {
  generic: -1,
  invalidParam: -501007,
  requestFailed: -502001,
  collectionNotExists: -502005,
} as const;

const ERROR_TEXT: Record<number, string> = {
  [DB_ERROR.invalidParam]: 'invalid parameters',
  [DB_ERROR.requestFailed]: 'database request fail',
  [DB_ERROR.collectionNotExists]: 'database collection not exists',
};

/** A failure found while serving a database call, before it is named after the api that failed. */
export class DbFault extends Error {
  constructor(
    readonly errCode: number,
    detail: string,
  ) {
    super(detail);
  }
}

export interface CloudSdkError extends Error {
  errCode: number;
  errMsg: string;
}

// The function bundle runs in the main realm (under jest too), so its `instanceof Error` must hold.
const HostError = vm.runInThisContext('Error') as ErrorConstructor;

export function cloudSdkError(apiName: string, errCode: number, detail: string): CloudSdkError {
  const message =
    errCode === DB_ERROR.generic
      ? `${apiName}:fail ${detail}`
      : `${apiName}:fail ${errCode} ${ERROR_TEXT[errCode] ?? ''}. ${detail}`;
  return Object.assign(new HostError(message), { errCode, errMsg: message });
}

export function isCloudSdkError(error: unknown): error is CloudSdkError {
  return typeof error === 'object' && error !== null && 'errCode' in error && 'errMsg' in error;
}

/** nedb reports a unique index violation with this errorType. */
function isUniqueViolation(error: unknown): error is { key: unknown } {
  return typeof error === 'object' && error !== null && (error as { errorType?: string }).errorType === 'uniqueViolated';
}

/** Names any failure after the api that failed, as wx-server-sdk does. */
export function toCloudSdkError(apiName: string, error: unknown, collection?: string): CloudSdkError {
  if (isCloudSdkError(error)) return error;
  if (error instanceof DbFault) return cloudSdkError(apiName, error.errCode, error.message);
  if (isUniqueViolation(error)) {
    const where = collection ? ` collection: ${collection}` : '';
    return cloudSdkError(
      apiName,
      DB_ERROR.requestFailed,
      `E11000 duplicate key error${where} dup key: ${JSON.stringify(String(error.key))}`,
    );
  }
  return cloudSdkError(apiName, DB_ERROR.generic, errorMessage(error));
}

/** Runs one database api call and turns any failure into a wx-server-sdk style rejection. */
export async function asApi<T>(apiName: string, collection: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toCloudSdkError(apiName, error, collection);
  }
}
