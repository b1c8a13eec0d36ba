import type { ProxyResponse } from './wire';

/** WeChat's answer to a proxied call, as WeChat sent it (the token is never in it). */
export class WeChatAnswer {
  constructor(
    readonly status: number,
    readonly contentType: string,
    readonly bytes: Uint8Array,
  ) {}

  static fromWire(response: ProxyResponse): WeChatAnswer {
    const bytes =
      response.base64 !== undefined ? Buffer.from(response.base64, 'base64') : Buffer.from(response.text ?? '', 'utf8');
    return new WeChatAnswer(response.status, response.contentType, new Uint8Array(bytes));
  }

  get isJson(): boolean {
    return /^application\/json|^text\/plain/i.test(this.contentType) && this.text().trimStart().startsWith('{');
  }

  text(): string {
    return Buffer.from(this.bytes).toString('utf8');
  }

  json<T = Record<string, unknown>>(): T {
    return JSON.parse(this.text()) as T;
  }

  /** WeChat's errcode: 0 for a success (including any non-JSON answer such as an image). */
  get errcode(): number {
    if (!this.isJson) return 0;
    const code = this.json<{ errcode?: unknown }>().errcode;
    return typeof code === 'number' ? code : 0;
  }
}
