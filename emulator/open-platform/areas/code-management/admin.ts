/**
 * `/__emulator/code-management/…`: the handle (handle.ts) over HTTP, for the function's e2e tests
 * and scripts in another process. Malformed input → HTTP 400 `{ok:false, error}`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { WeChatApiError } from '../../state/errors';
import type { CodeManagementHandle } from './handle';

const PREFIX = '/__emulator/code-management';

const strings = z.array(z.string());
const scriptPatch = z.object({
  outcome: z.enum(['success', 'fail', 'never']).optional(),
  reviewSeconds: z.number().nonnegative().optional(),
  failReason: z.string().optional(),
  failScreenshot: z.string().optional(),
  delay: z.object({ afterSeconds: z.number().nonnegative(), reason: z.string() }).nullable().optional(),
  privacyScanSeconds: z.number().nonnegative().optional(),
  privacy: z.object({ withoutAuthList: strings.optional(), withoutConfList: strings.optional() }).optional(),
  categories: z
    .array(z.object({ first: z.string(), second: z.string() }))
    .nullable()
    .optional(),
  submitErrcode: z.number().int().nullable().optional(),
  speedupSeconds: z.number().nonnegative().optional(),
});
const count = z.number().int().nonnegative().optional();
const quotaPatch = z.object({ limit: count, rest: count, speedupLimit: count, speedupRest: count });
const blockBody = z.object({ errcode: z.union([z.literal(86008), z.literal(86009), z.literal(86010)]).nullable() });
const draftBody = z.object({ userVersion: z.string().min(1).max(64), userDesc: z.string(), toTemplate: z.boolean().optional() });
const appError = z.object({
  path: z.string().regex(/^\/[A-Za-z0-9_/-]+$/),
  errcode: z.number().int(),
  times: z.number().int().positive().optional(),
});
const eventFault = z.object({
  appid: z.string().min(1).optional(),
  drop: z.boolean().optional(),
  duplicate: z.boolean().optional(),
  delayMs: z.number().nonnegative().optional(),
  times: z.number().int().positive().optional(),
  rate: z.number().min(0).max(1).optional(),
});

function parse<T>(schema: z.ZodType<T>, raw: unknown, reply: FastifyReply): T | undefined {
  let json: unknown = {};
  try {
    if (typeof raw === 'string' && raw.trim() !== '') json = JSON.parse(raw);
  } catch {
    void reply.code(400).send({ ok: false, error: 'body is not JSON' });
    return undefined;
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  void reply.code(400).send({ ok: false, error: z.prettifyError(result.error) });
  return undefined;
}

export function registerCodeManagementAdmin(app: FastifyInstance, handle: CodeManagementHandle): void {
  const appidOf = (request: { params: unknown }) => (request.params as { appid: string }).appid;

  app.post(`${PREFIX}/drafts`, async (request, reply) => {
    const body = parse(draftBody, request.body, reply);
    if (!body) return reply;
    try {
      return { ok: true, ...handle.uploadDraft(body) };
    } catch (error) {
      // The library is full (85065): what addtotemplate would answer.
      if (error instanceof WeChatApiError) return { ok: false, errcode: error.errcode };
      throw error;
    }
  });
  app.get(PREFIX, async () => ({ ok: true, quota: handle.quota(), events: handle.events() }));
  app.post(`${PREFIX}/defaults`, async (request, reply) => {
    const patch = parse(scriptPatch, request.body, reply);
    return patch ? { ok: true, script: handle.configureDefaults(patch) } : reply;
  });
  app.get(`${PREFIX}/apps/:appid`, async (request) => ({ ok: true, app: handle.app(appidOf(request)) ?? null }));
  app.post(`${PREFIX}/apps/:appid`, async (request, reply) => {
    const patch = parse(scriptPatch, request.body, reply);
    return patch ? { ok: true, script: handle.configure(appidOf(request), patch) } : reply;
  });
  app.post(`${PREFIX}/apps/:appid/errors`, async (request, reply) => {
    const body = parse(appError, request.body, reply);
    if (!body) return reply;
    handle.injectError(appidOf(request), body.path, body.errcode, body.times);
    return { ok: true };
  });
  app.post(`${PREFIX}/quota`, async (request, reply) => {
    const patch = parse(quotaPatch, request.body, reply);
    return patch ? { ok: true, quota: handle.setQuota(patch) } : reply;
  });
  app.post(`${PREFIX}/provider-block`, async (request, reply) => {
    const body = parse(blockBody, request.body, reply);
    if (!body) return reply;
    handle.setProviderBlock(body.errcode);
    return { ok: true };
  });
  app.get(`${PREFIX}/events`, async (request) => {
    const appid = (request.query as { appid?: string }).appid;
    return { ok: true, events: handle.events(appid || undefined) };
  });
  app.post(`${PREFIX}/event-faults`, async (request, reply) => {
    const fault = parse(eventFault, request.body, reply);
    return fault ? { ok: true, id: handle.injectEventFault(fault) } : reply;
  });
  app.post(`${PREFIX}/settle`, async () => ({ ok: true, events: await handle.settle() }));
}
