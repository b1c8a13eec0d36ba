import { LOCAL } from './localConfig';
import type { Transport } from '../services/backend';

/**
 * Local development only (never uploaded): calls the local cloud runtime's callFunction endpoint
 * as the local test merchant, the way `wx.cloud.callFunction` would with a real OPENID.
 */
export const localTransport: Transport = (request) =>
  new Promise((resolve, reject) => {
    wx.request({
      url: `${LOCAL.cloudUrl}/callFunction`,
      method: 'POST',
      header: { 'content-type': 'application/json' },
      data: { name: 'authorization', data: request, openid: LOCAL.openid },
      success: (res) => {
        const body = res.data as { result?: unknown; errMsg?: string } | undefined;
        if (res.statusCode !== 200 || !body || !('result' in body)) reject(new Error(body?.errMsg ?? `HTTP ${res.statusCode}`));
        else resolve(body.result);
      },
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
