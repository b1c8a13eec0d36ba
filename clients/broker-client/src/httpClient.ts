import { WeChatAnswer } from './answer';
import type { BrokerClient } from './client';
import { BrokerError } from './errors';
import { shipClientOf, type ShipClient } from './shipClient';
import { canonicalQuery, newNonce, sign } from './signing';
import {
  BROKER_ERROR_HEADER,
  HTTP_ROUTES,
  SIGNATURE_HEADERS,
  type AuthorizerPage,
  type BrokerErrorBody,
  type IssuedToken,
  type ProxyRequest,
} from './wire';

export interface HttpClientOptions {
  /** The function's PUBLIC_BASE_URL, e.g. https://example.com/wx */
  baseUrl: string;
  /** The client key's id and secret, as configured in BROKER_CLIENT_KEYS. */
  keyId: string;
  secret: string;
  /** Default: the global fetch (Node 18+). */
  fetch?: typeof fetch;
  /** Default Date.now; the signature carries this time. */
  now?: () => number;
  /** Default 15 s. */
  timeoutMs?: number;
}

interface Outgoing {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: Uint8Array;
  contentType?: string;
}

const EMPTY = new Uint8Array(0);

/** The broker from a server outside WeChat's cloud: signed HTTP requests to the function. */
export class BrokerHttpClient implements BrokerClient {
  private readonly baseUrl: string;
  readonly ship: ShipClient;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // POST /broker/ship/<action>, the rest of the input as the JSON body.
    this.ship = shipClientOf(({ action, ...body }) => this.jsonOp(`${HTTP_ROUTES.ship}/${action}`, body));
  }

  async token(appid: string): Promise<IssuedToken> {
    return this.jsonOp(HTTP_ROUTES.token, { appid });
  }

  async reportRejected(appid: string, accessToken: string, errcode: number): Promise<boolean> {
    return (await this.jsonOp<{ invalidated: boolean }>(HTTP_ROUTES.reportRejected, { appid, accessToken, errcode })).invalidated;
  }

  async call(appid: string, request: ProxyRequest): Promise<WeChatAnswer> {
    return this.proxied(`${HTTP_ROUTES.call}/${encodeURIComponent(appid)}${request.path}`, request);
  }

  async componentCall(request: ProxyRequest): Promise<WeChatAnswer> {
    return this.proxied(`${HTTP_ROUTES.componentCall}${request.path}`, request);
  }

  async listAuthorizers(page: { after?: string; limit?: number } = {}): Promise<AuthorizerPage> {
    const query: Record<string, string> = {};
    if (page.after !== undefined) query.after = page.after;
    if (page.limit !== undefined) query.limit = String(page.limit);
    const response = await this.send({ method: 'GET', path: HTTP_ROUTES.listAuthorizers, query });
    return (await this.readJson(response)) as AuthorizerPage;
  }

  private async jsonOp<T>(path: string, input: unknown): Promise<T> {
    const body = new TextEncoder().encode(JSON.stringify(input));
    const response = await this.send({ method: 'POST', path, body, contentType: 'application/json' });
    return (await this.readJson(response)) as T;
  }

  private async proxied(path: string, request: ProxyRequest): Promise<WeChatAnswer> {
    const { body, contentType } = requestBody(request);
    const response = await this.send({ method: request.method, path, query: request.query, body, contentType });
    if (response.headers.get(BROKER_ERROR_HEADER)) await this.readJson(response);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return new WeChatAnswer(response.status, response.headers.get('content-type') ?? '', bytes);
  }

  private async send(outgoing: Outgoing): Promise<Response> {
    const { keyId, secret } = this.options;
    const query = outgoing.query ?? {};
    const body = outgoing.body ?? EMPTY;
    const timestamp = Math.floor((this.options.now ?? Date.now)() / 1000);
    const nonce = newNonce();
    const signature = sign(secret, { method: outgoing.method, path: outgoing.path, query, timestamp, nonce, body });
    const search = canonicalQuery(query);
    const headers: Record<string, string> = {
      [SIGNATURE_HEADERS.key]: keyId,
      [SIGNATURE_HEADERS.timestamp]: String(timestamp),
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: signature,
    };
    if (outgoing.contentType) headers['content-type'] = outgoing.contentType;
    try {
      return await (this.options.fetch ?? fetch)(`${this.baseUrl}${outgoing.path}${search ? `?${search}` : ''}`, {
        method: outgoing.method,
        headers,
        body: outgoing.method === 'GET' ? undefined : body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new BrokerError({
        code: 'TRANSPORT',
        message: `request failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** The answer of a broker operation, or its refusal as a BrokerError. */
  private async readJson(response: Response): Promise<unknown> {
    const text = await response.text();
    let parsed: { data?: unknown; error?: BrokerErrorBody };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new BrokerError({ code: 'TRANSPORT', message: `HTTP ${response.status}: the answer is not the broker's` });
    }
    if (parsed.error) throw new BrokerError(parsed.error);
    if (!response.ok || !('data' in parsed))
      throw new BrokerError({ code: 'TRANSPORT', message: `HTTP ${response.status}: unexpected answer` });
    return parsed.data;
  }
}

function requestBody(request: ProxyRequest): { body?: Uint8Array; contentType?: string } {
  if (request.body)
    return { body: new Uint8Array(Buffer.from(request.body.base64, 'base64')), contentType: request.body.contentType };
  if (request.json !== undefined)
    return { body: new TextEncoder().encode(JSON.stringify(request.json)), contentType: 'application/json' };
  return {};
}
