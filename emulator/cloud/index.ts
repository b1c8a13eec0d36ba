/** The local WeChat cloud runtime: public entry points. */
export { startCloudRuntime, CallFunctionError } from './runtime';
export type { CloudRuntime, CloudRuntimeOptions, FunctionInstance, Identity } from './runtime';
export { Database, DEFAULT_GET_LIMIT, MAX_GET_LIMIT } from './sdk/database';
export { DocumentStore } from './sdk/store';
export { createWxServerSdk, DYNAMIC_CURRENT_ENV } from './sdk';
export type { WxServerSdk } from './sdk';
export type { WxContext } from './sdk/context';
export { CronSchedule, parseYearField, readTimerTriggers, timerEvent } from './timers';
export type { TimerEvent, TimerTrigger } from './timers';
export type { IntegratedRequest } from './http-access';
