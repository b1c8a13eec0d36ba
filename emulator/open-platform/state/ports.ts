/**
 * What the layers above do for the state model's users, as interfaces the lower layers hold:
 * the product areas ask for a ticket push or a grant without knowing how pushes are delivered,
 * and flows.ts sends pushes without knowing the sender. Implemented by push/sender.ts and flows.ts.
 */
import type { PushInfoType, PushRecord } from './types';

/** A push in progress: recorded at once; `done` settles when delivery and its retries are over. */
export interface PushInFlight {
  record: PushRecord;
  done: Promise<PushRecord>;
}

/** Delivery to the 授权事件接收URL (push/sender.ts). */
export interface Pushes {
  send(infoType: PushInfoType, fields: PushRecord['fields']): PushInFlight;
}

/** WeChat's own moves that change the state and push about it (flows.ts). */
export interface PlatformFlows {
  /** Issues a fresh ticket and delivers it. */
  pushTicket(): PushInFlight & { ticket: string };
  /** Records a grant, issues its auth code and pushes `authorized`/`updateauthorized` (none if unchanged). */
  grant(
    appid: string,
    funcIds: number[],
    preAuthCode: string,
  ): { authCode: string; push?: PushRecord; pushDone: Promise<PushRecord | undefined> };
  /** The merchant cancels the authorization; pushes `unauthorized`. */
  revoke(authorizerAppid: string): PushInFlight;
}
