// A page's load bookkeeping, shared as a Behavior: `state` and `errorText` for the WXML, loads
// whose answer lands only if no newer one started meanwhile, a retry, and a quiet refresh when
// the page shows again. The page defines `reload(quiet)` (overriding the empty one here) and
// leaves onShow and onRetry to this Behavior.
import { errorMessage } from '../services/index';

/** 'loading' | 'ready' | 'error', plus any state of the page's own (e.g. 'notFound'). */
export type LoadState = 'loading' | 'ready' | 'error';

/** Per page instance, kept out of `data` because nothing renders it. */
interface Tracking {
  latest: Map<string, number>;
  shownOnce: boolean;
}

const tracking = new WeakMap<object, Tracking>();

function trackingOf(page: object): Tracking {
  let own = tracking.get(page);
  if (!own) {
    own = { latest: new Map(), shownOnce: false };
    tracking.set(page, own);
  }
  return own;
}

export const pageLoad = Behavior({
  data: {
    state: 'loading',
    errorText: '',
  },

  methods: {
    /** The page's load. Quiet: keep what is on screen, no skeleton; a failure then only toasts. */
    reload(_quiet: boolean): Promise<void> {
      return Promise.resolve();
    },

    onRetry() {
      void this.reload(false);
    },

    /** The first show comes right after onLoad, which is loading already; later ones refresh. */
    onShow() {
      const own = trackingOf(this);
      const again = own.shownOnce;
      own.shownOnce = true;
      if (again && (this.data.state === 'ready' || this.data.state === 'error')) void this.reload(true);
    },

    /**
     * Starts a request of one sequence (the page load, a list page…); the answer tells, once its
     * reply is in, whether it is still the latest, so a slower older reply never overwrites a newer one.
     */
    beginLatest(sequence: string): () => boolean {
      const latest = trackingOf(this).latest;
      const id = (latest.get(sequence) ?? 0) + 1;
      latest.set(sequence, id);
      return () => latest.get(sequence) === id;
    },

    /**
     * One page load: the skeleton unless quiet, then `fetch`. Gives its value if this is still
     * the latest load, else undefined. A failure the page does not `claim` (e.g. NOT_FOUND has a
     * state of its own) keeps the content shown by a quiet load and toasts, or shows the error state.
     */
    async runLoad<T>(quiet: boolean, fetch: () => Promise<T>, claim?: (error: unknown) => boolean): Promise<T | undefined> {
      const isLatest = this.beginLatest('page');
      if (!quiet) this.setData({ state: 'loading', errorText: '' });
      try {
        const value = await fetch();
        return isLatest() ? value : undefined;
      } catch (error) {
        if (!isLatest() || claim?.(error)) return undefined;
        if (quiet && this.data.state === 'ready') void wx.showToast({ title: errorMessage(error), icon: 'none' });
        else this.setData({ state: 'error', errorText: errorMessage(error) });
        return undefined;
      }
    },
  },
});
