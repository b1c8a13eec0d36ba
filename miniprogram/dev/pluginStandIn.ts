import type { PluginLaunch } from '../../typings/api';
import { LOCAL } from './localConfig';
import type { AuthorizeLauncher } from '../services/authorizePlugin';

/**
 * Local development only (never uploaded): stands in for WeChat's authorization plugin. The
 * developer picks one of the emulator's test accounts in an action sheet; the emulator confirms
 * and pushes `authorized` to the local function, exactly as WeChat would. Cancel = nothing happens,
 * like closing the real plugin.
 */
interface EligibleAccount {
  appid: string;
  nickName: string;
  typeLabel: string;
}

function request<T>(method: 'GET' | 'POST', path: string, data?: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${LOCAL.openPlatformUrl}${path}`,
      method,
      header: { 'content-type': 'application/json' },
      ...(data ? { data } : {}),
      success: (res) => resolve(res.data as T),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

function pickAccount(accounts: EligibleAccount[]): Promise<EligibleAccount | undefined> {
  return new Promise((resolve) => {
    wx.showActionSheet({
      // WeChat's action sheet takes at most 6 items.
      itemList: accounts.slice(0, 6).map((a) => `${a.nickName}（${a.typeLabel}）`),
      success: (res) => resolve(accounts[res.tapIndex]),
      fail: () => resolve(undefined),
    });
  });
}

export const pluginStandIn: AuthorizeLauncher = async (launch: PluginLaunch) => {
  const query = launch.bizAppid ? `bizAppid=${launch.bizAppid}` : `authType=${launch.authType}`;
  const listed = await request<{ ok: boolean; accounts?: EligibleAccount[] }>('GET', `/__emulator/accounts?${query}`);
  const accounts = listed.accounts ?? [];
  if (!listed.ok || accounts.length === 0) {
    await wx.showModal({ title: '没有可授权的账号', content: '模拟器里没有符合条件的测试账号。', showCancel: false });
    return;
  }
  const chosen = await pickAccount(accounts);
  if (!chosen) return;
  await request('POST', '/__emulator/plugin/confirm', { preAuthCode: launch.preAuthCode, authorizerAppid: chosen.appid });
};
