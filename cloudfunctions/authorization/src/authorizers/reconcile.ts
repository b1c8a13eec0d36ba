import type { ReconcileReport } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { COLLECTIONS, type Store } from '../store';
import type { Upstream } from '../upstream';
import { isReleaseTestAppid } from '../release/testAccounts';
import { recordGrant } from './records';
import type { AuthorizerTokens } from './tokens';

const PAGE = 500;

/**
 * WeChat's list of authorizers is the truth: it returns every refresh token (the cure for a lost
 * one, 61023), shows accounts we never recorded, and omits the ones that were revoked.
 */
export async function reconcile(deps: {
  store: Store;
  upstream: Upstream;
  authorizerTokens: AuthorizerTokens;
  now: () => number;
}): Promise<ReconcileReport> {
  const { store, upstream, authorizerTokens, now } = deps;
  const listed = new Map<string, string | undefined>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await upstream.withComponentToken((t) => upstream.client.getAuthorizerList(t, offset, PAGE));
    // WeChat's release-test accounts are listed too; they are not merchants (issue 11).
    for (const item of page.list) if (!isReleaseTestAppid(item.authorizer_appid)) listed.set(item.authorizer_appid, item.refresh_token);
    if (page.list.length < PAGE || offset + PAGE >= page.total_count) break;
  }

  let restored = 0;
  for (const [appid, refreshToken] of listed) {
    if (refreshToken && (await authorizerTokens.restoreRefreshToken(appid, refreshToken))) restored += 1;
    const doc = await store.get<AuthorizerDoc>(COLLECTIONS.authorizers, appid);
    // Unknown or revoked but listed: a push was missed. Needs re-authorization: only if the
    // (possibly restored) refresh token really works again.
    const recover = !doc || doc.status === 'revoked' || (doc.status === 'needs_reauth' && (await authorizerTokens.verify(appid)));
    if (recover) {
      const info = await upstream.withComponentToken((t) => upstream.client.getAuthorizerInfo(t, appid));
      const granted = (info.authorization_info?.func_info ?? doc?.grantedSets.map((id) => ({ funcscope_category: { id } })) ?? [])
        .map((f) => f.funcscope_category.id);
      await recordGrant(store, { appid, profile: info.authorizer_info, grantedSets: granted, event: 'reconciled', eventAt: now(), now: now() });
    }
  }

  let markedRevoked = 0;
  for await (const doc of unrevoked(store)) {
    if (listed.has(doc._id)) continue;
    await store.update(COLLECTIONS.authorizers, doc._id, {
      status: 'revoked',
      updatedAt: now(),
      history: store.command.push({ at: now(), event: 'reconciled', added: [], removed: doc.grantedSets }),
    });
    await authorizerTokens.remove(doc._id);
    markedRevoked += 1;
  }
  return { listed: listed.size, restored, markedRevoked };
}

/** Every authorizer not yet revoked, in `_id` order (a cursor, since revoking moves them out of the set). */
async function* unrevoked(store: Store): AsyncGenerator<AuthorizerDoc> {
  const _ = store.command;
  let after = '';
  for (;;) {
    const batch = await store.find<AuthorizerDoc>(
      COLLECTIONS.authorizers,
      { status: _.neq('revoked'), _id: _.gt(after) },
      { orderBy: ['_id', 'asc'], limit: PAGE },
    );
    yield* batch;
    if (batch.length < PAGE) return;
    after = batch[batch.length - 1]!._id;
  }
}
