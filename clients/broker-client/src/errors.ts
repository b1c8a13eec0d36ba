import type { BrokerErrorBody, BrokerErrorCode } from './wire';

/** The broker refused (or could not be reached): `code` to branch on, details for people. */
export class BrokerError extends Error {
  readonly code: BrokerErrorCode | 'TRANSPORT';
  readonly errcode?: number;
  readonly state?: BrokerErrorBody['state'];
  readonly permissionSet?: BrokerErrorBody['permissionSet'];
  /** For SCOPE_DENIED: which part of this caller's scope is missing. */
  readonly scope?: BrokerErrorBody['scope'];

  constructor(body: BrokerErrorBody | { code: 'TRANSPORT'; message: string }) {
    super(body.message);
    this.name = 'BrokerError';
    this.code = body.code;
    if (body.code !== 'TRANSPORT') {
      this.errcode = body.errcode;
      this.state = body.state;
      this.permissionSet = body.permissionSet;
      this.scope = body.scope;
    }
  }
}

/** What a WeChat error answer looks like, and how to read one from a proxied response. */
export interface WeChatErrorAnswer {
  errcode: number;
  errmsg: string;
}
