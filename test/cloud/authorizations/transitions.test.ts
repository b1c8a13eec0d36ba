/**
 * The authorization state machine, row by row: each row of the transition table is run through
 * the pure `decide` (no App, no emulator, no database), and DESIGN.md must show the table as built.
 */
import type {
  CodeInput,
  CodeRecord,
  Decision,
  SignedFacts,
} from '../../../cloudfunctions/authorization/src/authorizations/stages';
import { TRANSITIONS } from '../../../cloudfunctions/authorization/src/authorizations/transitionTable';
import { renderTransitionTable } from '../../../cloudfunctions/authorization/src/workflow/transitionTable';
import { designTable } from '../../helpers/design-table';
import { decide, MESSAGES } from '../../../cloudfunctions/authorization/src/authorizations/transitions';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0, 400);
const APPID = 'wx0123456789abcdef';
const SIGNED: SignedFacts = { sessionId: 's'.repeat(32), authorizerAppid: APPID, eventAt: NOW - 2000, event: 'authorized' };
const EXCHANGE = { authorizerAppid: APPID, grantedSets: [1, 2] };
const TOKENS = { accessToken: 'at', expiresIn: 7200, refreshToken: 'rt' };
const ACCOUNT = { profile: { nick_name: '店' }, grantedSets: [1, 3], refreshToken: 'rt2' };
const base = {
  id: 'c'.repeat(64),
  signed: null,
  callbackSessionId: null,
  exchangeAttempts: 0,
  createdAt: NOW - 5000,
  expiresAt: NOW + 3600_000,
};

const received = (o: Partial<CodeRecord> = {}) => ({ ...base, stage: 'received', code: 'CODE', ...o }) as CodeRecord;
const exchanging = (o: Partial<CodeRecord> = {}) =>
  ({ ...base, stage: 'exchanging', code: 'CODE', exchangeAttempts: 1, ...o }) as CodeRecord;
const withExchange = (stage: 'exchanged' | 'recorded', o: Partial<CodeRecord> = {}) =>
  ({ ...base, stage, exchanged: EXCHANGE, exchangeAttempts: 1, ...o }) as CodeRecord;
const refused = (refusal: 'revoked' | 'expired' | 'invalid', retried = false): CodeInput => ({
  kind: 'query_auth_refused',
  refusal,
  retried,
});
const TURN: CodeInput = { kind: 'turn' };
const answered = (purpose: 'recover' | 'record', account: typeof ACCOUNT | null = ACCOUNT): CodeInput => ({
  kind: 'account_answered',
  purpose,
  account,
});

/** One example per row: the record and the input that the row describes. */
const EXAMPLES: Record<string, [CodeRecord, CodeInput]> = {
  send: [received(), TURN],
  'expired-unsent': [received({ expiresAt: NOW - 1 }), TURN],
  'expired-signed': [received({ expiresAt: NOW - 1, signed: SIGNED }), TURN],
  resend: [exchanging(), TURN],
  'expired-after-attempt': [exchanging({ expiresAt: NOW - 1 }), TURN],
  exchanged: [exchanging(), { kind: 'query_auth_answered', exchange: EXCHANGE, tokens: TOKENS }],
  'refused-unsigned': [exchanging(), refused('invalid')],
  'refused-signed': [exchanging({ signed: SIGNED }), refused('expired')],
  'spent-signed': [exchanging({ signed: SIGNED, exchangeAttempts: 2 }), refused('invalid')],
  'spent-unsigned': [exchanging(), refused('invalid', true)],
  'revoked-signed': [exchanging({ signed: SIGNED }), refused('revoked')],
  'revoked-unsigned': [exchanging(), refused('revoked')],
  recovered: [exchanging({ signed: SIGNED, exchangeAttempts: 2 }), answered('recover')],
  'fetch-profile': [withExchange('exchanged'), TURN],
  recorded: [withExchange('exchanged'), answered('record')],
  'revoked-before-record': [withExchange('exchanged', { signed: SIGNED }), answered('record', null)],
  bind: [withExchange('recorded', { signed: SIGNED }), TURN],
  'bind-mismatch': [withExchange('recorded', { signed: { ...SIGNED, authorizerAppid: 'wxother0000000000' } }), TURN],
  'settle-unsigned': [withExchange('recorded'), TURN],
  'wait-for-push': [{ ...base, stage: 'awaiting_appid', exchangeAttempts: 1 }, TURN],
  'push-names-account': [{ ...base, stage: 'awaiting_appid', exchangeAttempts: 1, signed: SIGNED }, TURN],
  'give-up': [{ ...base, stage: 'awaiting_appid', exchangeAttempts: 1 }, { kind: 'give_up' }],
  'reopened-done': [{ ...base, stage: 'done', exchanged: EXCHANGE, bound: false, signed: SIGNED }, TURN],
  'reopened-failed': [
    { ...base, stage: 'failed', error: { code: 'UPSTREAM', message: 'x' }, bound: false, signed: SIGNED },
    TURN,
  ],
  settled: [{ ...base, stage: 'done', exchanged: EXCHANGE, bound: true, signed: SIGNED }, TURN],
};

/** The stage the record is in after the decision's writes. */
function stageAfter(record: CodeRecord, decision: Decision) {
  const writes = decision.steps.filter((s) => s.do === 'write');
  return writes.length ? writes[writes.length - 1].record.stage : record.stage;
}

describe('each row of the transition table', () => {
  test.each(TRANSITIONS.map((r) => [r.id, r] as const))('%s', (id, row) => {
    const example = EXAMPLES[id];
    expect(example).toBeDefined();
    const [record, input] = example;
    expect([record.stage, input.kind]).toEqual([row.from, row.input]);
    const decision = decide(record, input, NOW);
    expect(decision.steps.map((s) => s.do)).toEqual(row.steps);
    expect(decision.ask?.ask).toBe(row.ask);
    expect(stageAfter(record, decision)).toBe(row.to);
  });

  test('every example belongs to a row', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(TRANSITIONS.map((r) => r.id).sort());
  });
});

describe('what the steps carry', () => {
  test('sending counts the attempt in the record before the question', () => {
    const { steps, ask } = decide(received(), TURN, NOW);
    expect(steps).toEqual([{ do: 'write', record: expect.objectContaining({ stage: 'exchanging', exchangeAttempts: 1 }) }]);
    expect(ask).toEqual({ ask: 'query_auth', code: 'CODE' });
  });

  test('the exchange erases the code; without a push the grant is timed on WeChat’s one-second grain', () => {
    const { steps } = decide(exchanging(), { kind: 'query_auth_answered', exchange: EXCHANGE, tokens: TOKENS }, NOW);
    expect(steps[0]).toEqual({ do: 'save_tokens', appid: APPID, eventAt: NOW - 400, tokens: TOKENS });
    expect(steps[1]).toEqual({ do: 'write', record: expect.not.objectContaining({ code: expect.anything() }) });
  });

  test('a signed grant is timed by its CreateTime and recorded with the sets WeChat holds now', () => {
    const { steps } = decide(
      withExchange('exchanged', { signed: { ...SIGNED, event: 'updateauthorized' } }),
      answered('record'),
      NOW,
    );
    expect(steps[0]).toMatchObject({
      do: 'record_grant',
      eventAt: SIGNED.eventAt,
      grantedSets: [1, 3],
      event: 'updateauthorized',
    });
  });

  test('a refused signed code fails its session with the reason; an unsigned one can be reopened', () => {
    const signed = decide(exchanging({ signed: SIGNED }), refused('expired'), NOW).steps;
    expect(signed[0]).toMatchObject({ record: { stage: 'failed', bound: true, error: { message: MESSAGES.expired } } });
    expect(signed[1]).toEqual({
      do: 'fail_session',
      sessionId: SIGNED.sessionId,
      error: expect.objectContaining({ message: MESSAGES.expired }),
    });
    expect(decide(exchanging(), refused('invalid'), NOW).steps[0]).toMatchObject({ record: { bound: false } });
  });

  test('a revocation before the exchange binds the session to the revoked account at the push’s time', () => {
    const { steps } = decide(exchanging({ signed: SIGNED }), refused('revoked'), NOW);
    expect(steps.slice(1, 3)).toEqual([
      { do: 'record_revocation', appid: APPID, eventAt: SIGNED.eventAt },
      { do: 'bind_session', sessionId: SIGNED.sessionId, appid: APPID, eventAt: SIGNED.eventAt },
    ]);
  });

  test('recovery keeps the refresh token only; no access token is invented', () => {
    const { steps } = decide(exchanging({ signed: SIGNED, exchangeAttempts: 2 }), answered('recover'), NOW);
    expect(steps[0]).toMatchObject({ tokens: { accessToken: null, expiresIn: 0, refreshToken: 'rt2' } });
    expect(steps[1]).toMatchObject({
      record: { stage: 'exchanged', exchanged: { authorizerAppid: APPID, grantedSets: [1, 3] } },
    });
  });

  test('inputs that do not belong to the stage change nothing', () => {
    expect(decide(withExchange('recorded'), refused('invalid'), NOW)).toEqual({ steps: [] });
    expect(decide(received(), { kind: 'give_up' }, NOW)).toEqual({ steps: [] });
    expect(decide(withExchange('recorded'), { kind: 'query_auth_answered', exchange: EXCHANGE, tokens: null }, NOW)).toEqual({
      steps: [],
    });
  });
});

test('DESIGN.md shows the transition table as built (npx tsx scripts/transition-table.ts writes it)', () => {
  expect(designTable('transitions')).toBe(renderTransitionTable(TRANSITIONS));
});
