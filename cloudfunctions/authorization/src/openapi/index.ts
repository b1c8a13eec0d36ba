/** Open Platform component API client: one import for the rest of the cloud function. */
export * from './types';
export * from './errors';
export { createOpenApiClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, MAX_AUTHORIZER_LIST_COUNT } from './client';
export type { CallRecord, OpenApiClient, OpenApiClientOptions } from './client';
export { DEFAULT_RETRY } from './retry';
export type { RetryPolicy } from './retry';
