import { types } from 'node:util';

/**
 * The message of anything thrown. Realm-agnostic: the function bundle runs in the main realm, so
 * under jest its errors fail `instanceof Error` here.
 */
export function errorMessage(error: unknown): string {
  if (types.isNativeError(error)) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

/** The stack if there is one, for logs. */
export function errorStack(error: unknown): string {
  const stack = typeof error === 'object' && error !== null ? (error as { stack?: unknown }).stack : undefined;
  return typeof stack === 'string' ? stack : errorMessage(error);
}
