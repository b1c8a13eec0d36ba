/**
 * The provider's monthly audit quota (spec code-management §4.5): every accepted `submit_audit`
 * of any merchant consumes one, whatever the outcome, and an undo refunds nothing (§9 #3); the
 * speed-up quota likewise. Both come back in full on the 1st of the month (Beijing time).
 */
import type { Clock } from '../../../clock';
import { beijingMonth } from './calendar';
import type { AuditQuotaView } from './types';

export const DEFAULT_AUDIT_QUOTA = { limit: 100, speedupLimit: 3 };

export class AuditQuota {
  private month: number;
  private readonly view: AuditQuotaView;

  constructor(
    private readonly clock: Clock,
    limits: { limit: number; speedupLimit: number } = DEFAULT_AUDIT_QUOTA,
  ) {
    this.month = beijingMonth(clock.now());
    this.view = { ...limits, rest: limits.limit, speedupRest: limits.speedupLimit };
  }

  read(): AuditQuotaView {
    this.rollOver();
    return { ...this.view };
  }

  /** Admin: a new limit refills `rest` unless `rest` is given too. */
  set(patch: Partial<AuditQuotaView>): AuditQuotaView {
    this.rollOver();
    if (patch.limit !== undefined) this.view.limit = this.view.rest = patch.limit;
    if (patch.speedupLimit !== undefined) this.view.speedupLimit = this.view.speedupRest = patch.speedupLimit;
    if (patch.rest !== undefined) this.view.rest = patch.rest;
    if (patch.speedupRest !== undefined) this.view.speedupRest = patch.speedupRest;
    return this.read();
  }

  /** Takes one submit (false when none is left). */
  takeSubmit(): boolean {
    this.rollOver();
    if (this.view.rest <= 0) return false;
    this.view.rest -= 1;
    return true;
  }

  takeSpeedup(): boolean {
    this.rollOver();
    if (this.view.speedupRest <= 0) return false;
    this.view.speedupRest -= 1;
    return true;
  }

  private rollOver(): void {
    const month = beijingMonth(this.clock.now());
    if (month === this.month) return;
    this.month = month;
    this.view.rest = this.view.limit;
    this.view.speedupRest = this.view.speedupLimit;
  }
}
