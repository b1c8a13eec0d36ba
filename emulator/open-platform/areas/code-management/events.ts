/**
 * The audit result events (spec code-management §6): when an audit step comes due, WeChat sends
 * `weapp_audit_success` / `_fail` / `_delay` to the 消息与事件接收URL with `$APPID$` replaced,
 * sealed with the platform's keys, once: no retry (§9 #1). `audit_event` fault rules (globally or
 * for one appid) lose it, duplicate it or send it late.
 */
import { messageUrlFor, postMessage, sealMessage } from '../../shared/message-channel';
import type { DueAuditStep } from '../../state/code-management';
import type { AuditEventName, AuditEventRecord } from '../../state/code-management/types';
import type { FaultRegistry } from '../../state/faults';
import type { PlatformState } from '../../state/platform-state';

/** The system account the events come from (spec §6.2 example). */
export const AUDIT_EVENT_SENDER_OPENID = 'od1P50M-fNQI5Gcq-trm4a7apsU8';

const EVENT_OF: Record<0 | 1 | 4, AuditEventName> = {
  0: 'weapp_audit_success',
  1: 'weapp_audit_fail',
  4: 'weapp_audit_delay',
};

export interface AuditEventDeps {
  state: PlatformState;
  faults: FaultRegistry;
  records: AuditEventRecord[];
  log: (line: string) => void;
  /** Real ms a copy may take. */
  timeoutMs: number;
}

/** The fields after ToUserName/FromUserName/CreateTime, per event (spec §6.2). */
function eventFields({ step }: DueAuditStep): Record<string, string | number> {
  const event = EVENT_OF[step.status];
  const at = Math.floor(step.at / 1000);
  const fields: Record<string, string | number> = { MsgType: 'event', Event: event };
  if (step.status === 0) fields.SuccTime = at;
  if (step.status === 1) Object.assign(fields, { Reason: step.reason ?? '', FailTime: at, ScreenShot: step.screenshot ?? '' });
  if (step.status === 4) Object.assign(fields, { Reason: step.reason ?? '', DelayTime: at });
  return fields;
}

function newRecord(deps: AuditEventDeps, due: DueAuditStep, userName: string): AuditEventRecord {
  const { component, clock } = deps.state;
  const fields = eventFields(due);
  return {
    id: deps.records.length + 1,
    appid: due.appid,
    auditid: due.audit.auditid,
    event: fields.Event as AuditEventName,
    fields: { ToUserName: userName, FromUserName: AUDIT_EVENT_SENDER_OPENID, CreateTime: clock.nowSeconds(), ...fields },
    at: clock.now(),
    url: messageUrlFor(component, due.appid),
    deliveries: [],
    delivered: false,
    finished: false,
  };
}

/** Each copy once (the same sealed bytes), never retried; delivered when a copy is answered 2xx `success`. */
async function deliver(deps: AuditEventDeps, record: AuditEventRecord, copies: number): Promise<void> {
  const { ToUserName, FromUserName: _from, CreateTime, ...fields } = record.fields;
  const target = { appid: record.appid, userName: String(ToUserName), openid: AUDIT_EVENT_SENDER_OPENID };
  const sealed = sealMessage(deps.state.component, target, fields, Number(CreateTime));
  if (!sealed) return;
  for (let copy = 0; copy < copies; copy++) {
    const delivery = await postMessage(sealed, deps.timeoutMs);
    record.deliveries.push(delivery);
    const answered = delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
    record.delivered ||= answered && delivery.body?.trim() === 'success';
  }
}

/** Sends the event of one due step; the record is in `records` at once, complete when the promise settles. */
export async function sendAuditEvent(deps: AuditEventDeps, due: DueAuditStep): Promise<AuditEventRecord> {
  const account = deps.state.account(due.appid);
  const record = newRecord(deps, due, account?.userName ?? '');
  deps.records.push(record);
  try {
    const fault = deps.faults.take('audit_event', due.appid);
    if (fault?.drop) {
      record.dropped = true;
      deps.log(`audit event #${record.id} ${record.event} for ${due.appid}: lost (fault)`);
      return record;
    }
    if (!record.url) return record;
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.duplicate) record.duplicated = true;
    await deliver(deps, record, fault?.duplicate ? 2 : 1);
    deps.log(
      `audit event #${record.id} ${record.event} for ${due.appid}: ${record.delivered ? 'delivered' : 'not answered success'}`,
    );
    return record;
  } finally {
    record.finished = true;
  }
}
