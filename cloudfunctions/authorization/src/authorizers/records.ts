import type { AuthorizerEvent } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { diffSets } from '../permissions';
import { COLLECTIONS, type Store } from '../store';
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
  /** The merchant whose session led here, if any (a link made elsewhere has none). */
  owner: string | null;
  event: Extract<AuthorizerEvent, 'authorized' | 'updateauthorized' | 'reconciled'>;
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

/** The record of a first authorization. */
export function newAuthorizerDoc(input: GrantInput): AuthorizerDoc {
  const { appid, grantedSets, owner, event, now } = input;
  return {
    _id: appid,
    owners: owner ? [owner] : [],
    ...profileFields(input.profile),
    grantedSets,
    status: 'active',
    history: [{ at: now, event, added: [...grantedSets].sort((a, b) => a - b), removed: [] }],
    authorizedAt: now,
    updatedAt: now,
  };
}

/** Stores a new or renewed authorization: profile, granted sets, status, owner and the change. */
export async function recordGrant(store: Store, input: GrantInput): Promise<AuthorizerDoc> {
  const { appid } = input;
  const created = await store.create(COLLECTIONS.authorizers, { ...newAuthorizerDoc(input) });
  if (!created) await renewGrant(store, input);
  const doc = await store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
  if (!doc) throw new Error('authorizer vanished while being recorded');
  return doc;
}

async function renewGrant(store: Store, input: GrantInput): Promise<void> {
  const { appid, grantedSets, owner, event, now } = input;
  const before = await store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
  const wasActive = before?.status === 'active';
  const change = diffSets(wasActive ? (before?.grantedSets ?? []) : [], grantedSets);
  // A fresh `authorized` on an account that is still active is, for the merchant, an update.
  const recorded = event === 'authorized' && wasActive ? 'updateauthorized' : event;
  // Re-confirming the same sets (the PC/H5 callback still brings a code) is not a change.
  const changed = !wasActive || change.added.length > 0 || change.removed.length > 0;
  const _ = store.command;
  await store.update(COLLECTIONS.authorizers, appid, {
    ...profileFields(input.profile),
    grantedSets,
    status: 'active',
    updatedAt: now,
    ...(wasActive ? {} : { authorizedAt: now }),
    ...(changed ? { history: _.push({ at: now, event: recorded, ...change }) } : {}),
    ...(owner && !before?.owners.includes(owner) ? { owners: _.push(owner) } : {}),
  });
}

/** The merchant revoked: keep the record (history, owners) but mark it. */
export async function recordRevocation(store: Store, appid: string, now: number): Promise<boolean> {
  const before = await store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
  if (!before || before.status === 'revoked') return false;
  await store.update(COLLECTIONS.authorizers, appid, {
    status: 'revoked',
    updatedAt: now,
    history: store.command.push({ at: now, event: 'unauthorized', added: [], removed: before.grantedSets }),
  });
  return true;
}

/** WeChat says the refresh token is dead (61023/61003): the merchant must authorize again. */
export async function recordNeedsReauth(store: Store, appid: string, now: number): Promise<void> {
  const updated = await store.updateWhere(
    COLLECTIONS.authorizers,
    { _id: appid, status: 'active' },
    { status: 'needs_reauth', updatedAt: now },
  );
  if (updated === 1) {
    await store.update(COLLECTIONS.authorizers, appid, {
      history: store.command.push({ at: now, event: 'needs_reauth', added: [], removed: [] }),
    });
  }
}
