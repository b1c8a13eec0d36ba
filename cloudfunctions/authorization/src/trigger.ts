import { isHttpEvent } from './http/core';

export type Trigger = 'timer' | 'http' | 'action';

/**
 * Who started this run, from the context WeChat sets (spec cloud-runtime §1), never from the
 * event alone: a mini-program can send any event it likes. A call with an OPENID is always an
 * action; only the cloud's own timer is the timer.
 */
export function triggerOf(
  event: unknown,
  context: { OPENID?: string; SOURCE?: string },
  acceptEmptyTimerContext = false,
): Trigger {
  if (context.OPENID) return 'action';
  const sources = (context.SOURCE ?? '').split(',');
  if (sources.length === 1 && sources[0] === 'wx_trigger') return 'timer';
  // A mini-program's call always says wx_client; an empty context never comes from one.
  if (acceptEmptyTimerContext && !context.SOURCE && isTimerShaped(event)) return 'timer';
  if (sources.includes('wx_client')) return 'action';
  return isHttpEvent(event) ? 'http' : 'action';
}

/** The marker of a broker call: an event with a `broker` key is for the broker, whatever else it holds. */
export function isBrokerCall(event: unknown): event is { broker: unknown } {
  return typeof event === 'object' && event !== null && 'broker' in event;
}

function isTimerShaped(event: unknown): boolean {
  const e = event as { Type?: unknown; TriggerName?: unknown } | null;
  return !!e && e.Type === 'Timer' && typeof e.TriggerName === 'string';
}
