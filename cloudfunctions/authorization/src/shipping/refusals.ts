import type { CallName, ShipReason } from './stages';

/**
 * What a WeChat errcode means for one ship item (spec §7, "Batch action"): pause the whole job,
 * skip this merchant, wait and retry, ask WeChat what happened, or a mistake of ours. Pure.
 */
export type RefusalClass =
  /** P: the provider or the template is refused; every merchant would fail the same way. */
  | 'pause'
  /** S: this merchant's setup; the reason says what they must fix. */
  | 'skip'
  /** R: transient or "an operation on this app still runs" (9402202): the same call later. */
  | 'retry'
  /** W: the state is not what we thought (85009, 85019 …): ask WeChat before anything else. */
  | 'reconcile'
  /** 61039: the privacy scan of the last commit still runs; never re-commit for it. */
  | 'scan'
  /** 85086 / 86001: WeChat holds no committed code for the app. */
  | 'recommit'
  /** The refusal says the call already took effect (85052, 85082). */
  | 'done'
  /** C, or an errcode we do not know: a fix on our side. */
  | 'fail';

interface Entry {
  class: RefusalClass;
  message: string;
  action: string;
}

const entry = (c: RefusalClass, message: string, action: string): Entry => ({ class: c, message, action });

const FIX_TEMPLATE = '修正模板或 ext_json 模板后恢复任务';
const FIX_MERCHANT = '商家处理后，在下一个任务中重新发布';

const ENTRIES: Readonly<Record<number, Entry>> = {
  [-1]: entry('retry', '微信系统繁忙', '稍后自动重试'),
  45011: entry('retry', '调用过于频繁', '稍后自动重试'),
  9402202: entry('retry', '该小程序上一个操作尚未完成', '稍后自动重试'),
  89401: entry('retry', '微信系统不稳定', '稍后自动重试'),
  40001: entry('retry', '授权方令牌失效', '刷新令牌后自动重试'),
  42001: entry('retry', '授权方令牌过期', '刷新令牌后自动重试'),
  40014: entry('retry', '授权方令牌不合法', '刷新令牌后自动重试'),
  // Only 85085 resumes by itself (jobs.ts): every other pause waits for the operator's resume.
  45009: entry('pause', '今日接口调用次数已用完', '次日调用额度恢复后，手动恢复任务'),
  61004: entry('pause', '服务器 IP 不在第三方平台白名单', '在开放平台添加出口 IP 后恢复任务'),
  85085: entry('pause', '本月提审额度已用完', '额度恢复或申请临时额度后任务自动恢复'),
  86008: entry('pause', '服务商被处罚，暂停所有提审', '处理违规后恢复任务'),
  9400001: entry('pause', '开发小程序开通了直播，无法发布', '关闭开发小程序的直播后恢复任务'),
  85014: entry('pause', '模板不存在', FIX_TEMPLATE),
  85043: entry('pause', '模板错误', FIX_TEMPLATE),
  85044: entry('pause', '代码包超过大小限制', FIX_TEMPLATE),
  85013: entry('pause', 'ext_json 无效', FIX_TEMPLATE),
  85045: entry('pause', 'ext_json 中的页面路径不存在', FIX_TEMPLATE),
  85046: entry('pause', 'ext_json 的 tabBar 缺少 pagePath', FIX_TEMPLATE),
  85047: entry('pause', 'ext_json 的 pages 为空', FIX_TEMPLATE),
  85048: entry('pause', 'ext_json 解析失败', FIX_TEMPLATE),
  85087: entry('pause', '代码使用了 navigateToMiniProgram 但未声明 appid 列表', FIX_TEMPLATE),
  85310: entry('pause', 'requiredPrivateInfos 格式错误', FIX_TEMPLATE),
  85311: entry('pause', 'requiredPrivateInfos 含互斥的接口', FIX_TEMPLATE),
  9402203: entry('pause', '标准模板的 ext_json 不合法', FIX_TEMPLATE),
  80066: entry('pause', '插件版本不合法', FIX_TEMPLATE),
  80067: entry('pause', '找不到插件', FIX_TEMPLATE),
  80082: entry('pause', '没有使用插件的权限', FIX_TEMPLATE),
  48001: entry('skip', '小程序没有该接口权限', FIX_MERCHANT),
  61003: entry('skip', '商家已取消对第三方平台的授权', '请商家重新授权'),
  61007: entry('skip', '商家未授予“开发管理”权限集', '请商家重新授权并勾选开发管理权限'),
  61040: entry('skip', '代码使用了未声明或未获权限的隐私接口', '在 requiredPrivateInfos 中声明并申请接口，或确认未使用'),
  85008: entry('skip', '小程序没有已审核通过的类目', '请商家在小程序后台补充服务类目'),
  85077: entry('skip', '小程序的类目已被微信下架', '请商家更换服务类目'),
  85094: entry('skip', '需要填写 UGC 场景声明', '为该商家补充 UGC 声明后重新发布'),
  85312: entry('skip', '小程序没有 requiredPrivateInfos 中接口的权限', '请商家申请该隐私接口'),
  86002: entry('skip', '小程序名称、头像或简介未设置', '请商家完善基本信息'),
  86007: entry('skip', '该小程序被禁止提审', '请商家联系微信处理'),
  87006: entry('skip', '小游戏不能用此方式提审', '不在本任务中发布'),
  87013: entry('skip', '撤回次数已用完', '等待审核结果'),
  85009: entry('reconcile', '已有审核中的版本', '核对审核状态后处理'),
  85019: entry('reconcile', '没有审核通过的版本', '核对审核状态后处理'),
  85020: entry('reconcile', '当前状态不能发布', '核对审核状态后处理'),
  85080: entry('reconcile', '版本未审核通过', '核对审核状态后处理'),
  61039: entry('scan', '隐私接口检测尚未完成', '约一分钟后自动重试'),
  85086: entry('recommit', '提审前需要先上传代码', '重新上传代码'),
  86001: entry('recommit', '小程序没有已上传的代码', '重新上传代码'),
  85052: entry('done', '该版本已发布', '无需处理'),
  85082: entry('done', '灰度比例已不低于本次设置', '无需处理'),
  85079: entry('reconcile', '小程序没有线上版本，不能灰度发布', '改为全量发布'),
  87011: entry('reconcile', '灰度发布进行中，不能回退', '先取消灰度再回退'),
  87012: entry('skip', '该版本不能回退', '如需回退请在小程序后台处理'),
};

/** Provider-wide limits on submissions of one kind only (spec §4.6): 86009 new apps, 86010 updates. */
function bySubmissionKind(errcode: number, firstRelease: boolean): Entry | null {
  if (errcode === 86009) return firstRelease ? entry('pause', '服务商被限制提审新的小程序', '限制解除后恢复任务') : null;
  if (errcode === 86010) return firstRelease ? null : entry('pause', '服务商被限制提审小程序更新', '限制解除后恢复任务');
  return null;
}

export interface Classified {
  class: RefusalClass;
  reason: ShipReason;
}

/** The class of `errcode` on `call`, with WeChat's code, plain Chinese and what to do. */
export function classify(call: CallName, errcode: number, firstRelease: boolean): Classified {
  const found = bySubmissionKind(errcode, firstRelease) ?? ENTRIES[errcode] ?? unknown(call);
  return { class: found.class, reason: { errcode, message: found.message, action: found.action } };
}

/** Each call as staff know the step (the errcode beside it is for the engineers). */
const CALL_WORDS: Readonly<Record<CallName, string>> = {
  preflight: '发布前检查',
  commit: '上传代码',
  privacy_info: '隐私接口检查',
  submit_slot: '提审名额',
  submit_audit: '提交审核',
  latest_audit: '查询最新审核',
  audit_status: '查询审核状态',
  version_info: '查询版本信息',
  release: '发布',
  gray_release: '分阶段发布',
  revert_code_release: '版本回退',
  revert_gray_release: '撤回分阶段发布',
};

function unknown(call: CallName): Entry {
  return entry('fail', `微信拒绝了「${CALL_WORDS[call]}」这一步`, '请开发人员按错误码排查后重新发布');
}
