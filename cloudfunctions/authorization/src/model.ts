import type {
  ActionError,
  AuthChannel,
  AuthorizerChange,
  AuthorizerKind,
  AuthorizerStatus,
  AuthType,
  SessionStatus,
} from '../../../typings/api';

/** Documents of the collections (DESIGN.md "State"). Times are milliseconds since the epoch. */

/** Fields of a document that one refresher at a time may hold (see lease.ts). */
export interface Leased {
  leaseOwner: string;
  leaseUntil: number;
}

export interface UpstreamErrorNote {
  at: number;
  api: string;
  errcode: number;
  meaning: string;
  requestIp?: string;
}

export interface PlatformDoc extends Leased {
  _id: string;
  ticket: string | null;
  /** CreateTime of the kept ticket (0: none yet); an older push never replaces a newer ticket. */
  ticketCreatedAt: number;
  ticketReceivedAt: number | null;
  componentToken: string | null;
  componentTokenExpiresAt: number;
  lastUpstreamError: UpstreamErrorNote | null;
  /** When the last complete reconcile pass finished. */
  lastReconciledAt: number;
  /** The reconcile pass in progress (absent or null: none). */
  reconcileCheckpoint?: ReconcileCheckpoint | null;
  /** Until when one timer run holds the right to advance the checkpoint. */
  reconcileClaimUntil?: number;
}

/** Where a reconcile pass spread over several timer runs stands. */
export interface ReconcileCheckpoint {
  startedAt: number;
  /** 'list': walking WeChat's list; 'sweep': marking revoked those WeChat no longer lists. */
  phase: 'list' | 'sweep';
  /** Next offset in WeChat's authorizer list. */
  offset: number;
  /** Listed authorizers found (or recovered) as not revoked, to compare with the database's count. */
  listedUnrevoked: number;
  /** Sweep cursor: the last authorizer `_id` examined. */
  sweepAfter: string;
  restored: number;
  markedRevoked: number;
}

export interface SessionDoc {
  /** A hash of the pre_auth_code: safe to put in URLs and to hand to the page. */
  _id: string;
  preAuthCode: string;
  openid: string;
  channel: AuthChannel;
  authType: AuthType;
  bizAppid: string | null;
  categoryIds: number[];
  status: SessionStatus;
  authorizerAppid: string | null;
  failure: ActionError | null;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
}

export interface AuthorizerDoc {
  _id: string;
  owners: string[];
  kind: AuthorizerKind;
  name: string;
  avatarUrl: string;
  principalName: string;
  userName: string;
  serviceTypeId: number | null;
  verifyTypeId: number | null;
  grantedSets: number[];
  status: AuthorizerStatus;
  history: AuthorizerChange[];
  authorizedAt: number;
  updatedAt: number;
}

export interface AuthorizerTokenDoc extends Leased {
  _id: string;
  accessToken: string | null;
  expiresAt: number;
  refreshToken: string;
  updatedAt: number;
  /** Last use of the access token, noted at most every few minutes (absent: never used). */
  lastUsedAt?: number;
  /** WeChat refused the refresh token (the authorizer needs re-authorization); cleared by a good refresh. */
  rejected?: boolean;
}

/**
 * One per authorization code, keyed by its hash: whoever creates it exchanges the code; everyone
 * else waits for the outcome. The code itself is kept only until it has been exchanged.
 */
export interface AuthCodeDoc extends Leased {
  _id: string;
  code: string | null;
  sessionId: string | null;
  authorizerAppid: string | null;
  state: 'claimed' | 'done' | 'failed';
  /** Set once api_query_auth succeeded: the code is spent, so a takeover continues from here. */
  exchanged: { authorizerAppid: string; grantedSets: number[] } | null;
  error: ActionError | null;
  createdAt: number;
  expiresAt: number;
}

export interface PushLogDoc {
  /** A hash of the encrypted payload: WeChat's retries carry the same one. */
  _id: string;
  infoType: string;
  receivedAt: number;
  processedAt: number | null;
  outcome: 'processing' | 'ok' | 'ignored' | 'failed';
  detail: string | null;
  authorizerAppid: string | null;
}
