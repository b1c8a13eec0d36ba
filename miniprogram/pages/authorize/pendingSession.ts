import type { AuthType } from '../../../typings/api';

/**
 * The plugin session the page is waiting on, kept in storage so that a cold start (WeChat may
 * kill the mini-program while the merchant is in the plugin) still learns the outcome.
 */
export const PENDING_SESSION_KEY = 'pendingAuthSession';

export interface PendingSession {
  sessionId: string;
  expiresAt: number;
  authType: AuthType;
  bizAppid?: string;
}

function isPendingSession(value: unknown): value is PendingSession {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<PendingSession>;
  return (
    typeof v.sessionId === 'string' &&
    /^[0-9a-f]{32}$/.test(v.sessionId) &&
    typeof v.expiresAt === 'number' &&
    typeof v.authType === 'number'
  );
}

// Storage can throw (quota, private mode on some clients); losing the note only costs the resume.

export function rememberPendingSession(session: PendingSession): void {
  try {
    wx.setStorageSync(PENDING_SESSION_KEY, session);
  } catch {
    /* the page still watches the session while it stays open */
  }
}

export function recallPendingSession(): PendingSession | undefined {
  try {
    const stored: unknown = wx.getStorageSync(PENDING_SESSION_KEY);
    return isPendingSession(stored) ? stored : undefined;
  } catch {
    return undefined;
  }
}

export function forgetPendingSession(): void {
  try {
    wx.removeStorageSync(PENDING_SESSION_KEY);
  } catch {
    /* nothing to do */
  }
}
