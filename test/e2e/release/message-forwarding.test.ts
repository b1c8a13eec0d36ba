/**
 * A merchant's messages on the message-and-event URL go to the provider's own message service
 * (a real HTTP server on 127.0.0.1 here): WeChat gets `success` in time whatever that service
 * does, and a passive reply of the service reaches WeChat encrypted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { DEFAULT_ACCOUNTS, openReply } from '../../../emulator/open-platform';
import { startFlowStack, type FlowStack } from '../helpers/flows-stack';
import { collection, postMessage } from '../helpers/release';

jest.setTimeout(60_000);

const MERCHANT_OA = DEFAULT_ACCOUNTS.find((a) => a.kind === 'official_account')!;
const USER = 'o-fan-of-the-merchant';
const FORWARD_TIMEOUT_MS = 500;

type Behaviour = 'no_reply' | 'reply' | 'slow';
interface Received {
  query: URLSearchParams;
  body: string;
}

let behaviour: Behaviour = 'no_reply';
const received: Received[] = [];
let provider: http.Server;
let providerPort: number;
/** The service is down: every connection is reset (it stays bound, so no other program takes its port). */
let providerDown = false;
let flow: FlowStack;

function startProvider(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ query: new URL(req.url ?? '/', 'http://x').searchParams, body: Buffer.concat(chunks).toString('utf8') });
      if (behaviour === 'slow') return void setTimeout(() => res.end('success'), 2000).unref();
      if (behaviour === 'reply') {
        return void res.end(
          `<xml><ToUserName><![CDATA[${USER}]]></ToUserName><FromUserName><![CDATA[${MERCHANT_OA.userName}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，这里是服务商]]></Content></xml>`,
        );
      }
      res.end('success');
    });
  });
  server.on('connection', (socket) => {
    if (providerDown) socket.destroy();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  provider = await startProvider();
  providerPort = (provider.address() as AddressInfo).port;
  flow = await startFlowStack({
    functionEnv: {
      MESSAGE_FORWARD_URL: `http://127.0.0.1:${providerPort}/wechat`,
      MESSAGE_FORWARD_TIMEOUT_MS: String(FORWARD_TIMEOUT_MS),
    },
  });
  const { plugin } = await flow.ok('o-merchant', 'createAuthSession', { authType: 1, channel: 'plugin' });
  await flow.stack.openPlatform.confirmAuthorization({
    preAuthCode: plugin!.preAuthCode,
    authorizerAppid: MERCHANT_OA.appid,
    channel: 'plugin',
  });
  expect(await flow.doc('authorizers', MERCHANT_OA.appid)).toMatchObject({ status: 'active' });
});
afterAll(async () => {
  await flow?.close();
  await closeProvider();
});

function closeProvider(): Promise<unknown> {
  provider.closeAllConnections();
  return new Promise((resolve) => provider.close(resolve));
}

const text = (content: string) => ({
  ToUserName: MERCHANT_OA.userName,
  FromUserName: USER,
  CreateTime: '1',
  MsgType: 'text',
  Content: content,
  MsgId: '1',
});
const send = (fields: Record<string, string>) =>
  postMessage(flow.stack.publicBaseUrl, flow.stack.openPlatform.component, { appid: MERCHANT_OA.appid, fields });

test('the service gets the decrypted message, signed with the platform token; WeChat gets success', async () => {
  behaviour = 'no_reply';
  received.length = 0;
  const answer = await send(text('你好'));
  expect(answer).toMatchObject({ status: 200, body: 'success' });
  expect(received).toHaveLength(1);
  const { query, body } = received[0];
  expect(body).toContain('<Content><![CDATA[你好]]></Content>');
  expect(query.get('appid')).toBe(MERCHANT_OA.appid);
  const token = flow.stack.functionEnv.COMPONENT_TOKEN;
  const expected = createHash('sha1')
    .update([token, query.get('timestamp')!, query.get('nonce')!].sort().join(''))
    .digest('hex');
  expect(query.get('signature')).toBe(expected);
});

test("the service's passive reply is relayed to WeChat encrypted", async () => {
  behaviour = 'reply';
  const answer = await send(text('在吗'));
  expect(answer.status).toBe(200);
  const opened = openReply(flow.stack.openPlatform.component, answer.body);
  expect(opened).toEqual({
    ok: true,
    fields: expect.objectContaining({ MsgType: 'text', Content: '您好，这里是服务商', ToUserName: USER }),
  });
});

test('a slow service: WeChat still gets success well within 5 s, and the failure is counted', async () => {
  behaviour = 'slow';
  const answer = await send(text('慢'));
  expect(answer).toMatchObject({ status: 200, body: 'success' });
  expect(answer.ms).toBeLessThan(FORWARD_TIMEOUT_MS + 1500);
});

test('events are counted by type; counts hold no content', async () => {
  behaviour = 'no_reply';
  await send({ ToUserName: MERCHANT_OA.userName, FromUserName: USER, CreateTime: '2', MsgType: 'event', Event: 'subscribe' });
  const stats = await collection(flow, 'messageStats');
  const byType = Object.fromEntries(stats.map((s) => [s.type, [s.count, s.forwardFailures]]));
  expect(byType).toEqual({ text: [3, 1], 'event.subscribe': [1, 0] });
  expect(JSON.stringify(stats)).not.toMatch(/你好|在吗|慢/);
});

test('a service that is down: WeChat gets success at once', async () => {
  providerDown = true;
  provider.closeAllConnections();
  try {
    const answer = await send(text('有人吗'));
    expect(answer).toMatchObject({ status: 200, body: 'success' });
    expect(answer.ms).toBeLessThan(FORWARD_TIMEOUT_MS + 1500);
    const stats = await collection(flow, 'messageStats');
    expect(stats.find((s) => s.type === 'text')).toMatchObject({ count: 4, forwardFailures: 2 });
  } finally {
    providerDown = false;
  }
});
