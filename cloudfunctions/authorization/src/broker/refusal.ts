import type { BrokerErrorBody, BrokerErrorCode } from '../../../../clients/broker-client/src/wire';

/** A refusal the broker's caller sees as `{ code, message, … }`; never carries a token or a secret. */
export class BrokerRefusal extends Error {
  constructor(readonly body: BrokerErrorBody) {
    super(body.message);
    this.name = 'BrokerRefusal';
  }
}

/**
 * KEY_REVOKED for a key or secret that proved itself (signature or secret matched): it names its
 * caller so the refusal can be counted for it, and the console shows who still uses a retired key.
 */
export class RevokedCaller extends BrokerRefusal {
  constructor(
    readonly caller: { way: 'http' | 'function'; id: string },
    message: string,
  ) {
    super({ code: 'KEY_REVOKED', message });
  }
}

export const refuse = (code: BrokerErrorCode, message: string, extra: Omit<BrokerErrorBody, 'code' | 'message'> = {}) =>
  new BrokerRefusal({ code, message, ...extra });

/** HTTP status of each refusal on the signed-HTTP way in. */
export const HTTP_STATUS: Record<BrokerErrorCode, number> = {
  BROKER_DISABLED: 503,
  UNAUTHENTICATED: 401,
  KEY_REVOKED: 401,
  FORBIDDEN_SOURCE: 403,
  STALE_REQUEST: 401,
  REPLAYED: 409,
  INVALID_INPUT: 400,
  SCOPE_DENIED: 403,
  API_NOT_SERVED: 403,
  BODY_TOO_LARGE: 413,
  UNKNOWN_AUTHORIZER: 404,
  AUTHORIZER_UNAVAILABLE: 409,
  SET_NOT_GRANTED: 403,
  NOT_READY: 503,
  UPSTREAM: 502,
  INTERNAL: 500,
};
