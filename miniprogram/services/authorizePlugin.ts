import type { PluginLaunch } from '../../typings/api';
import type { ThirdPartyPlugin } from '../../typings/plugin';
import { RUNTIME } from '../config/runtime';
import { MIN_PLUGIN_VERSION } from '../shared/constants';

/**
 * Opens WeChat's authorization UI for a session. The real plugin gives no result (spec §7), so
 * this only resolves once the UI was opened; the page learns the outcome from the backend.
 */
export type AuthorizeLauncher = (launch: PluginLaunch) => Promise<void>;

const PLUGIN_NAME = 'miniprogram-thirdparty-plugin';

export class PluginUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginUnavailableError';
  }
}

function loadPlugin(): ThirdPartyPlugin {
  let plugin: ThirdPartyPlugin | undefined;
  try {
    plugin = requirePlugin(PLUGIN_NAME);
  } catch {
    plugin = undefined;
  }
  if (!plugin) {
    throw new PluginUnavailableError('未能加载微信授权插件：请确认服务商已在开放平台开通「小程序服务商组件」。');
  }
  if (typeof plugin.openAuthorizeAccount !== 'function') {
    throw new PluginUnavailableError(`授权插件版本过低：需要 ${MIN_PLUGIN_VERSION} 及以上版本，请联系服务商更新小程序。`);
  }
  return plugin;
}

export const pluginLauncher: AuthorizeLauncher = async (launch) => {
  const plugin = loadPlugin();
  plugin.init(wx);
  plugin.openAuthorizeAccount({
    platformAppID: launch.platformAppID,
    preAuthCode: launch.preAuthCode,
    authType: launch.authType,
    ...(launch.bizAppid ? { bizAppid: launch.bizAppid } : {}),
  });
};

/** The launcher for this build: the real plugin, or in local mode the emulator stand-in. */
export function authorizeLauncher(): AuthorizeLauncher {
  if (RUNTIME.mode === 'local') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- dev/ loads only in local mode
    return (require('../dev/pluginStandIn') as typeof import('../dev/pluginStandIn')).pluginStandIn;
  }
  return pluginLauncher;
}
