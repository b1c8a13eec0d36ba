// What the shipping tests on the rules stack share: merchant mini-programs authorized in bulk, the
// function's timer, and a wave carried through WeChat's audit on the emulated clock.
import type { BulkAuthorization } from '../../../emulator/open-platform';
import { seedAuthorizers } from '../../../emulator/scale-seed';
import type { RulesStack } from '../helpers/rules-stack';

/** `count` ordinary mini-programs (no service type), authorized and stored; their appids. */
export async function seedMerchants(stack: RulesStack, count: number, seed: string): Promise<string[]> {
  const grants: BulkAuthorization[] = stack.openPlatform
    .bulkAuthorize(count * 12, seed)
    .filter((g) => g.account.kind === 'mini_program' && g.account.serviceTypeId === 0)
    .slice(0, count);
  expect(grants).toHaveLength(count);
  await seedAuthorizers(stack.cloud.db, grants, stack.clock.now());
  return grants.map((g) => g.account.appid);
}

/** One run of the function's timer; its shipping part must succeed. */
export async function runTimer(stack: RulesStack): Promise<void> {
  const report = (await stack.cloud.triggerTimer('authorization')) as Record<string, { ok: boolean }>;
  expect(report.shipping).toMatchObject({ ok: true });
}

/** Commits, the privacy scan's minute, submissions; then the reviews end and their events arrive. */
export async function throughAudit(stack: RulesStack): Promise<void> {
  await runTimer(stack);
  stack.clock.advance(61);
  await runTimer(stack);
  await runTimer(stack);
  stack.clock.advance(901);
  await stack.openPlatform.codeManagement.settle();
  await runTimer(stack);
}
