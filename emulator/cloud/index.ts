/** The local WeChat cloud runtime: public entry points. */
export { startCloudRuntime, CallFunctionError } from './runtime';
export type { CloudRuntime, CloudRuntimeOptions, FunctionInstance, Identity } from './runtime';
export { Database } from './sdk/database';
export { DbService, DEFAULT_GET_LIMIT, STRICT_MAX_GET_LIMIT, LENIENT_MAX_GET_LIMIT } from './sdk/service';
export { DocumentStore } from './sdk/store';
export { createWxServerSdk, DYNAMIC_CURRENT_ENV } from './sdk';
export type { WxServerSdk } from './sdk';
export type { WxContext } from './sdk/context';
export { CronSchedule, parseYearField, readTimerTriggers, timerEvent } from './timers';
export type { TimerEvent, TimerTrigger } from './timers';
export type { IntegratedRequest } from './http-access';
