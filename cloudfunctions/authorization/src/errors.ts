import type { ActionError, ErrorCode } from '../../../typings/api';

/** An error the caller may see: a code a page can branch on and a plain Chinese message. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON(): ActionError {
    return { code: this.code, message: this.message };
  }
}

export const notReady = (message: string) => new AppError('NOT_READY', message);
export const notFound = (message: string) => new AppError('NOT_FOUND', message);
export const forbidden = (message = '没有权限执行此操作') => new AppError('FORBIDDEN', message);
export const invalidInput = (message: string) => new AppError('INVALID_INPUT', message);
export const rateLimited = (message = '操作太频繁，请一分钟后再试') => new AppError('RATE_LIMITED', message);
