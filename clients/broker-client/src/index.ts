/**
 * Typed client of the authorization function's token broker and WeChat API proxy. No runtime
 * dependencies: node:crypto and the global fetch on a server, the wx-server-sdk `cloud` object
 * in a cloud function.
 */
export { WeChatAnswer } from './answer';
export type { BrokerClient } from './client';
export { BrokerCloudClient, type CloudClientOptions, type CloudFunctionCaller } from './cloudClient';
export { BrokerError, type WeChatErrorAnswer } from './errors';
export { BrokerHttpClient, type HttpClientOptions } from './httpClient';
export type { ShipClient } from './shipClient';
export * from './signing';
export * from './wire';
