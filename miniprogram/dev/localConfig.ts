/**
 * Local development only (never uploaded): where `npm start` listens, and who you are there.
 * Point the URLs at the machine running `npm start` if DevTools runs elsewhere.
 */
export interface LocalConfig {
  /** The local cloud runtime (POST /callFunction). */
  cloudUrl: string;
  /** The Open Platform emulator (the plugin stand-in confirms through its /__emulator/ API). */
  openPlatformUrl: string;
  /** The OPENID the local runtime attaches to your calls (an admin under `npm start`). */
  openid: string;
}

export const LOCAL: LocalConfig = {
  cloudUrl: 'http://127.0.0.1:8091',
  openPlatformUrl: 'http://127.0.0.1:8090',
  openid: 'local-merchant-openid',
};
