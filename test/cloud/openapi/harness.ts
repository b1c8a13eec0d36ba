/** Shared set-up for the client tests that run against the Open Platform emulator. */
import { startOpenPlatform } from '../../../emulator/open-platform';
import {
  CallRecord,
  createOpenApiClient,
  OpenApiClient,
  OpenApiClientOptions,
  OpenApiError,
} from '../../../cloudfunctions/authorization/src/openapi';

export type Emulator = Awaited<ReturnType<typeof startOpenPlatform>>;
export type EmulatorOptions = NonNullable<Parameters<typeof startOpenPlatform>[0]>;

/** Everything a test saw that must never contain a secret value. */
export class LeakWatch {
  readonly records: CallRecord[] = [];
  readonly errors: OpenApiError[] = [];
  private readonly secrets = new Set<string>();

  remember(...values: (string | undefined)[]): void {
    for (const value of values) if (value) this.secrets.add(value);
  }

  /** Texts that could reach a log: error messages, their JSON, the metrics records. */
  exposedTexts(): string[] {
    return [
      ...this.errors.flatMap((e) => [e.message, e.errmsg, JSON.stringify(e), String(e.stack)]),
      JSON.stringify(this.records),
    ];
  }

  leaks(): string[] {
    const texts = this.exposedTexts();
    return [...this.secrets].filter((secret) =>
      texts.some((text) => text.includes(secret) || text.includes(encodeURIComponent(secret))),
    );
  }

  secretCount(): number {
    return this.secrets.size;
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startOpenPlatform({ ticketPushIntervalSeconds: 0, ...options });
}

export function clientFor(op: Emulator, watch: LeakWatch, extra: Partial<OpenApiClientOptions> = {}): OpenApiClient {
  watch.remember(op.component.appSecret, extra.componentAppSecret);
  return createOpenApiClient({
    baseUrl: op.url,
    componentAppId: op.component.appId,
    componentAppSecret: op.component.appSecret,
    retry: { attempts: 3, baseDelayMs: 1 },
    timeoutMs: 2000,
    onCall: (record) => watch.records.push(record),
    ...extra,
  });
}

/** A fresh ticket from the emulator, pushed on demand. */
export async function freshTicket(op: Emulator, watch: LeakWatch): Promise<string> {
  await op.pushTicket();
  const ticket = op.latestTicket();
  if (!ticket) throw new Error('the emulator produced no ticket');
  watch.remember(ticket);
  return ticket;
}

export async function componentToken(op: Emulator, api: OpenApiClient, watch: LeakWatch): Promise<string> {
  const { component_access_token } = await api.getComponentAccessToken(await freshTicket(op, watch));
  watch.remember(component_access_token);
  return component_access_token;
}

/** Runs the merchant side of an authorization and returns the authorization code. */
export async function authorize(
  op: Emulator,
  api: OpenApiClient,
  token: string,
  authorizerAppid: string,
  watch: LeakWatch,
): Promise<string> {
  const { pre_auth_code } = await api.createPreAuthCode(token);
  const { authCode } = await op.confirmAuthorization({ preAuthCode: pre_auth_code, authorizerAppid, channel: 'plugin' });
  watch.remember(pre_auth_code, authCode);
  return authCode;
}

/** The OpenApiError a call fails with (fails the test if it succeeds or throws something else). */
export async function failureOf(promise: Promise<unknown>, watch: LeakWatch): Promise<OpenApiError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof OpenApiError)) throw outcome.error;
  watch.errors.push(outcome.error);
  return outcome.error;
}

export function accountOfKind(op: Emulator, kind: string): { appid: string } {
  const account = op.accounts.find((a) => a.kind === kind);
  if (!account) throw new Error(`the emulator has no ${kind} test account`);
  return account;
}
