import type { AuthorizerSummary, AuthSessionView } from '../../../typings/api';
import { backend, BackendError, errorMessage } from '../../services/index';
import { pollUntil } from '../../utils/poll';

/**
 * Learning how an authorization ended. WeChat tells only the backend (by push), so the pages ask
 * the backend: once (link page) or on the poll schedule (after the plugin closes).
 */
export type SessionOutcome =
  | { kind: 'authorized'; view: AuthSessionView }
  | { kind: 'failed'; reason: string }
  | { kind: 'expired' }
  /** Still pending; `reason` is set when the last check itself failed. */
  | { kind: 'pending'; reason: string }
  /** The backend does not know this session (another merchant's, or long gone). */
  | { kind: 'lost' };

export function outcomeOf(view: AuthSessionView): SessionOutcome {
  switch (view.status) {
    case 'authorized':
      return { kind: 'authorized', view };
    case 'failed':
      return { kind: 'failed', reason: view.failure?.message ?? '' };
    case 'expired':
      return { kind: 'expired' };
    case 'pending':
      return { kind: 'pending', reason: '' };
  }
}

/** One question to the backend; a failed call is reported as pending with the reason. */
export async function checkSession(sessionId: string): Promise<SessionOutcome> {
  try {
    return outcomeOf(await backend().call('getAuthSession', { sessionId }));
  } catch (error) {
    if (error instanceof BackendError && error.code === 'NOT_FOUND') return { kind: 'lost' };
    return { kind: 'pending', reason: errorMessage(error) };
  }
}

/**
 * Asks on the poll schedule until the session is no longer pending. Resolves undefined when
 * cancelled (the page was hidden or left); a transient failure only skips one round.
 */
export async function watchSession(sessionId: string, isCancelled: () => boolean): Promise<SessionOutcome | undefined> {
  let last: SessionOutcome = { kind: 'pending', reason: '' };
  const settled = await pollUntil<SessionOutcome>(
    async () => {
      last = await checkSession(sessionId);
      return last.kind === 'pending' ? { done: false } : { done: true, value: last };
    },
    { isCancelled },
  );
  if (isCancelled()) return undefined;
  return settled ?? last;
}

/**
 * The merchant's own account with this AppID while it is still authorized, or null (not theirs,
 * revoked, or the question failed): after a silent re-authorization it is what stays in force.
 */
export async function ownedAccount(appid: string): Promise<AuthorizerSummary | null> {
  try {
    const { authorizer } = await backend().call('getAuthorizer', { appid });
    return authorizer.status === 'revoked' ? null : authorizer;
  } catch {
    return null;
  }
}
