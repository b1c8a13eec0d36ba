/**
 * The secrets of a running stack and a scan of what the server sent to clients: tokens, tickets,
 * codes and configuration secrets must never leave the server. The only `@@@` value a client may
 * receive is the pre_auth_code of its own session (the plugin and the links need it), checked by
 * hashing it to the session id the response is about.
 */
import { createHash } from 'node:crypto';
import type { FlowStack, SeenResponse } from './flows-stack';

export interface Secret {
  name: string;
  value: string;
}

/** Everything secret the stack holds right now: configuration, the stored tokens, the ticket. */
export async function collectSecrets(flow: FlowStack): Promise<Secret[]> {
  const { functionEnv, openPlatform } = flow.stack;
  const secrets: Secret[] = [
    { name: 'app secret', value: functionEnv.COMPONENT_APPSECRET },
    { name: 'message token', value: functionEnv.COMPONENT_TOKEN },
    { name: 'EncodingAESKey', value: functionEnv.ENCODING_AES_KEY },
  ];
  const ticket = openPlatform.latestTicket();
  if (ticket) secrets.push({ name: 'ticket', value: ticket });
  for (const platform of await flow.docs('platform')) {
    if (platform.componentToken) secrets.push({ name: 'component token', value: platform.componentToken });
    if (platform.ticket) secrets.push({ name: 'stored ticket', value: platform.ticket });
  }
  for (const tokens of await flow.docs('authorizerTokens')) {
    if (tokens.accessToken) secrets.push({ name: `access token of ${tokens._id}`, value: tokens.accessToken });
    secrets.push({ name: `refresh token of ${tokens._id}`, value: tokens.refreshToken });
  }
  return secrets;
}

/** `@` may travel percent-encoded or as an HTML entity in links. */
function normalise(text: string): string {
  return text
    .replace(/%40/gi, '@')
    .replace(/&#0*64;/g, '@')
    .replace(/\\u0040/gi, '@');
}

const AT_CODE = /[A-Za-z]+@@@[A-Za-z0-9_-]+/g;

export interface Leak {
  what: string;
  kind: string;
}

const sessionIdOf = (preAuthCode: string) => createHash('sha256').update(preAuthCode).digest('hex').slice(0, 32);

/**
 * The session a response is allowed to carry the pre_auth_code of: a createAuthSession answer
 * (the plugin parameters, the H5 link) and the PC entry page. Nothing else may carry any code.
 */
function ownSessionId({ what, text }: SeenResponse): string | undefined {
  if (what === 'action createAuthSession') {
    const answer = JSON.parse(text) as { ok: boolean; data?: { sessionId?: string } };
    return answer.data?.sessionId;
  }
  const page = /^page (\S+)/.exec(what);
  if (page && /\/entry$/.test(new URL(page[1], 'http://x').pathname))
    return new URL(page[1], 'http://x').searchParams.get('sid') ?? undefined;
  return undefined;
}

/** Finds secrets and foreign `@@@` codes in the responses. A leak names what leaked, never its value. */
export function findLeaks(responses: SeenResponse[], secrets: Secret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const response of responses) {
    const { what, text } = response;
    const plain = normalise(text);
    for (const secret of secrets) {
      if (secret.value.length >= 8 && (text.includes(secret.value) || plain.includes(secret.value)))
        leaks.push({ what, kind: secret.name });
    }
    const own = ownSessionId(response);
    for (const code of plain.match(AT_CODE) ?? []) {
      const allowed = own !== undefined && code.startsWith('preauthcode@@@') && sessionIdOf(code) === own;
      if (!allowed) leaks.push({ what, kind: `code ${code.split('@@@')[0]}@@@…` });
    }
  }
  return leaks;
}
