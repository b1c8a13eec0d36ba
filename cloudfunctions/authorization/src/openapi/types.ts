/**
 * WeChat Open Platform component API shapes, exactly as WeChat sends them (snake_case,
 * including the oddly capitalised `MiniProgramInfo`). Spec: open-platform.md §2.2, §4.1–4.6.
 * Fields WeChat documents as sometimes missing are optional; treat unknown extras as possible.
 */

/** The path segment of each component API under `/cgi-bin/component/`. */
export type ApiName =
  | 'api_component_token'
  | 'api_start_push_ticket'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_info'
  | 'api_get_authorizer_list';

/** Body of a failed call (HTTP 200) and of setter successes (`errcode: 0`). */
export interface WeChatErrorBody {
  errcode: number;
  errmsg: string;
}

/** §4.1 */
export interface ComponentAccessTokenResponse {
  component_access_token: string;
  expires_in: number;
}

/** §2.2: errmsg is `ok` (push restarted) or `in a normal state` (already running). */
export interface StartPushTicketResponse {
  errcode: 0;
  errmsg: string;
}

/** §4.2 */
export interface PreAuthCodeResponse {
  pre_auth_code: string;
  expires_in: number;
}

/** §10: one permission set. Older docs also list type/name/desc; rarely present. */
export interface FuncScopeCategory {
  id: number;
  type?: number;
  name?: string;
  desc?: string;
}

/** Undocumented, staff say it can be ignored. */
export interface ConfirmInfo {
  need_confirm: number;
  already_confirm: number;
  can_confirm: number;
}

/** One granted permission set. */
export interface FuncInfo {
  funcscope_category: FuncScopeCategory;
  confirm_info?: ConfirmInfo;
}

/** §4.3: tokens are present only when the authorizer has API permissions. */
export interface QueryAuthAuthorizationInfo {
  authorizer_appid: string;
  authorizer_access_token?: string;
  expires_in?: number;
  authorizer_refresh_token?: string;
  func_info: FuncInfo[];
}

/** §4.3 */
export interface QueryAuthResponse {
  authorization_info: QueryAuthAuthorizationInfo;
}

/** §4.4: always persist a returned refresh token, it may rotate. */
export interface AuthorizerTokenResponse {
  authorizer_access_token: string;
  expires_in: number;
  authorizer_refresh_token?: string;
}

/** `{id, name?}` pairs used by service_type_info and verify_type_info. */
export interface IdName {
  id: number;
  name?: string;
}

export interface BusinessInfo {
  open_pay: number;
  open_shake: number;
  open_scan: number;
  open_card: number;
  open_store: number;
}

/** Domain lists of a mini-program; newer responses add PrefetchDNSDomain and New* variants. */
export interface MiniProgramNetwork {
  RequestDomain?: string[];
  WsRequestDomain?: string[];
  UploadDomain?: string[];
  DownloadDomain?: string[];
  BizDomain?: string[];
  UDPDomain?: string[];
  TCPDomain?: string[];
  PrefetchDNSDomain?: string[];
  [newVariant: string]: string[] | undefined;
}

export interface MiniProgramCategory {
  first: string;
  second: string;
}

/** Present only for mini-programs: the documented way to tell them from official accounts. */
export interface MiniProgramInfo {
  network?: MiniProgramNetwork;
  categories?: MiniProgramCategory[];
  visit_status?: number;
}

export interface BasicConfig {
  is_phone_configured: boolean;
  is_email_configured: boolean;
}

/** Present only for a Channels (视频号) assistant; `id` 0 = ordinary (enum uncertain). */
export interface ChannelsInfo {
  id?: number;
  [field: string]: unknown;
}

/** store_info / talent_info / supplier_info: undocumented contents; presence is what matters. */
export interface AccountKindInfo {
  [field: string]: unknown;
}

/** §4.5 `authorizer_info`. */
export interface AuthorizerInfo {
  nick_name: string;
  head_img?: string;
  service_type_info: IdName;
  verify_type_info: IdName;
  /** Original ID, `gh_…`. */
  user_name: string;
  principal_name: string;
  alias?: string;
  qrcode_url?: string;
  business_info?: BusinessInfo;
  /** 1 normal, 14 deregistered, 16 banned, 18 warned, 19 frozen. */
  account_status?: number;
  idc?: number;
  signature?: string;
  MiniProgramInfo?: MiniProgramInfo;
  register_type?: number;
  basic_config?: BasicConfig;
  channels_info?: ChannelsInfo;
  store_info?: AccountKindInfo;
  talent_info?: AccountKindInfo;
  supplier_info?: AccountKindInfo;
}

/** §4.5 `authorization_info`: no access token here. */
export interface AuthorizerInfoAuthorization {
  authorizer_appid: string;
  authorizer_refresh_token?: string;
  func_info: FuncInfo[];
}

/** §4.5: `authorization_info` is reported missing in practice. */
export interface AuthorizerInfoResponse {
  authorizer_info: AuthorizerInfo;
  authorization_info?: AuthorizerInfoAuthorization;
}

/** §4.6: `refresh_token` is the authorizer_refresh_token; `auth_time` is Unix seconds. */
export interface AuthorizerListItem {
  authorizer_appid: string;
  refresh_token?: string;
  auth_time: number;
}

/** §4.6 */
export interface AuthorizerListResponse {
  total_count: number;
  list: AuthorizerListItem[];
}
