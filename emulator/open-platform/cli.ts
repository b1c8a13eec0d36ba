/**
 * Runs the Open Platform emulator on its own:
 *   npx tsx emulator/open-platform/cli.ts --port 8090 [--auth-event-url URL] [--initiation-domain HOST[:PORT]]
 * Flags win over environment variables; secrets are read but never printed.
 */
import { parseArgs } from 'node:util';
import { accountTypeLabel, startOpenPlatform, type ComponentConfig, type OpenPlatformOptions } from './index';

const HELP = `WeChat Open Platform emulator

Flags (environment variable in brackets):
  --host HOST                  listen address, default 127.0.0.1        [OPEN_PLATFORM_HOST]
  --port PORT                  default 8090; 0 = any free port          [OPEN_PLATFORM_PORT]
  --auth-event-url URL         授权事件接收URL, where pushes go          [AUTH_EVENT_URL]
  --initiation-domain HOST     授权发起页域名 host[:port]; unset = no check [INITIATION_DOMAIN]
  --message-url URL            消息与事件接收URL with $APPID$            [MESSAGE_URL]
  --unreleased                 before 全网发布: only --test-list accounts may authorize [UNRELEASED=1]
  --test-list gh_A;gh_B        授权测试公众号/小程序列表 (原始IDs, up to 10) [TEST_LIST]
  --ticket-interval SECONDS    ticket push period, default 600; 0 = on demand [TICKET_PUSH_INTERVAL_SECONDS]
  --ip-allow-list A,B          caller IPs allowed (else 61004); unset = off [IP_ALLOW_LIST]
  --rotate-refresh-token       api_authorizer_token returns a new refresh token [ROTATE_REFRESH_TOKEN=1]
  --quiet                      no request/push log lines
Platform credentials (defaults: DEFAULT_COMPONENT in emulator/open-platform/state/fixtures.ts):
  [COMPONENT_APPID] [COMPONENT_APPSECRET] [COMPONENT_TOKEN] [COMPONENT_ENCODING_AES_KEY]
`;

function readOptions(): { options: OpenPlatformOptions; quiet: boolean } | undefined {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'auth-event-url': { type: 'string' },
      'initiation-domain': { type: 'string' },
      'message-url': { type: 'string' },
      unreleased: { type: 'boolean' },
      'test-list': { type: 'string' },
      'ticket-interval': { type: 'string' },
      'ip-allow-list': { type: 'string' },
      'rotate-refresh-token': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  const allowList = values['ip-allow-list'] ?? fromEnv('IP_ALLOW_LIST');
  const options: OpenPlatformOptions = {
    host: values.host ?? fromEnv('OPEN_PLATFORM_HOST') ?? '127.0.0.1',
    port: Number(values.port ?? fromEnv('OPEN_PLATFORM_PORT') ?? 8090),
    component: componentFrom(values),
    ticketPushIntervalSeconds: Number(values['ticket-interval'] ?? fromEnv('TICKET_PUSH_INTERVAL_SECONDS') ?? 600),
    ipAllowList: allowList
      ? allowList
          .split(',')
          .map((ip) => ip.trim())
          .filter(Boolean)
      : undefined,
    rotateRefreshToken: values['rotate-refresh-token'] ?? fromEnv('ROTATE_REFRESH_TOKEN') === '1',
  };
  return { options, quiet: values.quiet ?? false };
}

/** An environment variable; set but empty counts as unset. */
function fromEnv(name: string): string | undefined {
  return process.env[name] || undefined;
}

/** Only what is set, so the emulator's defaults fill the rest. */
function componentFrom(values: {
  'auth-event-url'?: string;
  'initiation-domain'?: string;
  'message-url'?: string;
  unreleased?: boolean;
  'test-list'?: string;
}): Partial<ComponentConfig> {
  const component: Partial<ComponentConfig> = {
    appId: fromEnv('COMPONENT_APPID'),
    appSecret: fromEnv('COMPONENT_APPSECRET'),
    token: fromEnv('COMPONENT_TOKEN'),
    encodingAesKey: fromEnv('COMPONENT_ENCODING_AES_KEY'),
    authEventUrl: values['auth-event-url'] ?? fromEnv('AUTH_EVENT_URL'),
    initiationDomain: values['initiation-domain'] ?? fromEnv('INITIATION_DOMAIN'),
    messageUrl: values['message-url'] ?? fromEnv('MESSAGE_URL'),
    released: values.unreleased || fromEnv('UNRELEASED') === '1' ? false : undefined,
    testList: (values['test-list'] ?? fromEnv('TEST_LIST'))
      ?.split(/[;,]/)
      .map((id) => id.trim())
      .filter(Boolean),
  };
  return Object.fromEntries(Object.entries(component).filter(([, value]) => value !== undefined));
}

async function main(): Promise<void> {
  const read = readOptions();
  if (!read) return;
  const log = (line: string): void => void process.stdout.write(`[open-platform] ${line}\n`);
  const emulator = await startOpenPlatform({ ...read.options, log: read.quiet ? undefined : log });
  const { url, component } = emulator;
  const link = `component_appid=${component.appId}&pre_auth_code=<api_create_preauthcode>&redirect_uri=<encoded callback URL>&auth_type=3`;
  process.stdout.write(
    [
      `WeChat Open Platform emulator listening on ${url}`,
      `  component appid:     ${component.appId} (secret, token, EncodingAESKey: not printed; see --help)`,
      `  component APIs:      ${url}/cgi-bin/component/<api_component_token|api_create_preauthcode|...>`,
      `  PC link:             ${url}/cgi-bin/componentloginpage?${link}`,
      `  H5 link:             ${url}/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&${link}#wechat_redirect`,
      `  admin API:           ${url}/__emulator/info`,
      `  pushes go to:        ${component.authEventUrl ?? '(not set: --auth-event-url or POST /__emulator/config)'}`,
      `  initiation domain:   ${component.initiationDomain ?? '(not set: Referer check off)'}`,
      `  test accounts:`,
      ...emulator.accounts.map((account) => `    ${account.appid}  ${accountTypeLabel(account)}  ${account.nickName}`),
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`open-platform emulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
