/**
 * Small HTTP helpers for the emulator tests: raw requests over node:http (so Referer and
 * redirects are under the test's control) and the usual API sequences.
 */
import http from 'node:http';
import type { OpenPlatformEmulator } from '../../../emulator/open-platform';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Parsed JSON answers; tests read arbitrary fields. */
export type Json = Record<string, any>;

/** POST a component API with a JSON body (or a raw string) and an optional query. */
export async function callApi(
  emu: OpenPlatformEmulator,
  api: string,
  body: unknown,
  query: Record<string, string> = {},
): Promise<Json> {
  const url = new URL(`/cgi-bin/component/${api}`, emu.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const answer = await request('POST', url.href, {
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status} from ${api}`);
  return JSON.parse(answer.body) as Json;
}

export async function adminJson(
  emu: OpenPlatformEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const answer = await request(method, new URL(path, emu.url).href, {
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, json: JSON.parse(answer.body) as Json };
}

/** Ensures a ticket exists, then fetches a component token. */
export async function componentToken(emu: OpenPlatformEmulator): Promise<string> {
  if (!emu.latestTicket()) await emu.pushTicket();
  const answer = await callApi(emu, 'api_component_token', {
    component_appid: emu.component.appId,
    component_appsecret: emu.component.appSecret,
    component_verify_ticket: emu.latestTicket(),
  });
  if (!answer.component_access_token) throw new Error(`no component token: ${answer.errcode}`);
  return answer.component_access_token as string;
}

export async function preAuthCode(emu: OpenPlatformEmulator, token: string): Promise<string> {
  const answer = await callApi(
    emu,
    'api_create_preauthcode',
    { component_appid: emu.component.appId },
    { component_access_token: token },
  );
  if (!answer.pre_auth_code) throw new Error(`no pre_auth_code: ${answer.errcode}`);
  return answer.pre_auth_code as string;
}

/** A full plugin-style authorization; returns the auth code. */
export async function authorize(
  emu: OpenPlatformEmulator,
  token: string,
  authorizerAppid: string,
  funcIds?: number[],
): Promise<string> {
  const code = await preAuthCode(emu, token);
  const { authCode } = await emu.confirmAuthorization({ preAuthCode: code, authorizerAppid, funcIds, channel: 'plugin' });
  return authCode;
}

export const SERVICE_OA = 'wx8c41f2a9e6d07b13';
export const SUBSCRIPTION_OA = 'wx2d7e90b5c3a18f64';
export const MINI_PROGRAM = 'wx6b93d0f2a7c4e815';
export const MINI_GAME = 'wx0e5c8a7b2f9d3164';
export const CHANNELS = 'wx4f1b7e2c9a6d8053';
export const STORE = 'wx9a2c5e8f1b4d7036';
export const SALES_ASSISTANT = 'wx1c6f9b3e8d2a5047';

export const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
