/**
 * `/__emulator/release…`: the 全网发布 switch, the test list, the 消息与事件接收URL, the
 * rehearsal, and the customer-service messages received, for scripts and tests in another process.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AreaContext } from '../../shared/area';
import { rehearse } from './rehearsal';
import { setRelease } from './switch';

const releaseBody = z.object({
  released: z.boolean().optional(),
  testList: z.array(z.string()).optional(),
  messageUrl: z.string().url().nullable().optional(),
});
const rehearseBody = z.object({
  groups: z.array(z.number().int().min(1).max(5)).min(1).optional(),
  selectedFuncIds: z.array(z.number().int().positive()).optional(),
  replyDeadlineMs: z.number().int().positive().max(60_000).optional(),
  apiMessageDeadlineMs: z.number().int().positive().max(120_000).optional(),
});

function json(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function registerReleaseRoutes(app: FastifyInstance, context: AreaContext): void {
  const { component } = context.state;
  app.get('/__emulator/release', async () => ({
    ok: true,
    released: component.released !== false,
    testList: component.testList ?? [],
    messageUrl: component.messageUrl ?? null,
  }));

  app.post('/__emulator/release', async (request, reply) => {
    const parsed = releaseBody.safeParse(json(request.body));
    if (!parsed.success) return reply.code(400).send({ ok: false, error: 'expected {released?, testList?, messageUrl?}' });
    try {
      setRelease(component, parsed.data);
    } catch (error) {
      return reply.code(400).send({ ok: false, error: (error as Error).message });
    }
    if (parsed.data.messageUrl !== undefined) component.messageUrl = parsed.data.messageUrl ?? undefined;
    return { ok: true };
  });

  app.post('/__emulator/release/rehearse', async (request, reply) => {
    const parsed = rehearseBody.safeParse(json(request.body));
    if (!parsed.success) return reply.code(400).send({ ok: false, error: z.prettifyError(parsed.error) });
    return { ok: true, report: await rehearse(context, parsed.data) };
  });

  app.get('/__emulator/custom-messages', async () => ({ ok: true, messages: context.customMessages }));
}
