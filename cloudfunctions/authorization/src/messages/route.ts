import { decodeBody, type HttpEvent, type HttpResponse } from '../http/core';
import { runJob } from '../release/jobs';
import { handleMessage, type MessageDeps } from './inbound';

/** The path segment of the message-and-event URL (`…/message/<APPID>`). */
export const MESSAGE_PATH_SEGMENT = 'message';

const JOB_ID = /^[0-9a-f]{64}$/;

/**
 * The HTTP routes of issue 11, `POST …/message/<APPID>` and `POST …/release-jobs/<id>`, given the
 * path's last two segments (the route table matched them).
 */
export async function handleMessageHttp(deps: MessageDeps, event: HttpEvent, [parent, last]: string[]): Promise<HttpResponse> {
  if (parent === MESSAGE_PATH_SEGMENT) {
    const body = decodeBody(event);
    if (body === null) return respond(413, 'body too large');
    const reply = await handleMessage(deps, last, event.queryStringParameters ?? {}, body);
    return respond(reply.status, reply.body, reply.xml);
  }
  if (!JOB_ID.test(last)) return respond(404, 'not found');
  const state = await runJob(deps, last);
  return respond(state === 'unknown' ? 404 : 200, state);
}

function respond(statusCode: number, body: string, xml = false): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': xml ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8' },
    body,
    isBase64Encoded: false,
  };
}
