/**
 * Publishing what the audit approved (spec code-management §5): full and gray release, the gray
 * plan, rollback with its history, and the version info. Guards live in state/code-management.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonBody } from '../../shared/http';
import { firstString } from '../../shared/tokens';
import { WeChatApiError } from '../../state/errors';
import { codeApi, type CodeApiDeps, type CodeCall } from './pipeline';

/** `revertcoderelease`: `?action=get_history_version` lists the targets; otherwise rolls back (to `app_version`). */
function revertCodeRelease(request: FastifyRequest, call: CodeCall): object {
  const query = request.query as Record<string, unknown>;
  const action = firstString(query.action);
  if (action === 'get_history_version') {
    const versionList = call.app.history.map((version) => ({
      app_version: version.appVersion,
      user_version: version.userVersion,
      user_desc: version.userDesc,
      commit_time: version.commitTime,
    }));
    return { version_list: versionList };
  }
  if (action !== undefined) throw new WeChatApiError(40097);
  const raw = firstString(query.app_version);
  if (raw !== undefined && !/^\d+$/.test(raw)) throw new WeChatApiError(40097);
  call.app.revert(call.now, raw === undefined ? undefined : Number(raw));
  return {};
}

export function registerReleaseApis(app: FastifyInstance, deps: CodeApiDeps): void {
  app.post(
    '/wxa/release',
    codeApi(deps, (request, call) => (jsonBody(request), call.app.release(call.now), {}), { bodyRequired: true }),
  );
  app.post(
    '/wxa/grayrelease',
    codeApi(deps, (request, call) => {
      const body = jsonBody(request);
      const flag = (name: string): boolean => body[name] === true;
      call.app.grayRelease(call.now, body.gray_percentage, flag('support_debuger_first'), flag('support_experiencer_first'));
      return {};
    }),
  );
  app.get(
    '/wxa/getgrayreleaseplan',
    codeApi(deps, (_request, call) => {
      const plan = call.app.grayPlan;
      return {
        gray_release_plan: {
          status: plan?.status ?? 0,
          create_timestamp: plan?.createTime ?? 0,
          gray_percentage: plan?.percentage ?? 0,
          support_debuger_first: plan?.supportDebugerFirst ?? false,
          support_experiencer_first: plan?.supportExperiencerFirst ?? false,
        },
      };
    }),
  );
  app.get(
    '/wxa/revertgrayrelease',
    codeApi(deps, (_request, call) => (call.app.revertGray(), {})),
  );
  app.get('/wxa/revertcoderelease', codeApi(deps, revertCodeRelease));
  app.post(
    '/wxa/change_visitstatus',
    codeApi(deps, (request, call) => {
      const action = jsonBody(request).action;
      if (action !== 'open' && action !== 'close') throw new WeChatApiError(85022);
      if (!call.app.online) throw new WeChatApiError(85021);
      call.app.visitStatus = action === 'open' ? 1 : 0;
      return {};
    }),
  );
  app.post(
    '/wxa/getvisitstatus',
    codeApi(deps, (request, call) => (jsonBody(request), { status: call.app.visitStatus }), { bodyRequired: true }),
  );
  app.post(
    '/wxa/getversioninfo',
    codeApi(
      deps,
      (request, call) => {
        jsonBody(request);
        const { trial, online } = call.app;
        return {
          ...(trial
            ? { exp_info: { exp_time: trial.commitTime, exp_version: trial.userVersion, exp_desc: trial.userDesc } }
            : {}),
          ...(online
            ? {
                release_info: {
                  release_time: online.releaseTime,
                  release_version: online.userVersion,
                  release_desc: online.userDesc,
                },
              }
            : {}),
        };
      },
      { bodyRequired: true },
    ),
  );
}
