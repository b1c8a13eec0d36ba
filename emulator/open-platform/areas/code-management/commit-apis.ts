/**
 * Getting a template onto a merchant's 体验版 and reading it back (spec code-management §3):
 * `commit`, `get_page`, `get_qrcode`, `get_code_privacy_info` and `get_category`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonBody } from '../../shared/http';
import { wxacodeJpeg } from '../../shared/images';
import { firstString } from '../../shared/tokens';
import type { CodeVersionView } from '../../state/code-management/types';
import { WeChatApiError } from '../../state/errors';
import { codeApi, numberField, QRCODE_SETS, type CodeApiDeps, type CodeCall } from './pipeline';

/** The pages every template of the emulated library has; `ext_json.pages` may pick a subset (spec §3.1). */
export const TEMPLATE_PAGES = [
  'pages/index/index',
  'pages/goods/list',
  'pages/goods/detail',
  'pages/order/list',
  'pages/mine/index',
];

/** A stable id for a category name, so `get_category` and `submit_audit` agree. */
export function categoryId(name: string): number {
  return 100 + (createHash('sha256').update(name).digest().readUInt16BE(0) % 900);
}

export function categoriesOf(
  call: CodeCall,
): { first_class: string; second_class: string; first_id: number; second_id: number }[] {
  const categories = call.script.categories ?? call.account.miniProgram?.categories ?? [];
  return categories.map(({ first, second }) => ({
    first_class: first,
    second_class: second,
    first_id: categoryId(first),
    second_id: categoryId(`${first}/${second}`),
  }));
}

/** `ext_json` is a JSON object serialized to a string; anything else is refused (spec §3.1). */
function parseExtJson(raw: unknown, maxBytes: number | undefined): { extJson: string; pages: string[] } {
  if (typeof raw !== 'string') throw new WeChatApiError(47001);
  if (maxBytes !== undefined && Buffer.byteLength(raw) > maxBytes) throw new WeChatApiError(85044);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WeChatApiError(85013);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WeChatApiError(85013);
  const pages = (parsed as { pages?: unknown }).pages;
  if (pages === undefined) return { extJson: raw, pages: TEMPLATE_PAGES };
  if (!Array.isArray(pages) || pages.some((page) => typeof page !== 'string')) throw new WeChatApiError(85013);
  if (pages.length === 0) throw new WeChatApiError(85047);
  if (pages.some((page) => !TEMPLATE_PAGES.includes(page as string))) throw new WeChatApiError(85045);
  return { extJson: raw, pages: pages as string[] };
}

function commit(deps: CodeApiDeps) {
  return (request: FastifyRequest, call: CodeCall): object => {
    const body = jsonBody(request);
    const templateId = numberField(body, 'template_id');
    const { user_version: userVersion, user_desc: userDesc } = body;
    if (typeof userVersion !== 'string' || userVersion === '' || userVersion.length > 64) throw new WeChatApiError(47001);
    if (typeof userDesc !== 'string') throw new WeChatApiError(47001);
    if (!deps.code.templates.find(templateId)) throw new WeChatApiError(85014);
    const { extJson, pages } = parseExtJson(body.ext_json, deps.code.settings.extJsonMaxBytes);
    const version: CodeVersionView = {
      templateId,
      extJson,
      userVersion,
      userDesc,
      commitTime: Math.floor(call.now / 1000),
      pages,
    };
    call.app.commit(version, call.now, call.script.privacyScanSeconds);
    return {};
  };
}

function trialOf(call: CodeCall): CodeVersionView {
  if (!call.app.trial) throw new WeChatApiError(86001);
  return call.app.trial;
}

export function registerCommitApis(app: FastifyInstance, deps: CodeApiDeps): void {
  app.post('/wxa/commit', codeApi(deps, commit(deps)));
  app.get(
    '/wxa/get_page',
    codeApi(deps, (_request, call) => ({ page_list: trialOf(call).pages })),
  );
  app.get(
    '/wxa/get_qrcode',
    codeApi(
      deps,
      (request, call) => {
        const trial = trialOf(call);
        const path = firstString((request.query as Record<string, unknown>).path) ?? '';
        const seed = `${call.appid}|${trial.userVersion}|${trial.commitTime}|${path}`;
        return { type: 'binary', contentType: 'image/jpeg', body: wxacodeJpeg(seed) };
      },
      { sets: QRCODE_SETS },
    ),
  );
  app.get(
    '/wxa/security/get_code_privacy_info',
    codeApi(deps, (_request, call) => {
      trialOf(call);
      if (call.app.privacyScanRunning(call.now)) throw new WeChatApiError(61039);
      const { withoutAuthList, withoutConfList } = call.script.privacy;
      return { without_auth_list: withoutAuthList, without_conf_list: withoutConfList };
    }),
  );
  // The privacy guide (spec §3.6), development version: no privacy keys found in the template's code.
  app.post(
    '/cgi-bin/component/getprivacysetting',
    codeApi(deps, (_request, call) => ({
      code_exist: call.app.trial ? 1 : 0,
      privacy_list: [],
      setting_list: [],
      owner_setting: { notice_method: '弹窗' },
      update_time: 0,
      privacy_desc: { privacy_desc_list: [] },
    })),
  );
  app.get(
    '/wxa/get_category',
    codeApi(deps, (_request, call) => ({ category_list: categoriesOf(call) })),
  );
}
