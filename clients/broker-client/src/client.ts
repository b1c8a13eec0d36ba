import type { WeChatAnswer } from './answer';
import type { ShipClient } from './shipClient';
import type { AuthorizerPage, IssuedToken, ProxyRequest } from './wire';

/** What a caller can ask of the broker, whichever way in it uses. */
export interface BrokerClient {
  /** A fresh authorizer_access_token and its expiry. */
  token(appid: string): Promise<IssuedToken>;
  /** Tell the broker WeChat rejected this token (40001/42001/40014); true when it was dropped. */
  reportRejected(appid: string, accessToken: string, errcode: number): Promise<boolean>;
  /** Calls a WeChat API for the authorizer; the broker adds its token and retries once on 40001/40014/42001. */
  call(appid: string, request: ProxyRequest): Promise<WeChatAnswer>;
  /** Calls a component-level API with the platform's component token. */
  componentCall(request: ProxyRequest): Promise<WeChatAnswer>;
  listAuthorizers(page?: { after?: string; limit?: number }): Promise<AuthorizerPage>;
  /** Release jobs that ship the template to every merchant (scope: `ship`, appids "*"). */
  readonly ship: ShipClient;
}
