/**
 * Before 全网发布 only the accounts on 授权测试公众号/小程序列表 (by 原始ID, at most ten) can
 * authorize (spec §11); the switch is `component.released`.
 */
import type { ComponentConfig, TestAccount } from '../../state/types';

export const MAX_TEST_LIST = 10;

export function mayAuthorize(component: ComponentConfig, account: TestAccount): boolean {
  if (component.released !== false) return true;
  return (component.testList ?? []).includes(account.userName);
}

export function setRelease(component: ComponentConfig, input: { released?: boolean; testList?: string[] }): void {
  if (input.testList !== undefined) {
    if (input.testList.length > MAX_TEST_LIST) throw new RangeError(`the test list holds at most ${MAX_TEST_LIST} accounts`);
    if (input.testList.some((id) => !/^gh_[0-9a-f]{12}$/.test(id)))
      throw new RangeError('test list entries are 原始IDs: gh_ + 12 hex');
    component.testList = [...input.testList];
  }
  if (input.released !== undefined) component.released = input.released;
}
