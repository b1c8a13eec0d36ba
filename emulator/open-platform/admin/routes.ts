/**
 * `/__emulator/…`: a JSON mirror of the programmatic API, so the plugin stand-in in a mini-program
 * test, a local stack in another process, or a shell script can drive the emulator.
 * Malformed input → HTTP 400 `{ok:false, error}`; a refusal WeChat would show the merchant
 * (used pre_auth_code, ineligible account…) → HTTP 200 `{ok:false, error, message}`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { OpenPlatformEmulator } from '../emulator';
import { ConfirmError } from '../flows';
import { eligibleAccounts, parseAuthType, parseCategoryIdList } from '../state/eligibility';
import { accountTypeLabel, PERMISSION_SETS } from '../state/fixtures';
import { API_NAMES } from '../state/types';

const confirmBody = z.object({
  preAuthCode: z.string().min(1),
  authorizerAppid: z.string().min(1),
  funcIds: z.array(z.number().int()).optional(),
  authType: z.number().int().optional(),
  bizAppid: z.string().optional(),
});
const appidBody = z.object({ authorizerAppid: z.string().min(1) });
const MAX_BULK = 200_000;
const bulkBody = z.object({ count: z.number().int().min(1).max(MAX_BULK), seed: z.string().min(1).max(64).optional() });
const advanceBody = z.object({ seconds: z.number().nonnegative() });
const configBody = z.object({
  authEventUrl: z.string().url().nullable().optional(),
  initiationDomain: z.string().nullable().optional(),
});
const faultBody = z.object({
  api: z.enum([...API_NAMES, 'push', 'audit_event', '*']),
  appid: z.string().min(1).optional(),
  errcode: z.number().int().optional(),
  delayMs: z.number().nonnegative().optional(),
  drop: z.boolean().optional(),
  dropReply: z.boolean().optional(),
  duplicate: z.boolean().optional(),
  times: z.number().int().positive().optional(),
  rate: z.number().min(0).max(1).optional(),
});

const authorizerFaultBody = z.object({
  path: z.string().regex(/^\/[A-Za-z0-9_/-]+$/),
  errcode: z.number().int(),
  times: z.number().int().positive().optional(),
});

function parse<T>(schema: z.ZodType<T>, raw: unknown, reply: FastifyReply): T | undefined {
  let json: unknown = {};
  if (typeof raw === 'string' && raw.trim() !== '') {
    try {
      json = JSON.parse(raw);
    } catch {
      void reply.code(400).send({ ok: false, error: 'body is not JSON' });
      return undefined;
    }
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    void reply.code(400).send({ ok: false, error: z.prettifyError(result.error) });
    return undefined;
  }
  return result.data;
}

function refusal(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof ConfirmError) return reply.send({ ok: false, error: error.code, message: error.message });
  throw error;
}

// eslint-disable-next-line max-lines-per-function -- a route table: one short handler per admin route
export function registerAdminRoutes(app: FastifyInstance, emulator: OpenPlatformEmulator): void {
  app.get('/__emulator/info', async () => ({
    ok: true,
    componentAppId: emulator.component.appId,
    platformName: emulator.component.name,
    authEventUrl: emulator.component.authEventUrl ?? null,
    initiationDomain: emulator.component.initiationDomain ?? null,
    now: emulator.clock.now(),
    accounts: emulator.accounts.map((account) => ({ appid: account.appid, kind: account.kind, nickName: account.nickName })),
  }));

  app.post('/__emulator/config', async (request, reply) => {
    const body = parse(configBody, request.body, reply);
    if (!body) return reply;
    if (body.authEventUrl !== undefined) emulator.setAuthEventUrl(body.authEventUrl ?? undefined);
    if (body.initiationDomain !== undefined) emulator.setInitiationDomain(body.initiationDomain ?? undefined);
    return { ok: true };
  });

  app.get('/__emulator/accounts', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const authType = parseAuthType(query.authType);
    const eligibility = eligibleAccounts(emulator.accounts, {
      authType,
      bizAppid: query.bizAppid || undefined,
      categoryIdList: parseCategoryIdList(query.categoryIdList),
    });
    if (authType === undefined && !query.bizAppid) return reply.send({ ok: false, error: 'invalid_auth_type' });
    if (!eligibility.ok) return reply.send({ ok: false, error: eligibility.error });
    const authorized = new Set(emulator.authorizations().map((entry) => entry.authorizerAppid));
    return {
      ok: true,
      accounts: eligibility.accounts.map(({ account, offeredFuncIds }) => ({
        appid: account.appid,
        kind: account.kind,
        typeLabel: accountTypeLabel(account),
        nickName: account.nickName,
        userName: account.userName,
        principalName: account.principalName,
        headImg: account.headImg,
        serviceTypeId: account.serviceTypeId,
        authorized: authorized.has(account.appid),
        funcSets: offeredFuncIds.map((id) => ({
          id,
          name: PERMISSION_SETS.get(id)?.name ?? `权限集 ${id}`,
          exclusive: PERMISSION_SETS.get(id)?.exclusive ?? false,
        })),
      })),
    };
  });

  app.post('/__emulator/plugin/confirm', async (request, reply) => {
    const body = parse(confirmBody, request.body, reply);
    if (!body) return reply;
    try {
      await emulator.confirmAuthorization({ ...body, channel: 'plugin' });
      return { ok: true };
    } catch (error) {
      return refusal(reply, error);
    }
  });

  app.post('/__emulator/revoke', async (request, reply) => {
    const body = parse(appidBody, request.body, reply);
    if (!body) return reply;
    try {
      return { ok: true, push: await emulator.revoke(body.authorizerAppid) };
    } catch (error) {
      return refusal(reply, error);
    }
  });

  // Scale tests: N authorized accounts at once, with the tokens the platform would hold for them.
  app.post('/__emulator/bulk-authorizations', async (request, reply) => {
    const body = parse(bulkBody, request.body, reply);
    if (!body) return reply;
    const granted = emulator.bulkAuthorize(body.count, body.seed);
    return {
      ok: true,
      authorizations: granted.map(({ account, funcIds, authTime, refreshToken }) => ({
        authorizerAppid: account.appid,
        kind: account.kind,
        nickName: account.nickName,
        funcIds,
        authTime,
        refreshToken,
      })),
    };
  });

  app.post('/__emulator/ticket', async () => ({ ok: true, push: await emulator.pushTicket() }));

  app.post('/__emulator/clock/advance', async (request, reply) => {
    const body = parse(advanceBody, request.body, reply);
    if (!body) return reply;
    emulator.clock.advance(body.seconds);
    return { ok: true, now: emulator.clock.now() };
  });

  app.get('/__emulator/faults', async () => ({ ok: true, faults: emulator.faults.list() }));
  app.post('/__emulator/faults', async (request, reply) => {
    const body = parse(faultBody, request.body, reply);
    if (!body) return reply;
    return { ok: true, id: emulator.faults.inject(body) };
  });
  app.delete('/__emulator/faults', async () => {
    emulator.faults.clear();
    return { ok: true };
  });
  app.delete('/__emulator/faults/:id', async (request) => {
    emulator.faults.clear((request.params as { id: string }).id);
    return { ok: true };
  });

  // Errcodes for authorizer-token APIs by path, e.g. one -1 from /cgi-bin/message/custom/send.
  app.post('/__emulator/authorizer-api-faults', async (request, reply) => {
    const body = parse(authorizerFaultBody, request.body, reply);
    if (!body) return reply;
    emulator.authorizerApiFaults.inject(body);
    return { ok: true };
  });
  app.delete('/__emulator/authorizer-api-faults', async () => {
    emulator.authorizerApiFaults.clear();
    return { ok: true };
  });

  app.get('/__emulator/pushes', async () => ({ ok: true, pushes: emulator.pushes }));
  app.get('/__emulator/calls', async () => ({ ok: true, calls: emulator.calls }));
  app.delete('/__emulator/calls', async () => {
    emulator.resetCalls();
    return { ok: true };
  });
  app.get('/__emulator/authorizations', async () => ({ ok: true, authorizations: emulator.authorizations() }));
}
