import { recordGrant, recordRevocation } from '../authorizers/records';
import type { AuthorizerTokens } from '../authorizers/tokens';
import type { Logger } from '../logger';
import type { AuthorizersRepository } from '../repositories/authorizersRepository';
import type { Sessions } from '../sessions/sessions';
import type { Effect } from './stages';

export interface EffectDeps {
  authorizers: AuthorizersRepository;
  sessions: Sessions;
  authorizerTokens: AuthorizerTokens;
  log: Logger;
  now: () => number;
}

/** Performs a step that lands outside the code's record (the runner writes the record itself). */
export async function perform(deps: EffectDeps, step: Effect): Promise<void> {
  const { authorizers, sessions, log, now } = deps;
  switch (step.do) {
    case 'save_tokens':
      return saveTokens(deps, step);
    case 'record_grant':
      await recordGrant(authorizers, { ...step, now: now() });
      return;
    case 'record_revocation':
      await recordRevocation(authorizers, step.appid, step.eventAt, now());
      return;
    case 'bind_session':
      await sessions.bind(step.sessionId, step.appid, step.eventAt);
      return;
    case 'fail_session':
      return sessions.markFailed(step.sessionId, step.error);
    case 'warn':
      return log.warn(step.message, { appid: step.appid });
  }
}

/** New tokens replace the kept ones unless a newer event (a later revoke or grant) is recorded. */
async function saveTokens(deps: EffectDeps, step: Extract<Effect, { do: 'save_tokens' }>): Promise<void> {
  const current = await deps.authorizers.get(step.appid);
  if (current && current.lastEventAt > step.eventAt) return;
  await deps.authorizerTokens.save(step.appid, step.tokens);
}
