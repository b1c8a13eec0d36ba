/**
 * The JSON shapes of api_query_auth / api_get_authorizer_info (spec §4.3, §4.5): `func_info`
 * from granted sets and `authorizer_info` per account kind with its marker object
 * (`MiniProgramInfo`, `channels_info`, `store_info`, `talent_info`).
 */
import { PERMISSION_SETS } from '../../state/fixtures';
import type { TestAccount } from '../../state/types';

export interface FuncInfoItem {
  funcscope_category: { id: number };
  confirm_info?: { need_confirm: number; already_confirm: number; can_confirm: number };
}

/** Real responses attach `confirm_info` to some sets only; here: the exclusive (互斥) ones. */
export function funcInfo(funcIds: number[]): FuncInfoItem[] {
  return funcIds.map((id) =>
    PERMISSION_SETS.get(id)?.exclusive
      ? { funcscope_category: { id }, confirm_info: { need_confirm: 0, already_confirm: 0, can_confirm: 0 } }
      : { funcscope_category: { id } },
  );
}

const noBusiness = { open_pay: 0, open_shake: 0, open_scan: 0, open_card: 0, open_store: 0 };

function commonInfo(account: TestAccount): Record<string, unknown> {
  return {
    nick_name: account.nickName,
    head_img: account.headImg,
    service_type_info: { id: account.serviceTypeId },
    verify_type_info: { id: account.verifyTypeId },
    user_name: account.userName,
    alias: account.alias,
    qrcode_url: account.qrcodeUrl,
    business_info:
      account.kind === 'official_account' && account.serviceTypeId === 2
        ? { ...noBusiness, open_pay: 1, open_scan: 1 }
        : noBusiness,
    idc: 1,
    principal_name: account.principalName,
    signature: account.signature,
    account_status: account.accountStatus,
    basic_config: { is_phone_configured: true, is_email_configured: account.principalName !== '个人' },
  };
}

/**
 * Markers other than MiniProgramInfo are documented only by presence; their contents here
 * (`{id: 0}`) are an assumption.
 */
export function authorizerInfo(account: TestAccount): Record<string, unknown> {
  const info = commonInfo(account);
  switch (account.kind) {
    case 'mini_program':
    case 'promoter':
      if (account.miniProgram) {
        info.MiniProgramInfo = {
          network: account.miniProgram.network,
          categories: account.miniProgram.categories,
          visit_status: 0,
        };
      }
      info.register_type = 0;
      break;
    case 'channels':
      info.channels_info = { id: 0 };
      break;
    case 'store':
      info.store_info = { id: 0 };
      break;
    case 'sales_assistant':
      info.talent_info = { id: 0 };
      break;
    case 'official_account':
      break;
  }
  return info;
}
