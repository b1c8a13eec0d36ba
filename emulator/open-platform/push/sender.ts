/**
 * Delivers pushes to the authorization-event URL the way WeChat does: encrypted, signed, and
 * retried until the endpoint answers a bare `success` with 2xx within the deadline. Retries resend
 * the same sealed message, so the receiver can recognise them. Every attempt is recorded.
 */
import type { Clock } from '../../clock';
import { postWithDeadline } from '../shared/http-post';
import { payloadXml, sealPush, type PayloadFields, type SealedPush } from '../shared/payload';
import type { FaultRegistry } from '../state/faults';
import type { Pushes } from '../state/ports';
import type { ComponentConfig, PushAttempt, PushInfoType, PushRecord } from '../state/types';

export interface PushSenderSettings {
  timeoutMs: number;
  attempts: number;
  retryDelayMs: number;
}

export interface PushSenderDeps {
  component: () => ComponentConfig;
  clock: Clock;
  faults: FaultRegistry;
  settings: PushSenderSettings;
  records: PushRecord[];
  log: (line: string) => void;
}

export class PushSender implements Pushes {
  private readonly inflight = new Set<Promise<PushRecord>>();
  private readonly closing = new AbortController();
  private nextId = 1;

  constructor(private readonly deps: PushSenderDeps) {}

  /** Records the push at once; `done` settles when delivery and its retries are over. */
  send(infoType: PushInfoType, fields: PayloadFields): { record: PushRecord; done: Promise<PushRecord> } {
    const { appId, authEventUrl } = this.deps.component();
    const all: PayloadFields = { AppId: appId, CreateTime: this.deps.clock.nowSeconds(), InfoType: infoType, ...fields };
    const record: PushRecord = {
      id: this.nextId++,
      infoType,
      fields: all,
      plaintext: payloadXml(all),
      url: authEventUrl,
      attempts: [],
      delivered: false,
    };
    this.deps.records.push(record);
    const done = this.deliver(record).then(() => record);
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
    return { record, done };
  }

  /** Stops retries and waits for what is in flight. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inflight]);
  }

  private async deliver(record: PushRecord): Promise<void> {
    try {
      await this.sendCopies(record);
    } finally {
      record.finished = true;
    }
  }

  private async sendCopies(record: PushRecord): Promise<void> {
    if (!record.url) {
      record.reason = 'no authEventUrl configured';
      return;
    }
    const fault = this.deps.faults.take('push');
    if (fault?.drop) {
      record.dropped = true;
      record.reason = 'dropped by an injected fault';
      this.deps.log(`push #${record.id} ${record.infoType}: dropped (fault)`);
      return;
    }
    if (fault?.delayMs) await this.pause(fault.delayMs);
    const sealed = sealPush(record.plaintext, this.deps.component(), record.fields.CreateTime as number);
    const copies = fault?.duplicate ? 2 : 1;
    if (copies > 1) record.duplicated = true;
    for (let copy = 0; copy < copies && !this.closing.signal.aborted; copy++) {
      const delivered = await this.deliverWithRetries(record, record.url, sealed);
      record.delivered ||= delivered;
    }
    if (!record.delivered)
      record.reason = this.closing.signal.aborted ? 'emulator closed' : 'no attempt was answered with success';
  }

  private async deliverWithRetries(record: PushRecord, url: string, sealed: SealedPush): Promise<boolean> {
    const { attempts, retryDelayMs } = this.deps.settings;
    for (let n = 1; n <= attempts && !this.closing.signal.aborted; n++) {
      const attempt = await this.attempt(url, sealed);
      record.attempts.push(attempt);
      this.deps.log(
        `push #${record.id} ${record.infoType} attempt ${n}: ${attempt.ok ? 'success' : (attempt.error ?? `HTTP ${attempt.status}, not "success"`)}`,
      );
      if (attempt.ok) return true;
      if (n < attempts) await this.pause(retryDelayMs);
    }
    return false;
  }

  private async attempt(url: string, sealed: SealedPush): Promise<PushAttempt> {
    const target = new URL(url);
    for (const [name, value] of Object.entries(sealed.query)) target.searchParams.set(name, value);
    const startedAt = Date.now();
    try {
      const answer = await postWithDeadline(target, sealed.body, this.deps.settings.timeoutMs, this.closing.signal);
      const ok = answer.status >= 200 && answer.status < 300 && answer.body.trim() === 'success';
      return { startedAt, ms: Date.now() - startedAt, status: answer.status, body: answer.body.slice(0, 500), ok };
    } catch (error) {
      return { startedAt, ms: Date.now() - startedAt, error: (error as Error).message, ok: false };
    }
  }

  private pause(ms: number): Promise<void> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
