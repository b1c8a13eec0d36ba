/** Which trigger started a run: decided by the context WeChat sets, never by the event alone. */
import { triggerOf } from '../../cloudfunctions/authorization/src/trigger';

const timerEvent = { Type: 'Timer', TriggerName: 'maintenance', Time: '2026-12-03T08:00:00Z' };
const httpEvent = { path: '/wx/push', httpMethod: 'POST', body: '' };

test('only SOURCE wx_trigger is the timer', () => {
  expect(triggerOf(timerEvent, { SOURCE: 'wx_trigger' })).toBe('timer');
  expect(triggerOf({}, { SOURCE: 'wx_trigger' })).toBe('timer');
  expect(triggerOf(timerEvent, { SOURCE: 'wx_client', OPENID: 'o1' })).toBe('action');
  expect(triggerOf(timerEvent, { SOURCE: 'wx_client,scf' })).toBe('action');
  expect(triggerOf(timerEvent, { SOURCE: 'wx_trigger,scf' })).toBe('action');
  expect(triggerOf(timerEvent, {})).toBe('action');
});

test('an OPENID or a mini-program source always means an action, whatever the event looks like', () => {
  expect(triggerOf(httpEvent, { OPENID: 'o1' })).toBe('action');
  expect(triggerOf(httpEvent, { SOURCE: 'wx_client' })).toBe('action');
  expect(triggerOf(timerEvent, { SOURCE: 'wx_trigger', OPENID: 'o1' })).toBe('action');
});

test('HTTP access is an HTTP-shaped event with no user behind it', () => {
  expect(triggerOf(httpEvent, { SOURCE: 'wx_http' })).toBe('http');
  expect(triggerOf(httpEvent, {})).toBe('http');
  expect(triggerOf({ action: 'getAppConfig' }, { SOURCE: 'wx_http' })).toBe('action');
});

test('TIMER_ACCEPTS_EMPTY_CONTEXT also takes a Timer event with an empty context, and nothing else', () => {
  expect(triggerOf(timerEvent, {}, true)).toBe('timer');
  expect(triggerOf({ Type: 'timer', TriggerName: 'x' }, {}, true)).toBe('action');
  expect(triggerOf(timerEvent, { SOURCE: 'wx_client' }, true)).toBe('action');
  expect(triggerOf(timerEvent, { OPENID: 'o1' }, true)).toBe('action');
});
