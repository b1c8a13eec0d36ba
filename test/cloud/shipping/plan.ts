import type { ShipPlan } from '../../../cloudfunctions/authorization/src/shipping/stages';

/** One job's plan, shared by the shipping workflow's tests. */
export const VERSION = '1.4.0';
export const PLAN: ShipPlan = {
  templateId: 7,
  userVersion: VERSION,
  userDesc: '修复下单',
  versionDesc: '测试账号见备注',
  extJsonTemplate: { extAppid: '{{appid}}', ext: { shopName: '{{shopName}}' } },
  release: 'auto',
  grayPercentage: null,
  privacyApiNotUse: false,
};
