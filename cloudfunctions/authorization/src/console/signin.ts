/**
 * Sign-in by scanning (issue 20): the browser asks for a ticket (shown as a QR code) and keeps a
 * binding secret in an HttpOnly cookie; an admin scans the QR with the mini-program, sees which
 * browser is asking and confirms; the same browser (and only it) then swaps the ticket for a
 * session, once. Tickets, bindings and sessions are stored as SHA-256 hashes only.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleSignInPreview } from '../../../../typings/api';
import type { Config } from '../config';
import { AppError, forbidden, notFound } from '../errors';
import type { RateLimits } from '../limits';
import type { ConsoleSessionDoc, ConsoleTicketDoc } from '../model';
import type { Repositories } from '../repositories';

/** A QR is scanned and confirmed within two minutes, or the page asks for a new one. */
export const TICKET_TTL_MS = 2 * 60_000;
/** After approval the waiting browser has this long to collect its session. */
export const COLLECT_WINDOW_MS = 60_000;
export const SESSION_TTL_MS = 8 * 3600_000;
export const SESSION_IDLE_MS = 30 * 60_000;
/** `lastSeenAt` is written at most this often: a page view is not a write. */
const TOUCH_EVERY_MS = 60_000;
/** New QR codes per requesting IP and minute: a flood costs a bounded number of documents. */
export const TICKETS_PER_IP_PER_MINUTE = 10;
/** And of all addresses together: addresses are cheap for an attacker, documents are not free. */
export const TICKETS_PER_MINUTE = 600;

/** 128 random bits, hex: what the QR carries (the mini-program checks the same shape). */
export const TICKET_PATTERN = /^[0-9a-f]{32}$/;

export interface SignInDeps {
  repositories: Pick<Repositories, 'consoleTickets' | 'consoleSessions'>;
  limits: RateLimits;
  config: Pick<Config, 'adminOpenIds'>;
  now: () => number;
}

/** The requesting browser, as the HTTP access event tells it. */
export interface Requester {
  userAgent: string;
  ip: string;
}

export interface ConsoleSession {
  /** The stored document's id (the hash of the cookie), to sign out. */
  id: string;
  openid: string;
  csrf: string;
  expiresAt: number;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const random = (bytes: number): string => randomBytes(bytes).toString('hex');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A new ticket for this browser: the ticket for the QR, the pre-session cookie's value; null when rate-limited. */
export async function createTicket(deps: SignInDeps, who: Requester): Promise<{ ticket: string; binding: string } | null> {
  const minute = { windowMs: 60_000 };
  // Per address, then for everyone (an address the client can name must not make the limit endless).
  if (!(await deps.limits.take({ key: `console-ticket:${who.ip}`, max: TICKETS_PER_IP_PER_MINUTE, ...minute }))) return null;
  if (!(await deps.limits.take({ key: 'console-ticket:all', max: TICKETS_PER_MINUTE, ...minute }))) return null;
  const ticket = random(16);
  const secret = random(32);
  const at = deps.now();
  await deps.repositories.consoleTickets.create({
    _id: sha256(ticket),
    bindingHash: sha256(secret),
    state: 'pending',
    createdAt: at,
    expiresAt: at + TICKET_TTL_MS,
    userAgent: who.userAgent.slice(0, 400),
    ip: who.ip,
    scannedBy: null,
    scannedAt: null,
    decidedAt: null,
  });
  return { ticket, binding: `${ticket}.${secret}` };
}

export type PollAnswer =
  | { state: 'waiting' | 'scanned' | 'denied' | 'expired' }
  | { state: 'approved'; sessionCookie: string; session: ConsoleSessionDoc };

/** The waiting browser's question, by its pre-session cookie; an approved ticket becomes its session once. */
export async function pollTicket(deps: SignInDeps, binding: string, who: Requester): Promise<PollAnswer> {
  const [ticket, secret] = binding.split('.');
  if (!ticket || !secret || !TICKET_PATTERN.test(ticket)) return { state: 'expired' };
  const id = sha256(ticket);
  const doc = await deps.repositories.consoleTickets.get(id);
  // Someone else's ticket (seen on a screen, photographed) is worth nothing without this browser's secret.
  if (!doc || !sameHash(doc.bindingHash, sha256(secret))) return { state: 'expired' };
  const at = deps.now();
  if (doc.state === 'used' || doc.expiresAt <= at) return { state: 'expired' };
  if (doc.state !== 'approved') return { state: doc.state === 'pending' ? 'waiting' : doc.state };
  // The session first (unreachable without its cookie), then the ticket's one collection decides.
  const sessionCookie = random(32);
  const session: ConsoleSessionDoc = {
    _id: sha256(sessionCookie),
    openid: doc.scannedBy ?? '',
    createdAt: at,
    expiresAt: at + SESSION_TTL_MS,
    lastSeenAt: at,
    csrf: random(24),
    revokedAt: null,
    userAgent: who.userAgent.slice(0, 400),
    ip: who.ip,
  };
  await deps.repositories.consoleSessions.create(session);
  if (!(await deps.repositories.consoleTickets.collect(id, at))) {
    await deps.repositories.consoleSessions.revoke(session._id, at);
    return { state: 'expired' };
  }
  return { state: 'approved', sessionCookie, session };
}

/** The ticket a scan names, checked for this admin; the answers say plainly what happened. */
async function openTicket(deps: SignInDeps, ticket: string): Promise<ConsoleTicketDoc> {
  const doc = await deps.repositories.consoleTickets.get(sha256(ticket));
  if (!doc) throw notFound('没有找到这个登录请求：请在电脑上刷新登录页，再重新扫码');
  if (doc.state === 'approved' || doc.state === 'used') throw new AppError('CONFLICT', '这个登录请求已经确认过了，不能再次确认');
  if (doc.state === 'denied') throw new AppError('CONFLICT', '这个登录请求已经被拒绝：请在电脑上刷新登录页，再重新扫码');
  if (doc.expiresAt <= deps.now()) throw notFound('二维码已过期：请在电脑上刷新登录页，再重新扫码');
  return doc;
}

/** What the admin sees before confirming; the first admin to scan holds the ticket. */
export async function previewTicket(deps: SignInDeps, openid: string, ticket: string): Promise<ConsoleSignInPreview> {
  const doc = await openTicket(deps, ticket);
  if (doc.scannedBy && doc.scannedBy !== openid) throw forbidden('这个登录请求已被另一位管理员扫码');
  if (!(await deps.repositories.consoleTickets.markScanned(doc._id, openid, deps.now()))) {
    return previewTicket(deps, openid, ticket);
  }
  return {
    browser: describeBrowser(doc.userAgent),
    userAgent: doc.userAgent,
    ip: doc.ip,
    requestedAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
}

/** The admin's answer, after a preview; a second answer is refused, never applied. */
export async function confirmTicket(
  deps: SignInDeps,
  openid: string,
  ticket: string,
  approve: boolean,
): Promise<{ approved: boolean }> {
  const doc = await openTicket(deps, ticket);
  if (doc.scannedBy !== openid) {
    throw doc.scannedBy
      ? forbidden('这个登录请求已被另一位管理员扫码')
      : new AppError('CONFLICT', '请先扫码查看登录请求，再确认');
  }
  const at = deps.now();
  if (!(await deps.repositories.consoleTickets.decide(doc._id, openid, approve, at, at + COLLECT_WINDOW_MS))) {
    // Lost a race with another confirmation (or the ticket just expired): say which.
    await openTicket(deps, ticket);
    throw new AppError('CONFLICT', '这个登录请求刚刚被处理过了');
  }
  return { approved: approve };
}

/** A short ticket reference for the audit log: a prefix of its hash, never the ticket. */
export const ticketReference = (ticket: string): string => sha256(ticket).slice(0, 8);

/** The session behind a cookie, if it still holds: not revoked, not expired or idle, its OPENID still an admin. */
export async function sessionOf(deps: SignInDeps, cookie: string | undefined): Promise<ConsoleSession | null> {
  if (!cookie || !/^[0-9a-f]{64}$/.test(cookie)) return null;
  const sessions = deps.repositories.consoleSessions;
  const doc = await sessions.get(sha256(cookie));
  const at = deps.now();
  if (!doc || doc.revokedAt !== null || doc.expiresAt <= at || at - doc.lastSeenAt >= SESSION_IDLE_MS) return null;
  if (!deps.config.adminOpenIds.includes(doc.openid)) {
    // Removed from ADMIN_OPENIDS: the session ends for good, even if the OPENID comes back later.
    await sessions.revoke(doc._id, at);
    return null;
  }
  if (at - doc.lastSeenAt >= TOUCH_EVERY_MS) await sessions.touch(doc._id, at);
  return { id: doc._id, openid: doc.openid, csrf: doc.csrf, expiresAt: doc.expiresAt };
}

export async function signOut(deps: SignInDeps, session: ConsoleSession): Promise<void> {
  await deps.repositories.consoleSessions.revoke(session.id, deps.now());
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  // Bytes, not characters: a multibyte string of the right length must be a refusal, not a throw.
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "Chrome 143 · Windows": enough for a person to recognise their own browser. */
export function describeBrowser(userAgent: string): string {
  const browser =
    [/Edg\/(\d+)/, /Firefox\/(\d+)/, /Chrome\/(\d+)/, /Version\/(\d+).*Safari/]
      .map((rule, i) => {
        const m = rule.exec(userAgent);
        return m ? `${['Edge', 'Firefox', 'Chrome', 'Safari'][i]} ${m[1]}` : null;
      })
      .find(Boolean) ?? '未知浏览器';
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Mac OS X/.test(userAgent)
      ? 'macOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /iPhone|iPad/.test(userAgent)
          ? 'iOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '未知系统';
  return `${browser} · ${system}`;
}
