import type { AuthorizerDetail, AuthorizerSummary } from '../../../../typings/api';
import type { AuthorizerDoc } from '../model';
import { missingSets, toPermissionSets, withReasons } from '../permissions';
import { secureImageUrl } from './avatar';

/** What a page may see of an authorizer: no tokens, no owners; missing sets say why they are needed. */
export function toSummary(
  doc: AuthorizerDoc,
  requiredIds: readonly number[],
  reasons: Readonly<Record<number, string>> = {},
): AuthorizerSummary {
  return {
    appid: doc._id,
    kind: doc.kind,
    name: doc.name,
    avatarUrl: secureImageUrl(doc.avatarUrl),
    principalName: doc.principalName,
    userName: doc.userName,
    status: doc.status,
    grantedSets: toPermissionSets(doc.status === 'revoked' ? [] : doc.grantedSets),
    missingSets: withReasons(
      toPermissionSets(missingSets(requiredIds, doc.status === 'revoked' ? [] : doc.grantedSets)),
      reasons,
    ),
    authorizedAt: doc.authorizedAt,
    updatedAt: doc.updatedAt,
  };
}

export function toDetail(
  doc: AuthorizerDoc,
  requiredIds: readonly number[],
  reasons: Readonly<Record<number, string>> = {},
): AuthorizerDetail {
  return {
    ...toSummary(doc, requiredIds, reasons),
    serviceTypeId: doc.serviceTypeId,
    verified: doc.verifyTypeId !== null && doc.verifyTypeId >= 0,
    history: [...doc.history].sort((a, b) => b.at - a.at),
    historySets: toPermissionSets(doc.history.flatMap((change) => [...change.added, ...change.removed])),
  };
}
