import { createHash } from 'node:crypto';
import type { ActionError } from '../../../../typings/api';
import type { AuthorizerProfile } from '../authorizers/records';
import type { IssuedTokens } from '../authorizers/tokens';
import type { Decision as WorkflowDecision, RecordStep } from '../workflow/workflow';

/**
 * The authorization state machine's vocabulary (DESIGN: "The authorization state machine"): one
 * record per authorization code, one type per stage carrying exactly that stage's fields, the
 * inputs that move it and the steps a move asks for. No I/O here: `transitions.ts` decides,
 * `runner.ts` performs.
 */

/** A record's key: the code's hash, so the key never reveals the code. */
export const codeIdFor = (code: string) => createHash('sha256').update(code).digest('hex');

/** What a signed push tells about a code: WeChat signs the same facts every time it sends it. */
export interface SignedFacts {
  sessionId: string | null;
  authorizerAppid: string;
  /** The push's CreateTime: orders this event among the account's others. */
  eventAt: number;
  event: 'authorized' | 'updateauthorized';
}

/** What exchanging (or recovering) the code established. */
export interface Exchange {
  authorizerAppid: string;
  grantedSets: number[];
}

/** Fields every stage has. */
export interface CodeBase {
  /** sha256 of the code. */
  id: string;
  /** Set once a signed push named this code: only then may it bind a session or fail one. */
  signed: SignedFacts | null;
  /** The session named in an unsigned callback URL: shown an outcome, never bound. */
  callbackSessionId: string | null;
  /** api_query_auth calls started, by any holder: after one, 61009 may mean "spent by us". */
  exchangeAttempts: number;
  createdAt: number;
  /** When WeChat says the code stops working. */
  expiresAt: number;
}

/** The code is kept only until it has been sent to WeChat and answered. */
export type Received = CodeBase & { stage: 'received'; code: string };
/** An attempt is counted and api_query_auth may be in flight (or died with its holder). */
export type Exchanging = CodeBase & { stage: 'exchanging'; code: string };
/** Spent, its answer lost, the account unknown: the signed push will name it. */
export type AwaitingAppid = CodeBase & { stage: 'awaiting_appid' };
/** WeChat accepted the code; the tokens are kept. */
export type Exchanged = CodeBase & { stage: 'exchanged'; exchanged: Exchange };
/** The grant is recorded on the authorizer; the session is not bound yet. */
export type Recorded = CodeBase & { stage: 'recorded'; exchanged: Exchange };
/** Settled. `bound`: what a signed push owes (binding the session) is done, or never owed. */
export type Done = CodeBase & { stage: 'done'; exchanged: Exchange; bound: boolean };
/** Settled. `bound`: the session was failed too, or never may be (an unsigned failure a push can reopen). */
export type Failed = CodeBase & { stage: 'failed'; error: ActionError; bound: boolean };

export type CodeRecord = Received | Exchanging | AwaitingAppid | Exchanged | Recorded | Done | Failed;
export type CodeStage = CodeRecord['stage'];

/** Why WeChat refused a code. */
export type Refusal =
  /** 61003: the merchant revoked before the code was exchanged. */
  | 'revoked'
  /** 61010. */
  | 'expired'
  /** 61009 (or another code error): invalid, or already spent (perhaps by us). */
  | 'invalid';

/** What WeChat's api_get_authorizer_info said about the account, null: revoked (61003). */
export interface AccountNow {
  profile: AuthorizerProfile;
  /** The sets WeChat holds now; null when the answer had none. */
  grantedSets: number[] | null;
  refreshToken: string | null;
}

/**
 * Inputs. Every arrival (push, callback, the page's poll, the timer) becomes a `turn` for whoever
 * holds the claim; WeChat's answers to the machine's questions come back as the other inputs.
 */
export type CodeInput =
  | { kind: 'turn' }
  /** The timer: a spent code whose account no push could name any more. */
  | { kind: 'give_up' }
  | { kind: 'query_auth_answered'; exchange: Exchange; tokens: IssuedTokens | null }
  /** `retried`: the client itself retried the call, so our own first try may have spent the code. */
  | { kind: 'query_auth_refused'; refusal: Refusal; retried: boolean }
  | { kind: 'account_answered'; purpose: AccountQuestion['purpose']; account: AccountNow | null };

export interface AccountQuestion {
  ask: 'authorizer_info';
  appid: string;
  /** 'recover': the code is spent, learn its sets and tokens; 'record': fetch the profile to record. */
  purpose: 'recover' | 'record';
}

/** What the machine asks WeChat; the answer is its next input. */
export type Question = { ask: 'query_auth'; code: string } | AccountQuestion;

/** Steps that land outside the record, performed in order with the record's own (`workflow.ts`). */
export type Effect =
  /** Unless a newer event is recorded for the account. */
  | { do: 'save_tokens'; appid: string; eventAt: number; tokens: IssuedTokens }
  | {
      do: 'record_grant';
      appid: string;
      profile: AuthorizerProfile;
      grantedSets: number[];
      event: SignedFacts['event'];
      eventAt: number;
    }
  | { do: 'record_revocation'; appid: string; eventAt: number }
  | { do: 'bind_session'; sessionId: string; appid: string; eventAt: number }
  | { do: 'fail_session'; sessionId: string; error: ActionError }
  | { do: 'warn'; message: string; appid: string };

/** A write of the record (fenced by the claim), a fence (proves the claim still holds), or an effect. */
export type Step = RecordStep<CodeRecord> | Effect;
export type Decision = WorkflowDecision<CodeRecord, Effect, Question>;

/** A record in these stages waits: for nothing (settled) or for a signed push (awaiting_appid). */
export const RESTING_STAGES: readonly CodeStage[] = ['awaiting_appid', 'done', 'failed'];
