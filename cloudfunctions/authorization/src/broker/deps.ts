import type { App } from '../app';

/** What the broker uses of the function's wiring, on either way in. */
export type BrokerDeps = Pick<
  App,
  'config' | 'repositories' | 'authorizers' | 'now' | 'log' | 'authorizerTokens' | 'componentTokens' | 'shipping'
>;
