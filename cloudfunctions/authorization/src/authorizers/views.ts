import type { AuthorizerDetail, AuthorizerSummary } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { missingSets, toPermissionSets } from '../permissions';
import { secureImageUrl } from './avatar';

/** What a page may see of an authorizer: no tokens, no owners. */
export function toSummary(doc: AuthorizerDoc, requiredIds: readonly number[]): AuthorizerSummary {
  return {
    appid: doc._id,
    kind: doc.kind,
    name: doc.name,
    avatarUrl: secureImageUrl(doc.avatarUrl),
    principalName: doc.principalName,
    userName: doc.userName,
    status: doc.status,
    grantedSets: toPermissionSets(doc.status === 'revoked' ? [] : doc.grantedSets),
    missingSets: toPermissionSets(missingSets(requiredIds, doc.status === 'revoked' ? [] : doc.grantedSets)),
    authorizedAt: doc.authorizedAt,
    updatedAt: doc.updatedAt,
  };
}

export function toDetail(doc: AuthorizerDoc, requiredIds: readonly number[]): AuthorizerDetail {
  return {
    ...toSummary(doc, requiredIds),
    serviceTypeId: doc.serviceTypeId,
    verified: doc.verifyTypeId !== null && doc.verifyTypeId >= 0,
    history: [...doc.history].sort((a, b) => b.at - a.at),
    historySets: toPermissionSets(doc.history.flatMap((change) => [...change.added, ...change.removed])),
  };
}
