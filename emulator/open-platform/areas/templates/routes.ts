/**
 * Component-level APIs called with the platform's own token (spec §15.2, §4.8, code-management
 * §2): the template library's drafts and templates, and the quota reader. Enough for a proxy's tests.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { json, jsonBody, serve, type TokenApiDeps } from '../../shared/http';
import { checkComponentToken } from '../../shared/tokens';
import { WeChatApiError } from '../../state/errors';
import type { TemplateLibrary } from '../../state/template-library';

/** A body number that legacy clients may send as a string (spec §2.3). */
function idField(request: FastifyRequest, name: string): number {
  const value = jsonBody(request)[name];
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new WeChatApiError(47001);
  return id;
}

export function registerComponentApiRoutes(app: FastifyInstance, deps: TokenApiDeps, library: TemplateLibrary): void {
  const component =
    (handle: (request: FastifyRequest) => object) => (request: FastifyRequest, reply: Parameters<typeof serve>[1]) =>
      serve(request, reply, deps, () => {
        checkComponentToken(request, deps.state);
        return { appid: null, answer: json({ errcode: 0, errmsg: 'ok', ...handle(request) }) };
      });
  app.get(
    '/wxa/gettemplatedraftlist',
    component(() => ({ draft_list: library.drafts })),
  );
  app.get(
    '/wxa/gettemplatelist',
    component(() => ({ template_list: library.templates })),
  );
  app.post(
    '/wxa/addtotemplate',
    component((request) => (library.add(idField(request, 'draft_id')), {})),
  );
  app.post(
    '/wxa/deletetemplate',
    component((request) => (library.remove(idField(request, 'template_id')), {})),
  );
  app.post(
    '/cgi-bin/openapi/quota/get',
    component((request) => {
      const path = jsonBody(request).cgi_path;
      if (typeof path !== 'string' || !path.startsWith('/')) throw new WeChatApiError(47001);
      return { quota: { daily_limit: 10_000, used: 0, remain: 10_000 } };
    }),
  );
}
