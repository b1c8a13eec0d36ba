import { COLLECTIONS, type Store } from '../store';

/** Counts per authorizer and message type for the admin page; never any content. */
export interface MessageStatDoc {
  _id: string;
  appid: string;
  /** MsgType, or `event.<Event>` for events. */
  type: string;
  count: number;
  forwardFailures: number;
  lastAt: number;
}

const SAFE_TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

export function messageTypeOf(msgType: string, event: string): string {
  const type = msgType === 'event' && event ? `event.${event}` : msgType;
  return SAFE_TYPE.test(type) ? type : 'other';
}

export async function countMessage(store: Store, appid: string, type: string, now: number): Promise<void> {
  const id = `${appid}|${type}`;
  const _ = store.command;
  if ((await store.update(COLLECTIONS.messageStats, id, { count: _.inc(1), lastAt: now })) === 1) return;
  const doc: MessageStatDoc = { _id: id, appid, type, count: 1, forwardFailures: 0, lastAt: now };
  // The loser of a race to create it counts on the winner's document.
  if (!(await store.create(COLLECTIONS.messageStats, { ...doc }))) {
    await store.update(COLLECTIONS.messageStats, id, { count: _.inc(1), lastAt: now });
  }
}

export async function countForwardFailure(store: Store, appid: string, type: string): Promise<void> {
  await store.update(COLLECTIONS.messageStats, `${appid}|${type}`, { forwardFailures: store.command.inc(1) });
}

export async function listMessageStats(store: Store): Promise<MessageStatDoc[]> {
  return store.find<MessageStatDoc>(COLLECTIONS.messageStats, {}, { orderBy: ['lastAt', 'desc'], limit: 100 });
}
