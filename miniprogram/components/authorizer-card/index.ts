// One authorized account as a tappable row: avatar, name, kind, status and what is missing.
// Reusable by any page: give it `account` (an AuthorizerSummary); it emits `select` with { appid }.
import type { AuthorizerSummary } from '../../../typings/api';
import { authorizerCardView, type AuthorizerCardView } from './view';

Component({
  properties: {
    /** The account to show (AuthorizerSummary); nothing renders until it is set. */
    account: { type: Object, value: {} },
    /** Show the chevron and react to taps; off for a read-only display. */
    linkable: { type: Boolean, value: true },
  },

  data: {
    view: null as AuthorizerCardView | null,
  },

  observers: {
    account(account: Partial<AuthorizerSummary> | null) {
      this.setData({ view: account?.appid ? authorizerCardView(account as AuthorizerSummary) : null });
    },
  },

  methods: {
    onTap() {
      const view = this.data.view;
      if (!view || !this.data.linkable) return;
      this.triggerEvent('select', { appid: view.appid });
    },
  },
});
