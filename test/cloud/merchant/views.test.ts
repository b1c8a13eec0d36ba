/** What a page sees of an authorizer: HTTPS avatars, and the provider's reason on each missing set. */
import { toDetail, toSummary } from '../../../cloudfunctions/authorization/src/authorizers/views';
import type { AuthorizerDoc } from '../../../cloudfunctions/authorization/src/model';

const DOC: AuthorizerDoc = {
  _id: 'wx1234567890abcdef',
  owners: ['o-merchant'],
  kind: 'official_account',
  name: '晨光咖啡',
  avatarUrl: 'http://wx.qlogo.cn/mmopen/abc/0',
  principalName: '晨光咖啡有限公司',
  userName: 'gh_0123456789ab',
  serviceTypeId: 2,
  verifyTypeId: 0,
  grantedSets: [1],
  status: 'active',
  history: [],
  authorizedAt: 1,
  updatedAt: 2,
  lastEventAt: 1,
};

test('the avatar is served over HTTPS and the missing sets carry the reasons given', () => {
  const summary = toSummary(DOC, [1, 11, 15], { 11: '发布图文素材', 1: '接收消息' });
  expect(summary.avatarUrl).toBe('https://wx.qlogo.cn/mmopen/abc/0');
  expect(summary.missingSets).toEqual([
    { id: 11, name: '素材管理', reason: '发布图文素材' },
    { id: 15, name: '菜单管理' },
  ]);
  expect(summary.grantedSets).toEqual([{ id: 1, name: '消息管理' }]);
  expect(toDetail(DOC, [11], { 11: '发布图文素材' }).missingSets).toEqual([{ id: 11, name: '素材管理', reason: '发布图文素材' }]);
});
