/** The local cloud's `cloud.openapi.subscribeMessage.send`: recorded, permission-checked like WeChat's cloud. */
import { createOpenApi, SubscribeMessageOutbox } from '../../../emulator/cloud/sdk/openapi';

const context = () => ({ OPENID: '', APPID: '', UNIONID: '', ENV: 'local-dev', SOURCE: 'wx_trigger' });
const message = {
  touser: 'o-merchant',
  templateId: 'tmplLapse_0001abcdEF',
  page: 'pages/accounts/index',
  data: { thing1: { value: '晨光咖啡' } },
};

function api(permitted: string[], outbox = new SubscribeMessageOutbox()) {
  return { outbox, openapi: createOpenApi({ functionName: 'authorization', permitted, outbox, now: () => 1_000, context }) };
}

test('a function whose config.json does not list the API is refused, and nothing is recorded', async () => {
  const { openapi, outbox } = api([]);
  await expect(openapi.subscribeMessage.send(message)).rejects.toMatchObject({ errCode: -604101 });
  expect(outbox.sent).toEqual([]);
});

test('a permitted send is answered ok and recorded as sent', async () => {
  const { openapi, outbox } = api(['subscribeMessage.send']);
  await expect(openapi.subscribeMessage.send(message)).resolves.toEqual({
    errCode: 0,
    errMsg: 'openapi.subscribeMessage.send:ok',
  });
  expect(outbox.sent).toEqual([{ functionName: 'authorization', ...message, at: 1_000 }]);
});

test('missing fields and malformed data are refused with 47003; planned failures are answered once each', async () => {
  const { openapi, outbox } = api(['subscribeMessage.send']);
  await expect(openapi.subscribeMessage.send({ ...message, touser: '' })).rejects.toMatchObject({ errCode: 47003 });
  await expect(openapi.subscribeMessage.send({ ...message, data: { thing1: { value: 3 } } })).rejects.toMatchObject({
    errCode: 47003,
  });
  outbox.failNext.push(43101);
  await expect(openapi.subscribeMessage.send(message)).rejects.toMatchObject({ errCode: 43101 });
  await expect(openapi.subscribeMessage.send(message)).resolves.toMatchObject({ errCode: 0 });
  expect(outbox.sent).toHaveLength(1);
});
