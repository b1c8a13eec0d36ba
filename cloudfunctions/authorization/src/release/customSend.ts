import { postJson } from '../openapi/transport';

/**
 * `POST /cgi-bin/message/custom/send?access_token=…` (spec §15.3) with a release-test account's
 * token. Deliberately not through the broker's proxy: the proxy serves merchants from their token
 * store, and WeChat's test accounts' tokens are kept out of it (releaseTestAccounts).
 */
export interface CustomSendResult {
  ok: boolean;
  /** WeChat's errcode; -1 when there was no usable answer. */
  errcode: number;
}

export async function sendCustomText(
  options: { apiBaseUrl: string; timeoutMs: number },
  accessToken: string,
  touser: string,
  content: string,
): Promise<CustomSendResult> {
  const url = new URL(`${options.apiBaseUrl}/cgi-bin/message/custom/send`);
  url.searchParams.set('access_token', accessToken);
  const body = JSON.stringify({ touser, msgtype: 'text', text: { content } });
  const outcome = await postJson(url, body, options.timeoutMs);
  if (outcome.kind !== 'response') return { ok: false, errcode: -1 };
  try {
    const answer = JSON.parse(outcome.body) as { errcode?: unknown };
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : -1;
    return { ok: errcode === 0, errcode };
  } catch {
    return { ok: false, errcode: -1 };
  }
}
