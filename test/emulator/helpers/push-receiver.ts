/**
 * A stand-in for a platform's 授权事件接收URL in tests: records each POST, verifies both
 * signatures and decrypts the envelope with @wecom/crypto (not with our own code), and answers
 * from a script (`answers`, then `defaultAnswer`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { urlSignature } from '../../helpers/wechat-push';

export interface ReceivedPush {
  query: Record<string, string>;
  body: string;
  /** Envelope `AppId`. */
  appId: string;
  encrypt: string;
  /** Decrypted payload and its trailer (receiveId). */
  plaintext: string;
  receiveId: string;
  fields: Record<string, string>;
  msgSignatureOk: boolean;
  signatureOk: boolean;
}

export interface ScriptedAnswer {
  status?: number;
  body?: string;
  /** Answer this late (to exceed a push deadline). */
  delayMs?: number;
}

export interface PushReceiver {
  url: string;
  received: ReceivedPush[];
  /** Consumed one per request, in order. */
  answers: (string | ScriptedAnswer)[];
  defaultAnswer: string | ScriptedAnswer;
  /** Resolves once `count` pushes have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

const parser = new XMLParser({ parseTagValue: false });

function parseXml(xml: string): Record<string, string> {
  const parsed = parser.parse(xml) as { xml?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(parsed.xml ?? {}).map(([key, value]) => [key, String(value)]));
}

function open(body: string, query: Record<string, string>, keys: { token: string; encodingAesKey: string }): ReceivedPush {
  const envelope = parseXml(body);
  const encrypt = envelope.Encrypt ?? '';
  const { message, id } = decrypt(keys.encodingAesKey, encrypt);
  return {
    query,
    body,
    appId: envelope.AppId ?? '',
    encrypt,
    plaintext: message,
    receiveId: id,
    fields: parseXml(message),
    msgSignatureOk: query.msg_signature === getSignature(keys.token, query.timestamp, query.nonce, encrypt),
    signatureOk: query.signature === urlSignature(keys.token, query.timestamp, query.nonce),
  };
}

export async function startPushReceiver(keys: { token: string; encodingAesKey: string }): Promise<PushReceiver> {
  const received: ReceivedPush[] = [];
  const waiters: { count: number; resolve: (pushes: ReceivedPush[]) => void }[] = [];
  const receiver: PushReceiver = {
    url: '',
    received,
    answers: [],
    defaultAnswer: 'success',
    waitFor(count, timeoutMs = 5000) {
      if (received.length >= count) return Promise.resolve(received.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} pushes arrived`)), timeoutMs);
        waiters.push({ count, resolve: (pushes) => (clearTimeout(timer), resolve(pushes)) });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://receiver');
      const query = Object.fromEntries(url.searchParams.entries());
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        received.push(open(body, query, keys));
      } catch (error) {
        received.push({
          query,
          body,
          appId: '',
          encrypt: '',
          plaintext: '',
          receiveId: '',
          fields: { error: (error as Error).message },
          msgSignatureOk: false,
          signatureOk: false,
        });
      }
      for (const waiter of waiters.filter((candidate) => received.length >= candidate.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(received.slice());
      }
      const scripted = receiver.answers.length > 0 ? receiver.answers.shift()! : receiver.defaultAnswer;
      const answer: ScriptedAnswer = typeof scripted === 'string' ? { body: scripted } : scripted;
      const reply = (): void => {
        if (response.destroyed) return;
        response.writeHead(answer.status ?? 200, { 'content-type': 'text/plain' });
        response.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat/auth-event`;
  return receiver;
}
