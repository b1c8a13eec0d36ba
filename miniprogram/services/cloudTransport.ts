import type { FunctionName } from '../../typings/api';
import { RUNTIME } from '../config/runtime';
import type { Transport } from './backend';

const FUNCTION_NAME: FunctionName = 'authorization';

let initialised = false;

/** Production: the cloud function, called with the merchant's identity attached by WeChat. */
export const cloudTransport: Transport = async (request) => {
  if (!initialised) {
    wx.cloud.init(RUNTIME.cloudEnv ? { env: RUNTIME.cloudEnv, traceUser: true } : { traceUser: true });
    initialised = true;
  }
  const response = await wx.cloud.callFunction({ name: FUNCTION_NAME, data: request });
  return (response as { result?: unknown }).result;
};
