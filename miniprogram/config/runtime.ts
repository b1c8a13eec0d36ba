/**
 * Where the mini-program's backend is. The one switch between production and local development:
 *
 * - `cloud` (what is committed and uploaded): `wx.cloud.callFunction` and the real WeChat plugin.
 * - `local`: the backend client talks to `npm start`'s local cloud runtime over `wx.request`, and
 *   a plugin stand-in confirms through the Open Platform emulator. That code and its addresses live
 *   in `dev/` (see `dev/localConfig.ts`), which `project.config.json` keeps out of every upload;
 *   `npm run check` fails when `mode` is `local` or anything from `dev/` is in the compiled package.
 */
export interface RuntimeConfig {
  mode: 'cloud' | 'local';
  /** The cloud environment id; empty = the default environment of the mini-program. */
  cloudEnv: string;
}

export const RUNTIME: RuntimeConfig = {
  mode: 'cloud',
  cloudEnv: '',
};
