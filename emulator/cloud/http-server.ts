import { errorMessage } from './error-text';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { PortListener, serveOn } from '../listener';
import { isTextContentType, type HttpResponseParts, type RequestParts } from './http-access';

/**
 * The runtime's HTTP face: `POST /callFunction` (as wx.cloud.callFunction would reach the
 * function), the configured HTTP access paths, and `/__runtime/*` for tests and tools.
 */

export interface Identity {
  openid?: string;
  appid?: string;
  unionid?: string;
}

/** A failed callFunction, shaped like wx.cloud.callFunction's rejection. */
export class CallFunctionError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
  ) {
    super(errMsg);
    this.name = 'CallFunctionError';
  }
}

export interface RuntimeHttpHandlers {
  /** URL path prefix -> function name. */
  httpAccess: Record<string, string>;
  bodyLimits: { text: number; binary: number };
  callFunction(name: string, data: unknown, identity: Identity): Promise<unknown>;
  httpAccessCall(functionName: string, request: RequestParts): Promise<HttpResponseParts>;
  triggerTimer(functionName: string, triggerName: string): Promise<unknown>;
  hasTimer(functionName: string, triggerName: string): boolean;
  health(): unknown;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function handleCallFunction(handlers: RuntimeHttpHandlers, request: FastifyRequest, reply: FastifyReply) {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (typeof body.name !== 'string' || body.name === '') {
    return reply.code(400).send({ errCode: -1, errMsg: 'cloud.callFunction:fail parameter name should be a string' });
  }
  const identity = {
    openid: optionalString(body.openid),
    appid: optionalString(body.appid),
    unionid: optionalString(body.unionid),
  };
  try {
    const result = await handlers.callFunction(body.name, body.data ?? {}, identity);
    return { result, errMsg: 'cloud.callFunction:ok' };
  } catch (error) {
    if (error instanceof CallFunctionError) return { errCode: error.errCode, errMsg: error.errMsg };
    throw error;
  }
}

/** The runtime's own routes, callable from a browser page or the dev tools (CORS). */
function registerRuntimeRoutes(app: FastifyInstance, handlers: RuntimeHttpHandlers): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', async (_request, reply) => {
      reply.headers(CORS_HEADERS);
    });
    scope.options('/callFunction', async (_request, reply) => reply.code(204).send());
    scope.options('/__runtime/*', async (_request, reply) => reply.code(204).send());
    scope.post('/callFunction', (request, reply) => handleCallFunction(handlers, request, reply));
    scope.get('/__runtime/health', async () => handlers.health());
    scope.post('/__runtime/timer/:fn/:trigger', async (request, reply) => {
      const { fn, trigger } = request.params as { fn: string; trigger: string };
      if (!handlers.hasTimer(fn, trigger))
        return reply.code(404).send({ errMsg: `no timer trigger ${trigger} on function ${fn}` });
      try {
        return { result: await handlers.triggerTimer(fn, trigger) };
      } catch (error) {
        return reply.code(500).send({ errMsg: errorMessage(error) });
      }
    });
  });
}

function accessRoutes(prefix: string): string[] {
  return prefix === '/' ? ['/', '/*'] : [prefix, `${prefix}/*`];
}

/** Every method on each configured prefix goes to its function, with the raw body. */
function registerHttpAccess(app: FastifyInstance, handlers: RuntimeHttpHandlers): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
      if (error.statusCode === 413)
        return reply.code(413).send({ code: 'EXCEED_MAX_PAYLOAD_SIZE', message: 'request body too large' });
      return reply.code(error.statusCode ?? 500).send({ code: 'INVALID_REQUEST', message: error.message });
    });
    for (const [prefix, functionName] of Object.entries(handlers.httpAccess)) {
      for (const url of accessRoutes(prefix)) {
        scope.all(url, { bodyLimit: handlers.bodyLimits.binary }, async (request, reply) => {
          const body = Buffer.isBuffer(request.body) ? request.body : undefined;
          if (body && isTextContentType(request.headers['content-type']) && body.length > handlers.bodyLimits.text) {
            return reply.code(413).send({ code: 'EXCEED_MAX_PAYLOAD_SIZE', message: 'request body too large' });
          }
          const response = await handlers.httpAccessCall(functionName, {
            method: request.method,
            url: request.url,
            rawHeaders: request.raw.rawHeaders,
            body,
          });
          return reply.code(response.statusCode).headers(response.headers).send(response.body);
        });
      }
    }
  });
}

/** A prefix as a clean path: leading slash, no trailing slash (except the root). */
export function normalizePrefix(prefix: string): string {
  const withSlash = prefix.startsWith('/') ? prefix : `/${prefix}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

/** Listens on host:port, or serves on a port bound beforehand (`listener`, left bound on close). */
export async function startRuntimeServer(
  handlers: RuntimeHttpHandlers,
  where: { host: string; port: number } | PortListener,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  registerRuntimeRoutes(app, handlers);
  registerHttpAccess(app, handlers);
  if (where instanceof PortListener) return { url: where.url, close: await serveOn(app, where) };
  const { host, port } = where;
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`, close: () => app.close() };
}
