import { decodeBody, type HttpEvent, type HttpResponse, text } from '../http/core';
import type { PushHandler } from './pushHandler';

/** All the authorization-event URL needs. */
export interface PushRouteDeps {
  pushes: Pick<PushHandler, 'handle'>;
}

/** The authorization-event URL: a body over the limit is refused before any crypto. */
export async function handlePushHttp(deps: PushRouteDeps, event: HttpEvent): Promise<HttpResponse> {
  const body = decodeBody(event);
  if (body === null) return text(413, 'body too large');
  const reply = await deps.pushes.handle({ query: event.queryStringParameters ?? {}, body });
  return text(reply.status, reply.body);
}
