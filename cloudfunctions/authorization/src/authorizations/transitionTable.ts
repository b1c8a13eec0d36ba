import type { CodeInput, CodeStage, Question, Step } from './stages';

/**
 * Every move of the authorization state machine, in words and in `decide`'s terms. DESIGN.md shows
 * this table (`renderTransitionTable`); a unit test runs each row through `decide` and checks
 * DESIGN.md shows the table as it is here.
 */
export interface TransitionRow {
  id: string;
  from: CodeStage;
  input: CodeInput['kind'];
  /** The case, when the stage and input alone do not decide. */
  when: string;
  happens: string;
  /** The steps `decide` returns, in order, and the question it asks next. */
  steps: Step['do'][];
  ask?: Question['ask'];
  to: CodeStage;
}

const row = (r: TransitionRow) => r;

export const TRANSITIONS: readonly TransitionRow[] = [
  row({
    id: 'send',
    from: 'received',
    input: 'turn',
    when: 'the code is live',
    happens: 'the attempt is counted, then `api_query_auth`',
    steps: ['write'],
    ask: 'query_auth',
    to: 'exchanging',
  }),
  row({
    id: 'expired-unsent',
    from: 'received',
    input: 'turn',
    when: 'past its expiry, never sent, unsigned',
    happens: 'settled failed with no call; the session expires by itself',
    steps: ['write'],
    to: 'failed',
  }),
  row({
    id: 'expired-signed',
    from: 'received',
    input: 'turn',
    when: 'past its expiry, signed',
    happens: 'recovered by the account the push names',
    steps: [],
    ask: 'authorizer_info',
    to: 'received',
  }),
  row({
    id: 'resend',
    from: 'exchanging',
    input: 'turn',
    when: 'a holder died with the call in flight; the code is live',
    happens: 'another attempt is counted, then `api_query_auth`',
    steps: ['write'],
    ask: 'query_auth',
    to: 'exchanging',
  }),
  row({
    id: 'expired-after-attempt',
    from: 'exchanging',
    input: 'turn',
    when: 'past its expiry after an attempt, unsigned',
    happens: 'code erased, claim released: the push will name the account',
    steps: ['write'],
    to: 'awaiting_appid',
  }),
  row({
    id: 'exchanged',
    from: 'exchanging',
    input: 'query_auth_answered',
    when: '',
    happens: 'tokens kept (unless a newer event is recorded), code erased',
    steps: ['save_tokens', 'write'],
    to: 'exchanged',
  }),
  row({
    id: 'refused-unsigned',
    from: 'exchanging',
    input: 'query_auth_refused',
    when: '61009/61010 on the first attempt, unsigned',
    happens: 'settled failed; the session is left alone, and a signed push can reopen it',
    steps: ['write'],
    to: 'failed',
  }),
  row({
    id: 'refused-signed',
    from: 'exchanging',
    input: 'query_auth_refused',
    when: '61009/61010 on the first attempt, signed',
    happens: 'settled failed, and the session fails too',
    steps: ['write', 'fail_session'],
    to: 'failed',
  }),
  row({
    id: 'spent-signed',
    from: 'exchanging',
    input: 'query_auth_refused',
    when: '61009 after an earlier attempt (ours, or a holder that died), signed',
    happens: 'recovered by the account the push names',
    steps: [],
    ask: 'authorizer_info',
    to: 'exchanging',
  }),
  row({
    id: 'spent-unsigned',
    from: 'exchanging',
    input: 'query_auth_refused',
    when: '61009 after an earlier attempt, unsigned',
    happens: 'code erased, claim released: the push will name the account',
    steps: ['write'],
    to: 'awaiting_appid',
  }),
  row({
    id: 'revoked-signed',
    from: 'exchanging',
    input: 'query_auth_refused',
    when: '61003 (revoked before we exchanged), signed',
    happens: 'revocation recorded in `CreateTime` order, the session bound to the revoked account, settled',
    steps: ['fence', 'record_revocation', 'bind_session', 'write'],
    to: 'done',
  }),
  row({
    id: 'revoked-unsigned',
    from: 'exchanging',
    input: 'query_auth_refused',
    when: '61003, unsigned',
    happens: 'settled failed',
    steps: ['write'],
    to: 'failed',
  }),
  row({
    id: 'recovered',
    from: 'exchanging',
    input: 'account_answered',
    when: 'asked to recover',
    happens: 'the refresh token kept (unless a newer event is recorded), the sets WeChat holds',
    steps: ['save_tokens', 'write'],
    to: 'exchanged',
  }),
  row({
    id: 'fetch-profile',
    from: 'exchanged',
    input: 'turn',
    when: '',
    happens: '`api_get_authorizer_info`',
    steps: [],
    ask: 'authorizer_info',
    to: 'exchanged',
  }),
  row({
    id: 'recorded',
    from: 'exchanged',
    input: 'account_answered',
    when: '',
    happens: 'grant recorded in `CreateTime` order, with the sets WeChat holds now',
    steps: ['record_grant', 'write'],
    to: 'recorded',
  }),
  row({
    id: 'revoked-before-record',
    from: 'exchanged',
    input: 'account_answered',
    when: '61003, signed',
    happens: 'as for 61003 on the exchange',
    steps: ['fence', 'record_revocation', 'bind_session', 'write'],
    to: 'done',
  }),
  row({
    id: 'bind',
    from: 'recorded',
    input: 'turn',
    when: 'signed, same account',
    happens: 'the session is bound (its merchant becomes an owner if the session was open when WeChat sent the push), settled',
    steps: ['bind_session', 'write'],
    to: 'done',
  }),
  row({
    id: 'bind-mismatch',
    from: 'recorded',
    input: 'turn',
    when: 'signed, the exchange named another account',
    happens: 'a warning, settled without binding',
    steps: ['warn', 'write'],
    to: 'done',
  }),
  row({
    id: 'settle-unsigned',
    from: 'recorded',
    input: 'turn',
    when: 'unsigned',
    happens: 'settled unbound: a signed push reopens it',
    steps: ['write'],
    to: 'done',
  }),
  row({
    id: 'wait-for-push',
    from: 'awaiting_appid',
    input: 'turn',
    when: 'unsigned',
    happens: 'claim released; the timer leaves it',
    steps: ['write'],
    to: 'awaiting_appid',
  }),
  row({
    id: 'push-names-account',
    from: 'awaiting_appid',
    input: 'turn',
    when: 'a signed push attached its account',
    happens: 'recovered by that account',
    steps: [],
    ask: 'authorizer_info',
    to: 'awaiting_appid',
  }),
  row({
    id: 'give-up',
    from: 'awaiting_appid',
    input: 'give_up',
    when: 'no push can bind anything any more',
    happens: 'settled failed; the session is left alone',
    steps: ['write'],
    to: 'failed',
  }),
  row({
    id: 'reopened-done',
    from: 'done',
    input: 'turn',
    when: 'settled unsigned, then the signed push came (reopened)',
    happens: 'the session is bound',
    steps: ['bind_session', 'write'],
    to: 'done',
  }),
  row({
    id: 'reopened-failed',
    from: 'failed',
    input: 'turn',
    when: 'failed unsigned, then the signed push came (reopened)',
    happens: 'recovered by the account the push names',
    steps: [],
    ask: 'authorizer_info',
    to: 'failed',
  }),
  row({ id: 'settled', from: 'done', input: 'turn', when: 'nothing owed', happens: 'nothing', steps: [], to: 'done' }),
];

/** The table as DESIGN.md shows it. */
export function renderTransitionTable(): string {
  const lines = ['| stage | input | when | what happens | steps | next stage |', '|---|---|---|---|---|---|'];
  for (const r of TRANSITIONS) {
    const steps = [...r.steps, ...(r.ask ? [`ask ${r.ask}`] : [])].join(', ') || '—';
    lines.push(`| ${r.from} | ${r.input} | ${r.when || '—'} | ${r.happens} | ${steps} | ${r.to} |`);
  }
  return lines.join('\n');
}
