// Application shell: pages hold their own state; globalData stays small on purpose.

/** What getApp<MerchantApp>() returns to pages. */
export interface MerchantApp {
  globalData: {
    /** Set once the app has launched; lets pages tell a cold start from a return. */
    launched: boolean;
  };
}

App<MerchantApp>({
  globalData: { launched: false },
  onLaunch() {
    this.globalData.launched = true;
  },
});
