import cloud = require('wx-server-sdk');
import { handleAction } from './actions/router';
import { createApp, type App } from './app';
import { handleBrokerCall } from './broker/callEntry';
import { ConfigError } from './config';
import { isHttpEvent } from './http/core';
import { handleHttp } from './http/routes';
import type { CloudDb } from './store';
import type { SubscribeMessageApi } from './notices/lapseNotices';
import { runMaintenance } from './timer/maintenance';
import { isBrokerCall, triggerOf } from './trigger';

/**
 * The one cloud function, three triggers: HTTP access (the route table by audience), the timer,
 * and callFunction (the mini-program's actions, the broker's calls). The App wired once satisfies
 * each entry's narrow deps (`HttpDeps`, `BrokerDeps`); the timer and the actions use nearly all of it.
 */
// The typings say string, but the SDK documents this symbol as "the environment the function runs in".
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });

let app: App | undefined;

function getApp(): App {
  app ??= createApp({
    env: process.env,
    db: cloud.database() as unknown as CloudDb,
    // Typed loosely by the SDK; config.json grants the function subscribeMessage.send.
    openapi: cloud.openapi as SubscribeMessageApi,
  });
  return app;
}

export async function main(event: unknown): Promise<unknown> {
  const context = cloud.getWXContext();
  let current: App;
  try {
    current = getApp();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Say exactly what is missing, on every trigger, without ever echoing a value.
    console.error(error.message);
    const trigger = triggerOf(event, context);
    if (trigger === 'http')
      return {
        statusCode: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'not configured',
        isBase64Encoded: false,
      };
    if (trigger === 'timer') throw error;
    return { ok: false, error: { code: 'CONFIGURATION', message: `服务未配置完成：${error.problems.join('；')}` } };
  }
  const trigger = triggerOf(event, context, current.config.timerAcceptsEmptyContext);
  if (trigger === 'http' && isHttpEvent(event)) return handleHttp(current, event);
  // Only the cloud's own timer gets here (and reads its report): never a mini-program's call.
  if (trigger === 'timer') return runMaintenance(current);
  // Server-only broker calls from the provider's other functions: the secret and SOURCE are checked inside.
  if (isBrokerCall(event)) return handleBrokerCall(current, event, context);
  // handleAction turns every failure into { ok: false, error }.
  return handleAction(current, event, context.OPENID);
}
