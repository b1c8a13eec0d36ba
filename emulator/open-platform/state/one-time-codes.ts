/**
 * Single-use codes with a lifetime: pre_auth_code and authorization_code (spec §4.2, §4.3).
 */
import type { Clock } from '../../clock';

export type CodeStatus = 'valid' | 'unknown' | 'used' | 'expired';

interface CodeEntry<T> {
  payload: T;
  expiresAt: number;
  used: boolean;
}

export class OneTimeCodes<T> {
  private readonly entries = new Map<string, CodeEntry<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly generate: () => string,
    readonly ttlSeconds: number,
  ) {}

  issue(payload: T): { code: string; expiresAt: number } {
    const code = this.generate();
    const expiresAt = this.clock.now() + this.ttlSeconds * 1000;
    this.entries.set(code, { payload, expiresAt, used: false });
    return { code, expiresAt };
  }

  status(code: string): CodeStatus {
    const entry = this.entries.get(code);
    if (!entry) return 'unknown';
    if (entry.used) return 'used';
    return this.clock.now() >= entry.expiresAt ? 'expired' : 'valid';
  }

  /** Marks a valid code used and returns its payload; otherwise reports why not. */
  consume(code: string): { ok: true; payload: T } | { ok: false; status: Exclude<CodeStatus, 'valid'> } {
    const status = this.status(code);
    if (status !== 'valid') return { ok: false, status };
    const entry = this.entries.get(code)!;
    entry.used = true;
    return { ok: true, payload: entry.payload };
  }
}
