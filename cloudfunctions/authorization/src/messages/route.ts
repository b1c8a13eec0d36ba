import type { App } from '../app';
import { decodeBody, type HttpEvent, type HttpResponse } from '../http/adapter';
import { JOB_PATH_SEGMENT, runJob } from '../release/jobs';
import { handleMessage } from './inbound';

/**
 * The HTTP routes of issue 11, matched by the last two path segments (so any HTTP access prefix
 * works): `POST …/message/<APPID>` and `POST …/release-jobs/<id>`. null: not ours.
 */
const JOB_ID = /^[0-9a-f]{64}$/;

export async function routeMessages(app: App, event: HttpEvent): Promise<HttpResponse | null> {
  if (event.httpMethod.toUpperCase() !== 'POST') return null;
  const [parent, last] = event.path.replace(/\/+$/, '').split('/').slice(-2);
  if (parent === 'message' && last) {
    const body = decodeBody(event);
    if (body === null) return respond(413, 'body too large');
    const reply = await handleMessage(app, last, event.queryStringParameters ?? {}, body);
    return respond(reply.status, reply.body, reply.xml);
  }
  if (parent === JOB_PATH_SEGMENT && last) {
    if (!JOB_ID.test(last)) return respond(404, 'not found');
    const state = await runJob(app, last);
    return respond(state === 'unknown' ? 404 : 200, state);
  }
  return null;
}

function respond(statusCode: number, body: string, xml = false): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': xml ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8' },
    body,
    isBase64Encoded: false,
  };
}
