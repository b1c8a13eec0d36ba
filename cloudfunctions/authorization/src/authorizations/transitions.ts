import type { ActionError } from '../../../../typings/api';
import { observedAt } from '../authorizers/records';
import type { IssuedTokens } from '../authorizers/tokens';
import type {
  AccountNow,
  AccountQuestion,
  CodeInput,
  CodeRecord,
  Decision,
  Done,
  Exchange,
  Exchanged,
  Exchanging,
  Failed,
  Recorded,
  Refusal,
  Step,
} from './stages';

/**
 * The authorization state machine as one pure function: from a record, an input and the time, the
 * steps to perform (writes of the record, effects elsewhere) and the question to ask WeChat next.
 * `transitionTable.ts` lists every row in words; each row is a unit test.
 */
export function decide(record: CodeRecord, input: CodeInput, now: number): Decision {
  switch (input.kind) {
    case 'turn':
      return onTurn(record, now);
    case 'give_up':
      return record.stage === 'awaiting_appid' ? giveUp(record, MESSAGES.noPush) : NOTHING;
    case 'query_auth_answered':
      return record.stage === 'exchanging' ? exchanged(record, input.exchange, input.tokens, now) : NOTHING;
    case 'query_auth_refused':
      return record.stage === 'exchanging' ? refused(record, input.refusal, input.retried) : NOTHING;
    case 'account_answered':
      return onAccount(record, input.purpose, input.account, now);
  }
}

export const MESSAGES = {
  expired: '授权码已过期，请重新授权',
  invalid: '授权码无效或已被使用，请重新授权',
  revoked: '该账号已取消授权，请重新授权',
  noPush: '微信没有发来这次授权的通知，请回到服务商小程序查看，或重新发起授权',
} as const;

const NOTHING: Decision = { steps: [] };

/** The holder's turn: what the stage asks for next. */
function onTurn(record: CodeRecord, now: number): Decision {
  switch (record.stage) {
    case 'received':
    case 'exchanging':
      return exchangeOrRecover(record, now);
    case 'awaiting_appid':
      return recover(record);
    case 'exchanged':
      return { steps: [], ask: accountQuestion(record.exchanged.authorizerAppid, 'record') };
    case 'recorded':
      return bind(record);
    case 'done':
      // Settled before the push came: the binding it owes.
      return record.signed && !record.bound ? bind(record) : NOTHING;
    case 'failed':
      // An unsigned failure the signed push reopened: the push names the account, so recover by it.
      return record.signed && !record.bound ? recover(record) : NOTHING;
  }
}

function exchangeOrRecover(record: CodeRecord & { code: string }, now: number): Decision {
  // Never spend a call on a code that has run out; a spent or signed one recovers by its account.
  if (now > record.expiresAt) {
    // Unsigned and never sent: the session it was meant for expires by itself.
    return record.exchangeAttempts > 0 || record.signed ? recover(record) : giveUp(record, MESSAGES.expired);
  }
  // Counted before the call: if the holder dies while it is in flight, the next one knows the code may be spent.
  const counted: Exchanging = { ...record, stage: 'exchanging', exchangeAttempts: record.exchangeAttempts + 1 };
  return { steps: [write(counted)], ask: { ask: 'query_auth', code: record.code } };
}

/**
 * The code is spent and its answer lost. api_get_authorizer_info returns the same refresh token and
 * sets (spec §4.5), but only for a named account: without the push's appid, wait for the push.
 */
function recover(record: CodeRecord): Decision {
  if (!record.signed) return { steps: [write({ ...base(record), stage: 'awaiting_appid' })] };
  return { steps: [], ask: accountQuestion(record.signed.authorizerAppid, 'recover') };
}

function exchanged(record: Exchanging, exchange: Exchange, tokens: IssuedTokens | null, now: number): Decision {
  const next: Exchanged = { ...base(record), stage: 'exchanged', exchanged: exchange };
  const steps: Step[] = [];
  if (tokens) steps.push({ do: 'save_tokens', appid: exchange.authorizerAppid, eventAt: eventTime(record, now), tokens });
  return { steps: [...steps, write(next)] };
}

/** WeChat said no to api_query_auth: revoked meanwhile, spent by us earlier, or a bad code. */
function refused(record: Exchanging, refusal: Refusal, retried: boolean): Decision {
  if (refusal === 'revoked') return revokedMeanwhile(record);
  // Counted before the call: more than this one attempt (a holder that died, or the client's own retry) may mean "spent by us".
  if (record.exchangeAttempts > 1 || retried) return recover(record);
  return refuse(record, refusal === 'expired' ? MESSAGES.expired : MESSAGES.invalid);
}

function onAccount(record: CodeRecord, purpose: AccountQuestion['purpose'], account: AccountNow | null, now: number): Decision {
  if (!account) return revokedMeanwhile(record);
  if (purpose === 'record' && record.stage === 'exchanged') return recordGrant(record, account, now);
  if (purpose === 'recover' && record.signed) {
    const appid = record.signed.authorizerAppid;
    const next: Exchanged = {
      ...base(record),
      stage: 'exchanged',
      exchanged: { authorizerAppid: appid, grantedSets: account.grantedSets ?? [] },
    };
    const steps: Step[] = [];
    if (account.refreshToken) {
      const tokens = { accessToken: null, expiresIn: 0, refreshToken: account.refreshToken };
      steps.push({ do: 'save_tokens', appid, eventAt: eventTime(record, now), tokens });
    }
    return { steps: [...steps, write(next)] };
  }
  return NOTHING;
}

function recordGrant(record: Exchanged, account: AccountNow, now: number): Decision {
  const appid = record.exchanged.authorizerAppid;
  const next: Recorded = { ...record, stage: 'recorded' };
  const grant: Step = {
    do: 'record_grant',
    appid,
    profile: account.profile,
    // The sets WeChat holds now, when it says: two grants within one CreateTime second are
    // ordered by nothing else, and the newer one's sets are what WeChat holds.
    grantedSets: account.grantedSets ?? record.exchanged.grantedSets,
    event: record.signed?.event ?? 'authorized',
    eventAt: eventTime(record, now),
  };
  return { steps: [grant, write(next)] };
}

/** Binds the session WeChat signed for, then settles; an unsigned record settles unbound (a push reopens it). */
function bind(record: Recorded | Done): Decision {
  const { exchanged } = record;
  const done: Done = { ...base(record), stage: 'done', exchanged, bound: !!record.signed };
  const signed = record.signed;
  if (!signed?.sessionId) return { steps: [write(done)] };
  if (signed.authorizerAppid !== exchanged.authorizerAppid) {
    return {
      steps: [{ do: 'warn', message: 'push and exchange name different accounts', appid: signed.authorizerAppid }, write(done)],
    };
  }
  const binding: Step = {
    do: 'bind_session',
    sessionId: signed.sessionId,
    appid: exchanged.authorizerAppid,
    eventAt: signed.eventAt,
  };
  return { steps: [binding, write(done)] };
}

/**
 * A signed grant whose account was revoked before we could exchange or record it: the merchant did
 * authorize, so the session is theirs, and the account shows as revoked (WeChat's final state).
 */
function revokedMeanwhile(record: CodeRecord): Decision {
  const signed = record.signed;
  if (!signed) return refuse(record, MESSAGES.revoked);
  const appid = signed.authorizerAppid;
  const done: Done = { ...base(record), stage: 'done', exchanged: { authorizerAppid: appid, grantedSets: [] }, bound: true };
  const steps: Step[] = [{ do: 'fence' }, { do: 'record_revocation', appid, eventAt: signed.eventAt }];
  if (signed.sessionId) steps.push({ do: 'bind_session', sessionId: signed.sessionId, appid, eventAt: signed.eventAt });
  return { steps: [...steps, write(done)] };
}

/** Only a signed push may fail a session; an unsigned failure stays reopenable by the push. */
function refuse(record: CodeRecord, message: string): Decision {
  const { failed, error } = failedWith(record, message, !!record.signed);
  const sessionId = record.signed?.sessionId;
  // After the write: a run whose claim was taken over leaves the outcome to the new holder.
  return { steps: sessionId ? [write(failed), { do: 'fail_session', sessionId, error }] : [write(failed)] };
}

/** Settled failed for good, the session left alone (it expires by itself). */
function giveUp(record: CodeRecord, message: string): Decision {
  return { steps: [write(failedWith(record, message, true).failed)] };
}

function failedWith(record: CodeRecord, message: string, bound: boolean): { failed: Failed; error: ActionError } {
  const error: ActionError = { code: 'UPSTREAM', message };
  return { failed: { ...base(record), stage: 'failed', error, bound }, error };
}

const write = (record: CodeRecord): Step => ({ do: 'write', record });

const accountQuestion = (appid: string, purpose: AccountQuestion['purpose']): AccountQuestion => ({
  ask: 'authorizer_info',
  appid,
  purpose,
});

/** WeChat's time of this grant: the push's CreateTime, else when we observed it (on WeChat's grain). */
const eventTime = (record: CodeRecord, now: number) => record.signed?.eventAt ?? observedAt(now);

/** The fields every stage has, without the stage's own. */
function base(record: CodeRecord) {
  const { id, signed, callbackSessionId, exchangeAttempts, createdAt, expiresAt } = record;
  return { id, signed, callbackSessionId, exchangeAttempts, createdAt, expiresAt };
}
