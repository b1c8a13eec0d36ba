/**
 * Where the mini-program's backend is. The one switch between production and local development:
 *
 * - `cloud` (what is committed and uploaded): `wx.cloud.callFunction` and the real WeChat plugin.
 * - `local`: the backend client talks to `npm start`'s local cloud runtime over `wx.request`, and
 *   a plugin stand-in confirms through the Open Platform emulator. Its code lives in `dev/`, which
 *   `project.config.json` keeps out of every upload, and `npm run check` fails when `mode` is
 *   `local` or anything from `dev/` is in the compiled package.
 */
export interface RuntimeConfig {
  mode: 'cloud' | 'local';
  /** The cloud environment id; empty = the default environment of the mini-program. */
  cloudEnv: string;
  /** Local mode only: the local cloud runtime and the emulator (see `npm start`). */
  local: { cloudUrl: string; openPlatformUrl: string; openid: string };
}

export const RUNTIME: RuntimeConfig = {
  mode: 'cloud',
  cloudEnv: '',
  local: {
    cloudUrl: 'http://127.0.0.1:8091',
    openPlatformUrl: 'http://127.0.0.1:8090',
    openid: 'local-merchant-openid',
  },
};
