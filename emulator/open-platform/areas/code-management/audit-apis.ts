/**
 * Submitting for audit and tracking it (spec code-management §4): `submit_audit`, the two status
 * readers, `undocodeaudit`, `speedupaudit` and `queryquota`. Outcomes come from the app's audit
 * script on the emulated clock (state/code-management).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonBody } from '../../shared/http';
import type { Audit } from '../../state/code-management';
import { WeChatApiError } from '../../state/errors';
import { categoriesOf } from './commit-apis';
import { codeApi, numberField, type CodeApiDeps, type CodeCall } from './pipeline';

type Category = ReturnType<typeof categoriesOf>[number];

const sameCategory = (item: Record<string, unknown>, category: Category): boolean =>
  Number(item.first_id) === category.first_id &&
  Number(item.second_id) === category.second_id &&
  (item.first_class === undefined || item.first_class === category.first_class) &&
  (item.second_class === undefined || item.second_class === category.second_class);

function badTags(tag: unknown): boolean {
  if (typeof tag !== 'string') return true;
  const tags = tag.split(' ').filter(Boolean);
  return tags.length > 10 || tags.some((one) => one.length > 20);
}

/** One item: on a category of the app (85008), a committed page (85007), a short title (85011), tags (85006). */
function checkItem(item: unknown, call: CodeCall, categories: Category[]): void {
  if (!item || typeof item !== 'object') throw new WeChatApiError(85010);
  const fields = item as Record<string, unknown>;
  if (!categories.some((category) => sameCategory(fields, category))) throw new WeChatApiError(85008);
  const { address, title, tag } = fields;
  if (address !== undefined && !(typeof address === 'string' && call.app.trial!.pages.includes(address)))
    throw new WeChatApiError(85007);
  if (title !== undefined && (typeof title !== 'string' || title.length > 32)) throw new WeChatApiError(85011);
  if (tag !== undefined && badTags(tag)) throw new WeChatApiError(85006);
}

/** `item_list` (spec §4.1): 1–5 items (85023), each checked by `checkItem`. */
function checkItems(raw: unknown, call: CodeCall, required: boolean): void {
  if (raw === undefined && !required) return;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > 5) throw new WeChatApiError(85023);
  const categories = categoriesOf(call);
  for (const item of raw) checkItem(item, call, categories);
}

function submit(deps: CodeApiDeps) {
  return (request: FastifyRequest, call: CodeCall): object => {
    const body = jsonBody(request);
    const { app, script } = call;
    if (!app.trial) throw new WeChatApiError(85086);
    if (call.account.serviceTypeId === 4) throw new WeChatApiError(87006);
    if (script.submitErrcode !== undefined) throw new WeChatApiError(script.submitErrcode);
    const block = deps.code.providerBlock;
    if (block === 86008 || (block === 86009 && !app.online) || (block === 86010 && app.online)) throw new WeChatApiError(block);
    app.checkSubmittable(call.now, script, body.privacy_api_not_use === true);
    checkItems(body.item_list, call, deps.code.settings.requireItemList);
    if (!deps.code.quota.takeSubmit()) throw new WeChatApiError(85085);
    return { auditid: app.submit(deps.code.newAuditid(), call.now, script).auditid };
  };
}

function statusFields(audit: Audit): object {
  return {
    auditid: audit.auditid,
    status: audit.status,
    ...(audit.reason !== undefined ? { reason: audit.reason } : {}),
    ...(audit.screenshot !== undefined ? { screenshot: audit.screenshot } : {}),
    user_version: audit.version.userVersion,
    user_desc: audit.version.userDesc,
    submit_audit_time: audit.submitTime,
  };
}

export function registerAuditApis(app: FastifyInstance, deps: CodeApiDeps): void {
  app.post('/wxa/submit_audit', codeApi(deps, submit(deps)));
  app.post(
    '/wxa/get_auditstatus',
    codeApi(deps, (request, call) => {
      const auditid = numberField(jsonBody(request), 'auditid', 85012);
      const audit = call.app.audits.find((candidate) => candidate.auditid === auditid);
      if (!audit) throw new WeChatApiError(call.app.trial ? 85012 : 86001);
      return statusFields(audit);
    }),
  );
  app.get(
    '/wxa/get_latest_auditstatus',
    codeApi(deps, (_request, call) => {
      const latest = call.app.audits.at(-1);
      if (!latest) throw new WeChatApiError(call.app.trial ? 85012 : 86001);
      return statusFields(latest);
    }),
  );
  app.get(
    '/wxa/undocodeaudit',
    codeApi(deps, (_request, call) => (call.app.undo(call.now), {})),
  );
  app.post(
    '/wxa/speedupaudit',
    codeApi(deps, (request, call) => {
      const audit = call.app.checkSpeedup(numberField(jsonBody(request), 'auditid', 89402));
      if (!deps.code.quota.takeSpeedup()) throw new WeChatApiError(89405);
      call.app.speedUp(audit, call.now);
      return {};
    }),
  );
  app.get(
    '/wxa/queryquota',
    codeApi(
      deps,
      () => {
        const quota = deps.code.quota.read();
        return { rest: quota.rest, limit: quota.limit, speedup_rest: quota.speedupRest, speedup_limit: quota.speedupLimit };
      },
      { componentTokenErrcode: () => deps.code.settings.queryquotaComponentTokenErrcode },
    ),
  );
}
