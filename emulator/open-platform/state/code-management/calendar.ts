/**
 * WeChat's day and month for code-management limits: midnight and the 1st in China time (UTC+8)
 * of the emulated clock (spec code-management §0 "Time", §9 #12).
 */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** A number that changes at each Beijing midnight. */
export function beijingDay(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / (24 * 3600 * 1000));
}

/** A number that changes on each Beijing 1st of the month. */
export function beijingMonth(ms: number): number {
  const date = new Date(ms + BEIJING_OFFSET_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}
