import type { ReleaseCaseView, ReleaseStatus } from '../../../../typings/api';
import type { App } from '../app';
import { listMessageStats } from '../messages/stats';
import { permissionName } from '../permissions';
import type { ReleaseJobDoc } from '../model';
import { isReleaseTestAppid, MESSAGE_CASE_SET, type ReleaseTestKind } from './testAccounts';

/** The result page's items (spec §11). */
export const ALWAYS_ITEMS = ['component_verify_ticket', '预授权码', '授权', '取消授权'];
export const MESSAGE_ITEMS = ['返回普通文本消息', '返回Api文本消息'];

/** The sets this deployment says it needs: what the provider should have ticked on the platform. */
function configuredSets(app: App): Set<number> {
  return new Set([...app.config.requiredCategoryIds, ...app.config.bundles.flatMap((bundle) => bundle.categoryIds)]);
}

function messageCases(app: App): ReleaseCaseView[] {
  const sets = configuredSets(app);
  return (Object.entries(MESSAGE_CASE_SET) as [ReleaseTestKind, number][]).map(([kind, setId]) => ({
    setId,
    setName: permissionName(setId),
    kind,
    selected: sets.has(setId),
    items: MESSAGE_ITEMS,
  }));
}

async function testList(app: App): Promise<ReleaseStatus['testList']> {
  const list = app.config.releaseTestList;
  if (list.length === 0) return [];
  const found = await app.repositories.authorizers.activeByUserNames(list);
  return list.map((userName) => {
    const doc = found.find((d) => d.userName === userName);
    return { userName, authorizedAppid: doc?._id ?? null, name: doc?.name ?? null };
  });
}

async function jobCounts(app: App): Promise<ReleaseStatus['jobs']> {
  const count = (state: ReleaseJobDoc['state']) => app.repositories.releaseJobs.countInState(state);
  const [pending, done, failed] = await Promise.all([count('pending'), count('done'), count('failed')]);
  return { pending, done, failed };
}

export async function releaseStatus(app: App): Promise<ReleaseStatus> {
  const [list, accounts, jobs, stats] = await Promise.all([
    testList(app),
    app.repositories.releaseTestAccounts.list(),
    jobCounts(app),
    listMessageStats(app.repositories.messageStats),
  ]);
  return {
    released: app.config.platformReleased,
    testList: list,
    alwaysItems: ALWAYS_ITEMS,
    messageCases: messageCases(app),
    testAccounts: accounts.map((a) => ({
      appid: a._id,
      group: a.group,
      kind: a.kind,
      lastEvent: a.lastEvent,
      lastEventAt: a.lastEventAt,
    })),
    jobs,
    messageForwarding: app.config.messageForwardUrl !== null,
    messages: stats.map((s) => ({
      appid: s.appid,
      type: s.type,
      count: s.count,
      forwardFailures: s.forwardFailures,
      lastAt: s.lastAt,
      releaseTest: isReleaseTestAppid(s.appid),
    })),
  };
}
