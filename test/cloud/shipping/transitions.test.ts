/**
 * One merchant's shipment, row by row: each row of the transition table is run through the pure
 * `decide` (no App, no emulator, no database); then what the steps carry, the refusal classes and
 * the ext_json rendering.
 */
import { renderExtJson } from '../../../cloudfunctions/authorization/src/shipping/extJson';
import { classify } from '../../../cloudfunctions/authorization/src/shipping/refusals';
import {
  NEVER,
  type AuditEvent,
  type Prepared,
  type Readiness,
  type ShipDecision,
  type ShipInput,
  type ShipItem,
  type ShipItemBase,
  type ShipPlan,
} from '../../../cloudfunctions/authorization/src/shipping/stages';
import { SHIP_TRANSITIONS } from '../../../cloudfunctions/authorization/src/shipping/transitionTable';
import { renderTransitionTable } from '../../../cloudfunctions/authorization/src/workflow/transitionTable';
import { designTable } from '../../helpers/design-table';
import { CLOCK_SKEW_MS, decide, MAX_ATTEMPTS, WAIT } from '../../../cloudfunctions/authorization/src/shipping/transitions';
import { PLAN, VERSION } from './plan';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const APPID = 'wxmerchant0000001';
const CATEGORY = { first_class: '餐饮', second_class: '点餐', first_id: 1, second_id: 2 };
const PREPARED: Prepared = { extJson: '{"extAppid":"wxmerchant0000001"}', firstRelease: false, item: CATEGORY };
const COMMITTED_AT = NOW - 3600_000;
const SUBMITTED_AT = NOW - 1800_000;
const base: ShipItemBase = {
  id: `job1:${APPID}`,
  jobId: 'job1',
  appid: APPID,
  wave: 0,
  plan: PLAN,
  values: { shopName: '小店' },
  createdAt: NOW - 7200_000,
  dueAt: NOW,
};
const AUDIT = { auditid: 42, submittedAt: SUBMITTED_AT, delayed: false, lastEventAt: 0, lastEvent: null, heardAt: SUBMITTED_AT };

const withPlan = (plan: Partial<ShipPlan>) => ({ plan: { ...PLAN, ...plan } });
const queued = (o: Partial<ShipItemBase> = {}) => ({ ...base, stage: 'queued', ...o }) as ShipItem;
const preflight = () => ({ ...base, stage: 'preflight', extJson: PREPARED.extJson }) as ShipItem;
const committing = (attempts = 1) => ({ ...base, stage: 'committing', prepared: PREPARED, commitAttempts: attempts }) as ShipItem;
const committed = (o: object = {}) =>
  ({ ...base, stage: 'committed', prepared: PREPARED, committedAt: COMMITTED_AT, ...o }) as ShipItem;
const ready = (o: object = {}) =>
  ({ ...base, stage: 'ready', prepared: PREPARED, committedAt: COMMITTED_AT, slotHeld: false, ...o }) as ShipItem;
const submitting = (attempts = 1, o: object = {}) =>
  ({ ...base, stage: 'submitting', prepared: PREPARED, committedAt: COMMITTED_AT, submitAttempts: attempts, ...o }) as ShipItem;
const submitted = (audit: object = {}) =>
  ({ ...base, stage: 'submitted', prepared: PREPARED, audit: { ...AUDIT, ...audit } }) as ShipItem;
const passed = (o: object = {}) => ({ ...base, stage: 'audit_passed', prepared: PREPARED, auditid: 42, ...o }) as ShipItem;
const FULL = { mode: 'full' } as const;
const RETRY: ShipInput = { kind: 'retry_command' };
const GRAY = { mode: 'gray', percentage: 10 } as const;
const GRAY_100 = { mode: 'gray', percentage: 100 } as const;
const INTERVAL_MS = 3600_000;
const SCHEDULED: Partial<ShipPlan> = { grayPercentage: 10, graySchedule: { steps: [10, 50, 100], intervalMs: INTERVAL_MS } };
const releasing = (release: object = FULL, o: object = {}) =>
  ({ ...base, stage: 'releasing', prepared: PREPARED, auditid: 42, release, releaseAttempts: 1, ...o }) as ShipItem;
const released = (release: object = FULL) =>
  ({
    ...base,
    stage: 'released',
    prepared: PREPARED,
    auditid: 42,
    release,
    releasedAt: NOW,
    note: null,
    dueAt: NEVER,
  }) as ShipItem;
const rollingBack = (release: object = FULL) =>
  ({ ...base, stage: 'rolling_back', prepared: PREPARED, auditid: 42, release, rollbackAttempts: 1 }) as ShipItem;

const TURN: ShipInput = { kind: 'turn' };
const READY: Readiness = { setGranted: true, category: CATEGORY, privacyMissing: [], latestAudit: null, onlineVersion: '1.3.0' };
const readiness = (o: Partial<Readiness> = {}): ShipInput => ({ kind: 'preflight_answered', readiness: { ...READY, ...o } });
const refused = (call: Extract<ShipInput, { kind: 'refused' }>['call'], errcode: number): ShipInput => ({
  kind: 'refused',
  call,
  errcode,
});
const latest = (o: object | null): ShipInput => ({
  kind: 'latest_audit_answered',
  audit: o && { auditid: 42, status: 2, userVersion: VERSION, submittedAt: NOW - 60_000, reason: null, screenshot: null, ...o },
});
const version = (expVersion: string | null, onlineVersion: string | null): ShipInput => ({
  kind: 'version_answered',
  expVersion,
  onlineVersion,
});
const event = (kind: AuditEvent['event'], createdAt = NOW - 1000, reason: string | null = null): ShipInput => ({
  kind: 'audit_event',
  event: { event: kind, createdAt, reason, screenshot: kind === 'weapp_audit_fail' ? 'm1|m2' : null },
});
const status = (s: number): ShipInput => ({
  kind: 'audit_status_answered',
  status: s,
  reason: s === 1 ? '名称不符' : null,
  screenshot: null,
});
const privacy = (withoutAuth: string[] = [], withoutConf: string[] = []): ShipInput => ({
  kind: 'privacy_answered',
  withoutAuth,
  withoutConf,
});
const OTHER_VERSION_AUDIT = { userVersion: '1.3.9', submittedAt: NOW - 86400_000 * 3 };

/** One example per row: the record and the input that the row describes. */
const EXAMPLES: Record<string, [ShipItem, ShipInput]> = {
  render: [queued(), TURN],
  'missing-values': [queued({ values: { shopName: ' ' } }), TURN],
  'not-due': [ready({ dueAt: NOW + 1 }), TURN],
  'ask-readiness': [preflight(), TURN],
  commit: [preflight(), readiness()],
  'not-granted': [preflight(), readiness({ setGranted: false })],
  'audit-open': [preflight(), readiness({ latestAudit: { ...(latest({}) as any).audit, status: 4 } })],
  'no-category': [preflight(), readiness({ category: null })],
  'privacy-guide': [preflight(), readiness({ privacyMissing: ['UserInfo'] })],
  'already-online': [preflight(), readiness({ onlineVersion: VERSION })],
  'preflight-pause': [preflight(), refused('preflight', 61004)],
  'preflight-skip': [preflight(), refused('preflight', 61003)],
  committed: [committing(), { kind: 'commit_answered' }],
  'commit-check': [committing(), TURN],
  'commit-landed': [committing(), version(VERSION, '1.3.0')],
  recommit: [committing(), version('1.3.0', '1.3.0')],
  'commit-gave-up': [committing(MAX_ATTEMPTS), version(null, null)],
  'commit-busy': [committing(), refused('commit', 9402202)],
  'commit-pause': [committing(), refused('commit', 85014)],
  'commit-skip': [committing(), refused('commit', 61007)],
  'commit-fail': [committing(), refused('commit', 47001)],
  'ask-privacy': [committed(), TURN],
  'privacy-clean': [committed(), privacy()],
  'privacy-flagged': [committed(), privacy(['wx.getLocation'])],
  'privacy-not-used': [{ ...committed(), ...withPlan({ privacyApiNotUse: true }) }, privacy([], ['wx.chooseAddress'])],
  'scan-running': [committed(), refused('privacy_info', 61039)],
  'privacy-no-code': [committed(), refused('privacy_info', 86001)],
  'ask-slot': [ready(), TURN],
  submit: [ready(), { kind: 'slot_answered', granted: true }],
  'no-slot': [ready(), { kind: 'slot_answered', granted: false }],
  'submit-held-slot': [ready({ slotHeld: true }), TURN],
  submitted: [submitting(), { kind: 'submit_answered', auditid: 42 }],
  'submit-check': [submitting(), TURN],
  'submit-landed': [submitting(), latest({})],
  'submit-landed-passed': [submitting(), latest({ status: 0 })],
  'submit-landed-rejected': [submitting(), latest({ status: 1, reason: '类目不符' })],
  resubmit: [submitting(), latest(null)],
  'submit-gave-up': [submitting(MAX_ATTEMPTS), latest({ ...OTHER_VERSION_AUDIT, status: 0 })],
  'submit-other-audit': [submitting(), latest({ ...OTHER_VERSION_AUDIT, status: 2 })],
  'quota-pause': [submitting(), refused('submit_audit', 85085)],
  'audit-already-open': [submitting(), refused('submit_audit', 85009)],
  'submit-scan': [submitting(), refused('submit_audit', 61039)],
  'submit-busy': [submitting(), refused('submit_audit', 9402202)],
  'submit-recommit': [submitting(), refused('submit_audit', 86001)],
  'submit-skip': [submitting(), refused('submit_audit', 86002)],
  'submit-fail': [submitting(), refused('submit_audit', 85023)],
  'event-success': [submitted(), event('weapp_audit_success')],
  'event-fail': [submitted(), event('weapp_audit_fail', NOW - 1000, '名称<br>不符')],
  'event-delay': [submitted(), event('weapp_audit_delay')],
  'event-duplicate': [submitted({ lastEventAt: NOW - 1000, lastEvent: 'weapp_audit_delay' }), event('weapp_audit_delay')],
  'event-older': [
    submitted({ lastEventAt: NOW - 1000, lastEvent: 'weapp_audit_delay' }),
    event('weapp_audit_success', NOW - 2000),
  ],
  'event-previous-audit': [submitted(), event('weapp_audit_fail', SUBMITTED_AT - CLOCK_SKEW_MS - 1000)],
  'event-tie': [submitted({ lastEventAt: NOW - 1000, lastEvent: 'weapp_audit_delay' }), event('weapp_audit_success')],
  poll: [submitted(), TURN],
  'poll-passed': [submitted(), status(0)],
  'poll-rejected': [submitted(), status(1)],
  'poll-in-review': [submitted(), status(4)],
  'poll-withdrawn': [submitted(), status(3)],
  'poll-refused': [submitted(), refused('audit_status', 85012)],
  release: [passed(), TURN],
  'gray-release': [{ ...passed(), ...withPlan({ grayPercentage: 10 }) }, TURN],
  'await-command': [{ ...passed({ dueAt: NOW - 1 }), ...withPlan({ release: 'command' }) }, TURN],
  'release-command': [
    { ...passed({ dueAt: NEVER }), ...withPlan({ release: 'command' }) },
    { kind: 'release_command', percentage: null },
  ],
  released: [releasing(), { kind: 'release_answered' }],
  'release-check': [releasing(), TURN],
  'release-landed': [releasing(), version(VERSION, VERSION)],
  're-release': [releasing(), version(VERSION, '1.3.0')],
  'gray-resend': [releasing(GRAY), TURN],
  'release-already': [releasing(), refused('release', 85052)],
  'gray-first-release': [releasing(GRAY), refused('gray_release', 85079)],
  'release-reconcile': [releasing(), refused('release', 85020)],
  'gray-raise': [released(GRAY), { kind: 'release_command', percentage: 50 }],
  'gray-step': [{ ...released(GRAY), ...withPlan(SCHEDULED), dueAt: NOW }, TURN],
  'gray-step-not-due': [{ ...released(GRAY), ...withPlan(SCHEDULED), dueAt: NOW + 1 }, TURN],
  'gray-scheduled': [{ ...releasing(GRAY), ...withPlan(SCHEDULED) }, { kind: 'release_answered' }],
  'gray-step-landed': [{ ...releasing(GRAY), ...withPlan(SCHEDULED) }, refused('gray_release', 85082)],
  'gray-complete': [releasing(GRAY_100), { kind: 'release_answered' }],
  'gray-complete-check': [releasing(GRAY_100), TURN],
  'gray-complete-resend': [releasing(GRAY_100), version(VERSION, '1.3.0')],
  'gray-complete-refused': [releasing(GRAY_100), refused('gray_release', 85081)],
  'release-command-scheduled': [
    { ...passed({ dueAt: NEVER }), ...withPlan({ ...SCHEDULED, release: 'command' }) },
    { kind: 'release_command', percentage: null },
  ],
  rollback: [released(), { kind: 'rollback_command' }],
  'rollback-gray': [released(GRAY), { kind: 'rollback_command' }],
  'revert-check': [rollingBack(), TURN],
  revert: [rollingBack(), version(VERSION, VERSION)],
  'revert-landed': [rollingBack(), version(VERSION, '1.3.0')],
  reverted: [rollingBack(), { kind: 'revert_answered' }],
  'revert-refused': [rollingBack(), refused('revert_code_release', 87012)],
  'stop-in-review': [submitted(), { kind: 'rollback_command' }],
  'stop-queued': [queued(), { kind: 'rollback_command' }],
  'event-after-audit': [passed({ dueAt: NEVER }), event('weapp_audit_success')],
  'retry-failed': [{ ...base, stage: 'failed', reason: { errcode: null, message: 'x', action: 'y' }, dueAt: NEVER }, RETRY],
  'retry-not-failed': [
    {
      ...base,
      stage: 'rejected',
      auditid: 42,
      reason: { errcode: null, message: 'x', action: 'y' },
      screenshot: null,
      dueAt: NEVER,
    },
    RETRY,
  ],
  settled: [{ ...base, stage: 'skipped', reason: { errcode: null, message: 'x', action: 'y' }, dueAt: NEVER }, TURN],
};

/** The stage the item is in after the decision's writes. */
function stageAfter(item: ShipItem, decision: ShipDecision) {
  const writes = decision.steps.filter((s) => s.do === 'write');
  return writes.length ? writes[writes.length - 1].record.stage : item.stage;
}

const writtenOf = (decision: ShipDecision) => {
  const writes = decision.steps.filter((s) => s.do === 'write');
  return writes[writes.length - 1]?.record as any;
};

describe('each row of the transition table', () => {
  test.each(SHIP_TRANSITIONS.map((r) => [r.id, r] as const))('%s', (id, row) => {
    const example = EXAMPLES[id];
    expect(example).toBeDefined();
    const [item, input] = example;
    expect([item.stage, input.kind]).toEqual([row.from, row.input]);
    const decision = decide(item, input, NOW);
    expect(decision.steps.map((s) => s.do)).toEqual(row.steps);
    expect(decision.ask?.ask).toBe(row.ask);
    expect(stageAfter(item, decision)).toBe(row.to);
  });

  test('every example belongs to a row, and row ids are unique', () => {
    const ids = SHIP_TRANSITIONS.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...ids].sort());
  });

  test('DESIGN.md shows the table as built (npx tsx scripts/transition-table.ts writes it)', () => {
    expect(designTable('ship-transitions')).toBe(renderTransitionTable(SHIP_TRANSITIONS));
  });
});

describe('what the steps carry', () => {
  test('a submission is counted in the item before submit_audit is asked, with the category and version notes', () => {
    const { steps, ask } = decide(ready(), { kind: 'slot_answered', granted: true }, NOW);
    expect(steps).toEqual([{ do: 'write', record: expect.objectContaining({ stage: 'submitting', submitAttempts: 1 }) }]);
    expect(ask).toEqual({
      ask: 'submit_audit',
      appid: APPID,
      itemList: [CATEGORY],
      versionDesc: PLAN.versionDesc,
      privacyApiNotUse: false,
    });
  });

  test('a resubmission after WeChat showed none counts another attempt', () => {
    expect(writtenOf(decide(submitting(2), latest(null), NOW))).toMatchObject({ stage: 'submitting', submitAttempts: 3 });
  });

  test('an audit of this version from before our commit is not ours', () => {
    const old = latest({ status: 2, submittedAt: COMMITTED_AT - CLOCK_SKEW_MS - 1000 });
    expect(writtenOf(decide(submitting(), old, NOW))).toMatchObject({ stage: 'skipped', reason: { errcode: 85009 } });
    const withdrawn = latest({ status: 3 });
    expect(decide(submitting(), withdrawn, NOW).ask?.ask).toBe('submit_audit');
  });

  test('an adopted audit keeps WeChat’s auditid and submission time', () => {
    expect(writtenOf(decide(submitting(), latest({ auditid: 77, status: 4 }), NOW))).toMatchObject({
      stage: 'submitted',
      audit: { auditid: 77, submittedAt: NOW - 60_000, delayed: true },
    });
  });

  test('the commit carries the rendered ext_json, the template and the version', () => {
    const { ask } = decide(preflight(), readiness(), NOW);
    expect(ask).toEqual({
      ask: 'commit',
      appid: APPID,
      templateId: 7,
      extJson: PREPARED.extJson,
      userVersion: VERSION,
      userDesc: '修复下单',
    });
    expect(writtenOf(decide(preflight(), readiness({ onlineVersion: null }), NOW))).toMatchObject({
      prepared: { firstRelease: true },
    });
  });

  test('a job pause is an effect on the job with WeChat’s reason, after the item’s own write', () => {
    const { steps } = decide(submitting(), refused('submit_audit', 85085), NOW);
    expect(steps[0]).toMatchObject({ do: 'write', record: { stage: 'ready', slotHeld: false, dueAt: NOW + WAIT.pausedMs } });
    expect(steps[1]).toEqual({ do: 'pause_job', jobId: 'job1', reason: expect.objectContaining({ errcode: 85085 }) });
  });

  test('86009 pauses only first releases; 86010 only updates', () => {
    const first = { ...submitting(), prepared: { ...PREPARED, firstRelease: true } } as ShipItem;
    expect(decide(first, refused('submit_audit', 86009), NOW).steps.map((s) => s.do)).toEqual(['write', 'pause_job']);
    expect(decide(submitting(), refused('submit_audit', 86010), NOW).steps.map((s) => s.do)).toEqual(['write', 'pause_job']);
    expect(decide(first, refused('submit_audit', 86010), NOW).steps.map((s) => s.do)).toEqual(['write']);
  });

  test('a rejection keeps WeChat’s reason in plain text and the screenshots', () => {
    const rejected = writtenOf(decide(submitted(), event('weapp_audit_fail', NOW - 1000, '名称<br>不符'), NOW));
    expect(rejected).toMatchObject({
      stage: 'rejected',
      auditid: 42,
      screenshot: 'm1|m2',
      reason: { message: '审核未通过：名称；不符' },
    });
  });

  test('a delay keeps its CreateTime: an older event after it is ignored, a newer success applies', () => {
    const delayed = writtenOf(decide(submitted(), event('weapp_audit_delay', NOW - 5000), NOW));
    expect(delayed.audit).toMatchObject({ delayed: true, lastEventAt: NOW - 5000, lastEvent: 'weapp_audit_delay' });
    expect(decide(delayed, event('weapp_audit_fail', NOW - 6000), NOW)).toEqual({ steps: [] });
    expect(stageAfter(delayed, decide(delayed, event('weapp_audit_success', NOW - 4000), NOW))).toBe('audit_passed');
  });

  test('approved on command waits with no due time; auto continues at once', () => {
    const onCommand = { ...submitted(), ...withPlan({ release: 'command' }) };
    expect(writtenOf(decide(onCommand, status(0), NOW))).toMatchObject({ stage: 'audit_passed', dueAt: NEVER });
    expect(writtenOf(decide(submitted(), status(0), NOW))).toMatchObject({ stage: 'audit_passed', dueAt: NOW });
  });

  test('a gray plan is never used for a first release', () => {
    const first = { ...passed(), prepared: { ...PREPARED, firstRelease: true }, ...withPlan({ grayPercentage: 10 }) } as ShipItem;
    expect(decide(first, TURN, NOW).ask).toEqual({ ask: 'release', appid: APPID });
    expect(decide(first, { kind: 'release_command', percentage: 20 }, NOW).ask).toEqual({ ask: 'release', appid: APPID });
  });

  test('a gray release is raised only upwards', () => {
    expect(decide(released({ mode: 'gray', percentage: 50 }), { kind: 'release_command', percentage: 20 }, NOW)).toEqual({
      steps: [],
    });
    expect(decide(released(GRAY), { kind: 'release_command', percentage: null }, NOW).ask).toEqual({
      ask: 'gray_release',
      appid: APPID,
      percentage: 100,
    });
  });

  test('a revert is never sent twice without WeChat showing our version still online', () => {
    const again = decide(rollingBack(), TURN, NOW);
    expect(again).toEqual({ steps: [], ask: { ask: 'version_info', appid: APPID } });
    expect(writtenOf(decide(rollingBack(), version(VERSION, VERSION), NOW))).toMatchObject({ rollbackAttempts: 2 });
  });

  test('a refused rollback leaves the version online with the reason noted', () => {
    const after = writtenOf(decide(rollingBack(), refused('revert_code_release', 87011), NOW));
    expect(after).toMatchObject({ stage: 'released', note: { errcode: 87011 } });
  });

  test('inputs that do not belong to the stage change nothing', () => {
    expect(decide(queued(), { kind: 'commit_answered' }, NOW)).toEqual({ steps: [] });
    expect(decide(ready(), { kind: 'submit_answered', auditid: 1 }, NOW)).toEqual({ steps: [] });
    expect(decide(released(), event('weapp_audit_fail'), NOW)).toEqual({ steps: [] });
    expect(decide(queued(), { kind: 'release_command', percentage: null }, NOW)).toEqual({ steps: [] });
    expect(decide(passed(), refused('commit', 85014), NOW)).toEqual({ steps: [] });
  });
});

describe('refusal classes (spec §7)', () => {
  test.each([
    [85085, 'pause'],
    [86008, 'pause'],
    [85014, 'pause'],
    [61007, 'skip'],
    [86002, 'skip'],
    [85009, 'reconcile'],
    [61039, 'scan'],
    [86001, 'recommit'],
    [9402202, 'retry'],
    [85052, 'done'],
    [47001, 'fail'],
    [123456, 'fail'],
  ])('%i → %s', (errcode, expected) => {
    const { class: c, reason } = classify('submit_audit', errcode, false);
    expect(c).toBe(expected);
    expect(reason.errcode).toBe(errcode);
    expect(reason.message).toMatch(/[\u4e00-\u9fff]/);
    expect(reason.action.length).toBeGreaterThan(0);
  });
});

describe('ext_json rendering', () => {
  const template = {
    extAppid: '{{appid}}',
    ext: { shopName: '{{shopName}}', phone: '电话 {{ phone }}', tags: ['{{tag}}', 'fixed'], n: 3, on: true, none: null },
    window: { navigationBarTitleText: '{{shopName}}' },
  };

  test('fills every placeholder, the appid included, and gives WeChat a string', () => {
    const rendered = renderExtJson(template, { shopName: '小店', phone: '123', tag: '新' }, APPID);
    expect(rendered.ok).toBe(true);
    if (!rendered.ok) return;
    expect(JSON.parse(rendered.extJson)).toEqual({
      extAppid: APPID,
      ext: { shopName: '小店', phone: '电话 123', tags: ['新', 'fixed'], n: 3, on: true, none: null },
      window: { navigationBarTitleText: '小店' },
    });
  });

  test('names every missing or blank key once, sorted', () => {
    expect(renderExtJson(template, { shopName: '', phone: '1' }, APPID)).toEqual({ ok: false, missing: ['shopName', 'tag'] });
  });

  test('a value cannot inject JSON: it stays a string', () => {
    const rendered = renderExtJson({ ext: { name: '{{name}}' } }, { name: '"},"x":{"' }, APPID);
    expect(rendered.ok && JSON.parse(rendered.extJson)).toEqual({ ext: { name: '"},"x":{"' } });
  });

  test('the queued item is skipped with the missing keys, before any call', () => {
    const decision = decide(queued({ values: {} }), TURN, NOW);
    expect(decision.ask).toBeUndefined();
    expect(writtenOf(decision)).toMatchObject({ stage: 'skipped', reason: { message: '缺少商家配置项：shopName' } });
  });
});

describe('the gray schedule and the notes', () => {
  const scheduled = (o: object) => ({ ...o, ...withPlan(SCHEDULED) }) as ShipItem;

  test('a landed step is due one interval later; the due step asked is the next higher one', () => {
    const after = writtenOf(decide(scheduled(releasing(GRAY)), { kind: 'release_answered' }, NOW));
    expect(after).toMatchObject({ stage: 'released', release: GRAY, releasedAt: NOW, dueAt: NOW + INTERVAL_MS });
    const step = decide({ ...after, dueAt: NOW + INTERVAL_MS }, TURN, NOW + INTERVAL_MS);
    expect(step.ask).toEqual({ ask: 'gray_release', appid: APPID, percentage: 50 });
    expect(writtenOf(step)).toMatchObject({ stage: 'releasing', release: { mode: 'gray', percentage: 50 }, releaseAttempts: 1 });
  });

  test('a percentage raised by command past a step goes on from the next higher step', () => {
    const after = writtenOf(decide(scheduled(releasing({ mode: 'gray', percentage: 70 })), { kind: 'release_answered' }, NOW));
    expect(decide(after, TURN, after.dueAt).ask).toEqual({ ask: 'gray_release', appid: APPID, percentage: 100 });
  });

  test('the last step below 100, or no schedule: released for good (never due)', () => {
    const partial = withPlan({ graySchedule: { steps: [10, 50], intervalMs: INTERVAL_MS } });
    const last = { ...releasing({ mode: 'gray', percentage: 50 }), ...partial };
    expect(writtenOf(decide(last, { kind: 'release_answered' }, NOW))).toMatchObject({ stage: 'released', dueAt: NEVER });
    expect(writtenOf(decide(releasing(GRAY), { kind: 'release_answered' }, NOW))).toMatchObject({ dueAt: NEVER });
  });

  test('gray 100 lands as a full release: a rollback then checks the online version before revertcoderelease', () => {
    const after = writtenOf(decide(scheduled(releasing(GRAY_100)), { kind: 'release_answered' }, NOW));
    expect(after).toMatchObject({ stage: 'released', release: FULL, dueAt: NEVER });
    expect(decide(after, { kind: 'rollback_command' }, NOW).ask).toEqual({ ask: 'version_info', appid: APPID });
  });

  test('gray 100 in flight and already online: released without a second send', () => {
    const decision = decide(releasing(GRAY_100), version(VERSION, VERSION), NOW);
    expect(decision.ask).toBeUndefined();
    expect(writtenOf(decision)).toMatchObject({ stage: 'released', release: FULL });
  });

  test('a scheduled release on command to a first release is full (85079 otherwise)', () => {
    const first = { ...passed({ prepared: { ...PREPARED, firstRelease: true } }), ...withPlan(SCHEDULED) };
    expect(decide(first, { kind: 'release_command', percentage: null }, NOW).ask).toEqual({ ask: 'release', appid: APPID });
  });

  test('a release WeChat refuses for now carries the reason until it lands; the resend keeps it', () => {
    const waiting = writtenOf(decide(releasing(), refused('release', 85020), NOW));
    expect(waiting).toMatchObject({ stage: 'releasing', dueAt: NOW + WAIT.retryMs, note: { errcode: 85020 } });
    expect(waiting.note.message).toContain('当前状态不能发布');
    const resent = writtenOf(decide({ ...waiting, release: GRAY }, TURN, NOW + WAIT.retryMs));
    expect(resent.note).toEqual(waiting.note);
    expect(writtenOf(decide(resent, { kind: 'release_answered' }, NOW)).note).toBeNull();
  });

  test('a rollback WeChat refuses leaves the merchant at its step, noted, its schedule stopped', () => {
    const rolling = { ...rollingBack(GRAY), ...withPlan(SCHEDULED) };
    const after = writtenOf(decide(rolling, refused('revert_gray_release', 87012), NOW));
    expect(after).toMatchObject({ stage: 'released', release: GRAY, note: { errcode: 87012 }, dueAt: NEVER });
  });

  test('a delayed audit (event or poll) is noted with WeChat’s words; a fresh audit has no note', () => {
    const byEvent = writtenOf(decide(submitted(), event('weapp_audit_delay', NOW - 1000, '需要更多时间'), NOW));
    expect(byEvent.note).toEqual({
      errcode: null,
      message: '微信审核延期：需要更多时间',
      action: '无需处理，等待微信的审核结果',
    });
    expect(writtenOf(decide(submitted(), status(4), NOW)).note.message).toBe('微信审核延期');
    const opened = writtenOf(decide(submitting(), { kind: 'submit_answered', auditid: 43 }, NOW));
    expect(opened).toMatchObject({ stage: 'submitted', note: null });
  });
});
