import type { ActionError } from '../../../../typings/api';
import type { RateLimits } from '../limits';
import type { AuthorizerDoc, SessionDoc } from '../model';
import { LATE_PUSH_GRACE_MS, type Sessions } from '../sessions/sessions';
import type { AuthorizersRepository } from '../repositories/authorizersRepository';
import { codeIdFor } from './stages';
import type { AuthorizationMachine, CodeOutcome } from './machine';

/**
 * The PC/H5 callback (`redirect_uri?sid=…&auth_code=…`) as a use case. Its URL is anyone's input:
 * it may have a code exchanged (exactly once, bounded) and show the outcome, but it never binds,
 * rebinds or fails a session. Only WeChat's signed push ties an account to a merchant.
 */

export type CallbackView =
  | { view: 'no_code' | 'bad_code' | 'no_session' | 'link_expired' | 'rate_limited' | 'processing' }
  | { view: 'failed'; error: ActionError }
  /** The session is authorized (by the signed push) with this account. */
  | { view: 'authorized'; authorizer: AuthorizerDoc | null; appid: string }
  /** WeChat confirmed the account, the merchant already owns it, and no push came: nothing changed. */
  | { view: 'unchanged'; authorizer: AuthorizerDoc | null; appid: string }
  /** WeChat confirmed the account; the push that ties it to this merchant is awaited (or never came). */
  | { view: 'confirming' | 'unconfirmed'; authorizer: AuthorizerDoc | null; appid: string };

export interface CallbackDeps {
  authorizers: AuthorizersRepository;
  sessions: Sessions;
  machine: AuthorizationMachine;
  limits: RateLimits;
  now: () => number;
}

/** A person is watching: the exchange may take a little longer than a push's. */
const CALLBACK_BUDGET_MS = 8000;
/** How long after the code arrived the page keeps waiting for WeChat's push. */
export const CONFIRM_WAIT_MS = 2 * 60_000;
/** Codes we have never seen, per session and in all: each one costs an api_query_auth call. */
export const UNKNOWN_CODES_PER_SESSION = 3;
/** Across all of one merchant's sessions, so new sessions do not buy new attempts. */
export const UNKNOWN_CODES_PER_MERCHANT_PER_HOUR = 10;
export const UNKNOWN_CODES_PER_MINUTE = 300;

const AUTH_CODE_SHAPE = /^[A-Za-z0-9@_-]{1,512}$/;
const SESSION_ID_SHAPE = /^[0-9a-f]{32}$/;

export async function handleCallback(
  deps: CallbackDeps,
  sid: string | undefined,
  authCode: string | undefined,
): Promise<CallbackView> {
  if (!authCode) return { view: 'no_code' };
  if (!AUTH_CODE_SHAPE.test(authCode)) return { view: 'bad_code' };
  const session = sid && SESSION_ID_SHAPE.test(sid) ? await deps.sessions.get(sid) : null;
  // Our redirect_uri always names a PC/H5 session; the plugin never comes back through a URL.
  if (!session || session.channel === 'plugin') return { view: 'no_session' };
  const outcome = await advance(deps, session, authCode);
  if (typeof outcome === 'string') return { view: outcome };
  return viewOf(deps, session._id, outcome);
}

async function advance(
  deps: CallbackDeps,
  session: SessionDoc,
  code: string,
): Promise<CodeOutcome | 'link_expired' | 'rate_limited'> {
  const { machine, limits, now } = deps;
  const id = codeIdFor(code);
  const known = await machine.outcomeOf(id);
  if (known && known.state !== 'processing') return known;
  if (known) return machine.resume(id, CALLBACK_BUDGET_MS);
  if (session.status !== 'pending' || now() > session.expiresAt + LATE_PUSH_GRACE_MS) return 'link_expired';
  const allowed =
    (await limits.take({ key: `callback:${session._id}`, max: UNKNOWN_CODES_PER_SESSION, windowMs: 3600_000 })) &&
    (await limits.take({
      key: `callback-merchant:${session.openid}`,
      max: UNKNOWN_CODES_PER_MERCHANT_PER_HOUR,
      windowMs: 3600_000,
    })) &&
    (await limits.take({ key: 'callback', max: UNKNOWN_CODES_PER_MINUTE, windowMs: 60_000 }));
  if (!allowed) return 'rate_limited';
  return machine.arrive(
    { source: 'callback', code, expiresAt: now() + 3600_000, callbackSessionId: session._id },
    CALLBACK_BUDGET_MS,
  );
}

async function viewOf(deps: CallbackDeps, sessionId: string, outcome: CodeOutcome): Promise<CallbackView> {
  if (outcome.state === 'failed') return { view: 'failed', error: outcome.error };
  if (outcome.state !== 'done') return { view: 'processing' };
  const { record, authorizerAppid: appid } = outcome;
  // The push may have bound the session while we waited.
  const session = await deps.sessions.get(sessionId);
  if (session?.status === 'authorized' && session.authorizerAppid === appid) return authorizedView(deps, appid);
  const authorizer = await deps.authorizers.get(appid);
  if (session && authorizer?.owners.includes(session.openid)) return { view: 'unchanged', authorizer, appid };
  const waiting = deps.now() - record.createdAt < CONFIRM_WAIT_MS;
  return { view: waiting ? 'confirming' : 'unconfirmed', authorizer, appid };
}

async function authorizedView(deps: CallbackDeps, appid: string): Promise<CallbackView> {
  return { view: 'authorized', appid, authorizer: await deps.authorizers.get(appid) };
}
