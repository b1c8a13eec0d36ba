// One authorized account as a tappable row: avatar, name, kind, status and what is missing.
// Reusable by any page: give it `account` (an AuthorizerSummary); it emits `select` with { appid },
// and, when `actionable`, `reauthorize` with { appid, kind } from its one-tap button.
import type { AuthorizerSummary } from '../../../typings/api';
import { authorizerCardView, type AuthorizerCardView } from './view';

Component({
  properties: {
    /** The account to show (AuthorizerSummary); nothing renders until it is set. */
    account: { type: Object, value: {} },
    /** Show the chevron and react to taps; off for a read-only display. */
    linkable: { type: Boolean, value: true },
    /** Show 重新授权 / 补充权限 on accounts that need it: the owner's list only (admins cannot authorize). */
    actionable: { type: Boolean, value: false },
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

    /** catchtap in the template: the row's own tap (to the detail page) does not fire too. */
    onActionTap() {
      const view = this.data.view;
      if (!view?.action || !this.data.actionable) return;
      this.triggerEvent('reauthorize', { appid: view.appid, kind: view.kind });
    },
  },
});
