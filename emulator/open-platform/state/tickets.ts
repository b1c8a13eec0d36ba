/**
 * component_verify_ticket bookkeeping: a fresh ticket per push, each valid 12 h, and any
 * unexpired one accepted (spec §2.1, §12).
 */
import type { Clock } from '../../clock';
import { newTicket } from './codes';

export const TICKET_LIFETIME_SECONDS = 12 * 3600;

export class Tickets {
  private readonly issuedAt = new Map<string, number>();
  private latest: string | undefined;

  constructor(private readonly clock: Clock) {}

  issue(): string {
    const ticket = newTicket();
    this.issuedAt.set(ticket, this.clock.now());
    this.latest = ticket;
    return ticket;
  }

  latestTicket(): string | undefined {
    return this.latest;
  }

  /** 0 when usable, 61005 expired, 61006 never issued. */
  check(ticket: string): 0 | 61005 | 61006 {
    const issued = this.issuedAt.get(ticket);
    if (issued === undefined) return 61006;
    return this.clock.now() >= issued + TICKET_LIFETIME_SECONDS * 1000 ? 61005 : 0;
  }
}
