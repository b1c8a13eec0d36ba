import type { MessageStatDoc } from '../model';
import type { MessageStatsRepository } from '../repositories/messageStatsRepository';

const SAFE_TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

export function messageTypeOf(msgType: string, event: string): string {
  const type = msgType === 'event' && event ? `event.${event}` : msgType;
  return SAFE_TYPE.test(type) ? type : 'other';
}

const rowId = (appid: string, type: string) => `${appid}|${type}`;

export async function countMessage(stats: MessageStatsRepository, appid: string, type: string, now: number): Promise<void> {
  const id = rowId(appid, type);
  if (await stats.countOn(id, now)) return;
  // The loser of a race to create it counts on the winner's document.
  if (!(await stats.create({ _id: id, appid, type, count: 1, forwardFailures: 0, lastAt: now }))) await stats.countOn(id, now);
}

export async function countForwardFailure(stats: MessageStatsRepository, appid: string, type: string): Promise<void> {
  await stats.countForwardFailure(rowId(appid, type));
}

export async function listMessageStats(stats: MessageStatsRepository): Promise<MessageStatDoc[]> {
  return stats.latest(100);
}
