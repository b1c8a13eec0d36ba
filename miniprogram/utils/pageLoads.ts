/**
 * Bookkeeping for a page that loads in onLoad and refreshes quietly when shown again, kept per
 * page instance outside `data` (nothing to render): which load is the latest, so an older, slower
 * answer never overwrites a newer one, and whether the first onShow (right after onLoad) passed.
 */
interface Tracking {
  latestLoad: number;
  shownOnce: boolean;
}

const tracking = new WeakMap<object, Tracking>();

function trackingOf(page: object): Tracking {
  let state = tracking.get(page);
  if (!state) {
    state = { latestLoad: 0, shownOnce: false };
    tracking.set(page, state);
  }
  return state;
}

/** Starts a load of `page`; the answer tells, once its reply is in, whether it is still the latest. */
export function beginLoad(page: object): () => boolean {
  const own = trackingOf(page);
  const loadId = ++own.latestLoad;
  return () => loadId === own.latestLoad;
}

/** For onShow: false the first time (onLoad is already loading), true every time after. */
export function isShownAgain(page: object): boolean {
  const own = trackingOf(page);
  if (own.shownOnce) return true;
  own.shownOnce = true;
  return false;
}
