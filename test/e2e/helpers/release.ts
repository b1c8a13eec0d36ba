/**
 * Shared by the release tests (test/e2e/release): the local stack, the rehearsal with the local
 * pre_auth_code trigger, reads of the issue-11 collections, and a man in the middle that turns a
 * correct platform into one that answers late or wrongly, without touching the function.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import type { ComponentConfig, RehearsalItem, RehearsalOptions, RehearsalReport } from '../../../emulator/open-platform';
import { preAuthCodeRequester } from '../../../scripts/release/rehearsal';
import { COLLECTIONS } from '../../../cloudfunctions/authorization/src/store';
import type { FlowStack } from './flows-stack';

export function rehearseOn(
  flow: FlowStack,
  options: Omit<RehearsalOptions, 'requestPreAuthCode'> = {},
): Promise<RehearsalReport> {
  return flow.stack.openPlatform.rehearse({ ...options, requestPreAuthCode: preAuthCodeRequester(flow.stack) });
}

export type ReleaseCollection =
  'messageStats' | 'releaseTestAccounts' | 'releaseJobs' | 'authorizers' | 'authorizerTokens' | 'authCodes';

export async function collection(flow: FlowStack, name: ReleaseCollection): Promise<Record<string, unknown>[]> {
  const { data } = await flow.stack.cloud.db.collection(COLLECTIONS[name]).where({}).limit(1000).get();
  return data;
}

export function itemOf(report: RehearsalReport, appid: string, name: RehearsalItem['name']): RehearsalItem {
  const test = report.tests.find((t) => t.appid === appid);
  const item = test?.items.find((i) => i.name === name);
  if (!item) throw new Error(`no item ${name} for ${appid}`);
  return item;
}

/** What the man in the middle does with one message, by its decrypted Content. */
export type Tamper = (
  content: string,
) => { delayMs?: number; replaceBody?: (original: string) => string; answerWithoutForwarding?: string } | undefined;

export interface Middleman {
  url: string;
  close(): Promise<void>;
}

/**
 * Stands between WeChat (the emulator) and the message URL (`target` = PUBLIC_BASE_URL): decrypts each message to see its
 * content, forwards it unchanged, and delays or rewrites the answer as `tamper` says.
 */
export async function startMiddleman(component: ComponentConfig, target: string, tamper: Tamper): Promise<Middleman> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const encrypted = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(body)?.[1] ?? '';
      const content =
        /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(decrypt(component.encodingAesKey, encrypted).message)?.[1] ?? '';
      const plan = tamper(content) ?? {};
      const answer =
        plan.answerWithoutForwarding !== undefined
          ? Promise.resolve({ status: 200, body: plan.answerWithoutForwarding })
          : relay(target, req.url ?? '/', body);
      void answer.then(async (original) => {
        if (plan.delayMs) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
        res
          .writeHead(original.status, { 'content-type': 'text/plain' })
          .end(plan.replaceBody ? plan.replaceBody(original.body) : original.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function relay(target: string, pathAndQuery: string, body: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${target}${pathAndQuery}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  return { status: response.status, body: await response.text() };
}

/** An encrypted passive text reply as a platform would build it: valid, but saying `content`. */
export function sealedTextReply(component: ComponentConfig, to: string, from: string, content: string): string {
  const xml = `<xml><ToUserName><![CDATA[${to}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content></xml>`;
  const ciphertext = encrypt(component.encodingAesKey, xml, component.appId);
  const signature = getSignature(component.token, '1', '2', ciphertext);
  return `<xml><Encrypt><![CDATA[${ciphertext}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>1</TimeStamp><Nonce><![CDATA[2]]></Nonce></xml>`;
}

export interface RawMessage {
  appid: string;
  /** Decrypted payload fields (ToUserName, FromUserName, MsgType, Content…). */
  fields: Record<string, string>;
  /** Sealing: defaults are the platform's own keys. */
  encodingAesKey?: string;
  trailerAppId?: string;
  token?: string;
  envelopeTo?: string;
  /** Replaces the computed msg_signature. */
  msgSignature?: string;
}

/** Posts a message to `…/message/<appid>` sealed as WeChat would, or with one thing wrong. */
export async function postMessage(
  baseUrl: string,
  component: ComponentConfig,
  message: RawMessage,
): Promise<{ status: number; body: string; ms: number }> {
  const xml = `<xml>${Object.entries(message.fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
  const ciphertext = encrypt(message.encodingAesKey ?? component.encodingAesKey, xml, message.trailerAppId ?? component.appId);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = '1234567';
  const url = new URL(`${baseUrl}/message/${message.appid}`);
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('openid', message.fields.FromUserName ?? '');
  url.searchParams.set('encrypt_type', 'aes');
  url.searchParams.set(
    'msg_signature',
    message.msgSignature ?? getSignature(message.token ?? component.token, timestamp, nonce, ciphertext),
  );
  const body = `<xml><ToUserName><![CDATA[${message.envelopeTo ?? message.fields.ToUserName ?? ''}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`;
  const started = Date.now();
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  return { status: response.status, body: await response.text(), ms: Date.now() - started };
}
