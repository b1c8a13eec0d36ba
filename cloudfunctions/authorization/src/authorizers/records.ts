import type { AuthorizerEvent } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { diffSets } from '../permissions';
import type { AuthorizersRepository, AuthorizerUpdate } from '../repositories/authorizersRepository';
import { classifyAuthorizer, type KindSignals } from './classify';

/** What api_get_authorizer_info tells us that we keep (spec §4.5). */
export interface AuthorizerProfile extends KindSignals {
  nick_name?: string;
  head_img?: string;
  principal_name?: string;
  user_name?: string;
  verify_type_info?: { id: number } | null;
}

export interface GrantInput {
  appid: string;
  profile: AuthorizerProfile;
  grantedSets: number[];
  event: Extract<AuthorizerEvent, 'authorized' | 'updateauthorized' | 'reconciled'>;
  /** WeChat's time of this grant (push CreateTime, or when an exchange or the list observed it). */
  eventAt: number;
  now: number;
}

function profileFields(profile: AuthorizerProfile) {
  return {
    kind: classifyAuthorizer(profile),
    name: profile.nick_name ?? '',
    avatarUrl: profile.head_img ?? '',
    principalName: profile.principal_name ?? '',
    userName: profile.user_name ?? '',
    serviceTypeId: profile.service_type_info?.id ?? null,
    verifyTypeId: profile.verify_type_info?.id ?? null,
  };
}

/**
 * An event time from our clock (an exchange without a push, reconcile's listing), on WeChat's
 * one-second grain: its CreateTime has no finer one, so an event in the same second ties rather
 * than looking newer than WeChat's, and a tie is applied with the sets WeChat holds at that moment.
 */
export const observedAt = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** The record of a first authorization (no owner yet: owners come only from signed bindings). */
export function newAuthorizerDoc(input: GrantInput): AuthorizerDoc {
  const { appid, grantedSets, event, eventAt, now } = input;
  return {
    _id: appid,
    owners: [],
    ownersSince: 0,
    ...profileFields(input.profile),
    grantedSets,
    status: 'active',
    history: [{ at: now, event, added: [...grantedSets].sort((a, b) => a - b), removed: [] }],
    authorizedAt: now,
    updatedAt: now,
    lastEventAt: eventAt,
  };
}

/**
 * Stores a new or renewed authorization. The profile is always current (it was just fetched);
 * status, sets and history change only when this grant is newer than the last event applied.
 * Owners are added separately (addOwner), only on a signed binding.
 */
export async function recordGrant(authorizers: AuthorizersRepository, input: GrantInput): Promise<AuthorizerDoc> {
  if (!(await authorizers.create(newAuthorizerDoc(input)))) {
    await underVersion(authorizers, input.appid, (before) => authorizers.update(before, renewal(before, input), input.now));
  }
  const doc = await authorizers.get(input.appid);
  if (!doc) throw new Error('authorizer vanished while being recorded');
  return doc;
}

function renewal(before: AuthorizerDoc, input: GrantInput): AuthorizerUpdate {
  const { grantedSets, event, eventAt, now } = input;
  // Older than what we know (a late push): only the profile, fetched just now, is fresher.
  if (before.lastEventAt > eventAt) return { fields: profileFields(input.profile) };
  const wasActive = before.status === 'active';
  // After a revocation the account may have changed hands: the old owners go with it.
  const newOwnership = before.status === 'revoked' ? { owners: [], ownerGrants: {}, ownersSince: before.lastEventAt } : {};
  const change = diffSets(wasActive ? before.grantedSets : [], grantedSets);
  // A fresh `authorized` on an account that is still active is, for the merchant, an update.
  const recorded = event === 'authorized' && wasActive ? 'updateauthorized' : event;
  // Re-confirming the same sets (the PC/H5 callback still brings a code) is not a change.
  const changed = !wasActive || change.added.length > 0 || change.removed.length > 0;
  return {
    fields: {
      ...profileFields(input.profile),
      grantedSets,
      status: 'active',
      lastEventAt: eventAt,
      ...newOwnership,
      ...(wasActive ? {} : { authorizedAt: now }),
    },
    ...(changed ? { history: { at: now, event: recorded, ...change } } : {}),
  };
}

/**
 * Writes what `write` makes of the current record (a write conditional on its version), re-reading
 * and deciding again when a concurrent write won the race, so no event is dropped by a race.
 * `write` returns null to write nothing. True when it wrote.
 */
async function underVersion(
  authorizers: AuthorizersRepository,
  appid: string,
  write: (before: AuthorizerDoc) => Promise<boolean> | null,
): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const before = await authorizers.get(appid);
    const written = before ? write(before) : null;
    if (!written) return false;
    if (await written) return true;
  }
  throw new Error('authorizer record kept changing');
}

/**
 * A merchant becomes an owner only through a signed binding (Sessions.bind) of a grant made at
 * `grantAt`, and only within the ownership that grant belongs to: a grant from before a revocation
 * and a newer grant does not bring its merchant back. Each owner's newest grant is kept, so a late
 * revocation removes exactly those who granted before it. Written whole under an optimistic check,
 * so concurrent bindings never lose one. True when `openid` is an owner after.
 */
export async function addOwner(
  authorizers: AuthorizersRepository,
  appid: string,
  openid: string,
  grantAt: number,
  now: number,
): Promise<boolean> {
  let owner = false;
  await underVersion(authorizers, appid, (before) => {
    const grants = before.ownerGrants ?? {};
    const already = before.owners.includes(openid);
    owner = already;
    if (grantAt < (before.ownersSince ?? 0) || (already && (grants[openid] ?? 0) >= grantAt)) return null;
    owner = true;
    const owners = already ? before.owners : [...before.owners, openid];
    return authorizers.update(before, { fields: { owners, ownerGrants: { ...grants, [openid]: grantAt } } }, now);
  });
  return owner;
}

/** Owners whose newest grant came before a revocation at `at` lose the account; null if none do. */
function ownersAfterRevocation(before: AuthorizerDoc, at: number): AuthorizerUpdate | null {
  const grants = before.ownerGrants ?? {};
  // An owner bound before grant times were kept has none: not known to predate it, so kept.
  const kept = before.owners.filter((openid) => (grants[openid] ?? at) >= at);
  if (kept.length === before.owners.length && (before.ownersSince ?? 0) >= at) return null;
  const keptGrants = Object.fromEntries(kept.filter((o) => o in grants).map((o) => [o, grants[o]]));
  return { fields: { owners: kept, ownerGrants: keptGrants, ownersSince: Math.max(before.ownersSince ?? 0, at) } };
}

/** What stands for an account we only know was revoked: a late grant from before it cannot bring it back. */
function revokedPlaceholder(appid: string, eventAt: number, now: number): AuthorizerDoc {
  return {
    _id: appid,
    owners: [],
    kind: 'unknown',
    name: '',
    avatarUrl: '',
    principalName: '',
    userName: '',
    serviceTypeId: null,
    verifyTypeId: null,
    grantedSets: [],
    status: 'revoked',
    history: [{ at: now, event: 'unauthorized', added: [], removed: [] }],
    authorizedAt: 0,
    updatedAt: now,
    lastEventAt: eventAt,
  };
}

/**
 * The merchant revoked at `eventAt` (the push, or the machine learning it from 61003): keep the
 * record (history, owners) but mark it, unless a newer event is already recorded; then only the
 * owners who granted before the revocation go. An unknown account gets a revoked placeholder, so
 * a late `authorized` push of an earlier grant cannot bring it back. True when applied as the
 * account's state (the caller drops the tokens).
 */
export async function recordRevocation(
  authorizers: AuthorizersRepository,
  appid: string,
  eventAt: number,
  now: number,
  /** What WeChat said when asked about a tie (`revocationTies`); absent: a tie is applied. */
  weChatSays?: 'authorized' | 'revoked',
): Promise<boolean> {
  if (await authorizers.create(revokedPlaceholder(appid, eventAt, now))) return true;
  let applied = false;
  await underVersion(authorizers, appid, (before) => {
    applied = before.lastEventAt < eventAt || (before.lastEventAt === eventAt && weChatSays !== 'authorized');
    if (applied) return authorizers.revoke(before, { at: eventAt, event: 'unauthorized', now });
    const owners = ownersAfterRevocation(before, eventAt);
    return owners && authorizers.update(before, owners, now);
  });
  return applied;
}

/**
 * A revocation in the same CreateTime second as the account's newest applied grant: nothing orders
 * the two but WeChat's current state, so the caller asks WeChat before applying it.
 */
export async function revocationTies(authorizers: AuthorizersRepository, appid: string, eventAt: number): Promise<boolean> {
  const current = await authorizers.get(appid);
  return !!current && current.status !== 'revoked' && current.lastEventAt === eventAt;
}

/**
 * Reconcile: WeChat's list, read at `listedAt`, omits `doc` and WeChat confirms it is revoked.
 * Applied only if the record is unchanged since it was read and holds nothing from `listedAt` on
 * (a grant during the pass is not a revocation); no second try. True when applied.
 */
export function recordUnlisted(
  authorizers: AuthorizersRepository,
  doc: AuthorizerDoc,
  listedAt: number,
  now: number,
): Promise<boolean> {
  return authorizers.revoke(doc, { at: listedAt, event: 'reconciled', now, onlyOverOlder: true });
}
