// Typings for WeChat's service-provider plugin `miniprogram-thirdparty-plugin` (spec §7).
// Kept free of WechatMiniprogram types so it type-checks in both the Node and the
// mini-program TypeScript projects.

/** Which account kinds WeChat lists (spec §6.2): 1 OA, 2 MP, 3 OA+MP, 4 推客, 5 Channels, 6 all, 8 带货助手. */
export type PluginAuthType = 1 | 2 | 3 | 4 | 5 | 6 | 8;

export interface OpenAuthorizeAccountOptions {
  /** The third-party platform's component appid. */
  platformAppID: string;
  /** A fresh, unused pre_auth_code; it is also the key that matches the later `authorized` push. */
  preAuthCode: string;
  authType: PluginAuthType;
  /** Restrict to one account; wins over authType when they disagree. */
  bizAppid?: string;
}

export interface PluginAuthorizeOptions {
  /** The create_token taken from the authorize_url of `fastregisterbetaweapp`. */
  token: string;
  success?: (result: unknown) => void;
  fail?: (error: unknown) => void;
}

export interface OpenTrialOptions {
  /** The trial mini-program's appid. */
  appid: string;
  platformAppID: string;
  /** Further fields WeChat may accept; the spec lists only the two above. */
  [field: string]: unknown;
}

export interface ThirdPartyPlugin {
  /** Must be called once with the page's `wx` before any other call. */
  init(wx: unknown): void;
  /**
   * Opens WeChat's authorization UI. Returns nothing and has no callback: the outcome
   * reaches the backend only as the authorized/updateauthorized push (needs plugin >= 0.3.10).
   */
  openAuthorizeAccount(options: OpenAuthorizeAccountOptions): void;
  authorize(options: PluginAuthorizeOptions): void;
  openTrial(options: OpenTrialOptions): void;
}

export type ThirdPartyPluginName = 'miniprogram-thirdparty-plugin';

declare global {
  // Merges with miniprogram-api-typings' RequirePlugin; the literal overload is chosen first.
  interface RequirePlugin {
    (module: ThirdPartyPluginName): ThirdPartyPlugin;
  }
}
