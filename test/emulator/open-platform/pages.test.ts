import {
  CONFIRM_PATH,
  DEFAULT_ACCOUNTS,
  startOpenPlatform,
  type OpenPlatformEmulator,
  type TestAccount,
} from '../../../emulator/open-platform';
import {
  callApi,
  CHANNELS,
  componentToken,
  MINI_GAME,
  MINI_PROGRAM,
  preAuthCode,
  request,
  SALES_ASSISTANT,
  SERVICE_OA,
  STORE,
  SUBSCRIPTION_OA,
  type HttpAnswer,
} from './support';

const CALLBACK = 'https://platform.example.com/wechat/callback';

function unescapeHtml(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

const listedAccounts = (html: string): string[] =>
  [...html.matchAll(/name="authorizer_appid" value="([^"]+)"/g)].map((m) => m[1]);
const offeredSets = (html: string, appid: string): number[] =>
  [...html.matchAll(new RegExp(`id="func-${appid}-(\\d+)"`, 'g'))].map((m) => Number(m[1]));
const errorCode = (html: string): string | undefined => /data-error-code="([^"]+)"/.exec(html)?.[1];
const hiddenFields = (html: string): [string, string][] =>
  [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], unescapeHtml(m[2])]);

describe('merchant authorization pages', () => {
  let emu: OpenPlatformEmulator;
  let token: string;

  beforeEach(async () => {
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0 });
    token = await componentToken(emu);
  });
  afterEach(() => emu.close());

  const pcUrl = (params: Record<string, string | undefined>, raw = ''): string => {
    const url = new URL('/cgi-bin/componentloginpage', emu.url);
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return url.href + raw;
  };
  const linkParams = async (extra: Record<string, string | undefined> = {}) => ({
    component_appid: emu.component.appId,
    pre_auth_code: await preAuthCode(emu, token),
    redirect_uri: CALLBACK,
    ...extra,
  });
  const openPc = async (
    extra: Record<string, string | undefined> = {},
    headers: Record<string, string> = {},
    raw = '',
  ): Promise<HttpAnswer> => request('GET', pcUrl(await linkParams(extra), raw), { headers });

  /** Submits the page's form as a browser would, with the first listed account unless told otherwise. */
  const submit = (html: string, choice: { appid?: string; funcIds?: number[] } = {}): Promise<HttpAnswer> => {
    const form = new URLSearchParams(hiddenFields(html));
    const appid = choice.appid ?? listedAccounts(html)[0];
    form.set('authorizer_appid', appid);
    for (const id of choice.funcIds ?? offeredSets(html, appid)) form.append('func_id', String(id));
    return request('POST', new URL(CONFIRM_PATH, emu.url).href, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  };

  it('renders a Chinese page with the simulated scan, radios, checked boxes and a confirm button', async () => {
    const page = await openPc({ auth_type: '3' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('模拟扫码');
    expect(page.body).toContain('id="confirm"');
    expect(page.body).toContain(`action="${CONFIRM_PATH}"`);
    expect(page.body).toMatch(/<input type="checkbox" name="func_id" value="1" id="func-wx8c41f2a9e6d07b13-1" checked>/);
    expect(page.body).toContain('data-channel="pc"');
  });

  it.each([
    ['1', [SERVICE_OA, SUBSCRIPTION_OA]],
    ['2', [MINI_PROGRAM, MINI_GAME, STORE]],
    ['3', [SERVICE_OA, SUBSCRIPTION_OA, MINI_PROGRAM, MINI_GAME, STORE]],
    ['4', []],
    ['5', [CHANNELS]],
    ['6', [SERVICE_OA, SUBSCRIPTION_OA, MINI_PROGRAM, MINI_GAME, CHANNELS, STORE]],
    ['8', [SALES_ASSISTANT]],
    [undefined, [SERVICE_OA, SUBSCRIPTION_OA, MINI_PROGRAM, MINI_GAME, STORE]],
  ])('auth_type=%s lists the right kinds of account', async (authType, expected) => {
    const page = await openPc({ auth_type: authType });
    expect(errorCode(page.body)).toBeUndefined();
    expect(listedAccounts(page.body).sort()).toEqual([...expected].sort());
    if (expected.length === 0) expect(page.body).toContain('id="no-accounts"');
  });

  it('refuses auth_type 7', async () => {
    expect(errorCode((await openPc({ auth_type: '7' })).body)).toBe('invalid_auth_type');
  });

  it('lets biz_appid win over auth_type and refuses an unknown one', async () => {
    const page = await openPc({ auth_type: '1', biz_appid: MINI_PROGRAM });
    expect(listedAccounts(page.body)).toEqual([MINI_PROGRAM]);
    expect(offeredSets(page.body, MINI_PROGRAM)).toEqual([17, 18, 19, 25, 30, 31, 40, 49, 52, 65, 70, 71]);
    expect(errorCode((await openPc({ auth_type: '1', biz_appid: 'wx0000000000000000' })).body)).toBe('unknown_biz_appid');
  });

  it('narrows the offered sets with category_id_list, bar-separated or %7C-encoded, ignoring unknown ids', async () => {
    const literal = await openPc({ auth_type: '1' }, {}, '&category_id_list=1|4|999');
    expect(offeredSets(literal.body, SERVICE_OA)).toEqual([1, 4]);
    expect(offeredSets(literal.body, SUBSCRIPTION_OA)).toEqual([1]);
    const encoded = await openPc({ auth_type: '1' }, {}, '&category_id_list=1%7C4');
    expect(offeredSets(encoded.body, SERVICE_OA)).toEqual([1, 4]);
    const doubleEncoded = await openPc({ auth_type: '1' }, {}, '&category_id_list=1%257C4');
    expect(offeredSets(doubleEncoded.body, SERVICE_OA)).toEqual([1, 4]);
    const unknownOnly = await openPc({ auth_type: '1' }, {}, '&category_id_list=999');
    expect(offeredSets(unknownOnly.body, SERVICE_OA)).toEqual([1, 2, 3, 4, 7, 11, 15, 24, 54, 89]);
  });

  it('shows an error page for a wrong component_appid and a bad redirect_uri', async () => {
    expect(errorCode((await openPc({ component_appid: 'wx0000000000000000' })).body)).toBe('invalid_component_appid');
    expect(errorCode((await openPc({ redirect_uri: undefined })).body)).toBe('invalid_redirect_uri');
    expect(errorCode((await openPc({ redirect_uri: '/relative/callback' })).body)).toBe('invalid_redirect_uri');
    expect(errorCode((await openPc({ redirect_uri: 'ftp://platform.example.com/cb' })).body)).toBe('invalid_redirect_uri');
  });

  it('shows an error page for unknown, used and expired pre_auth_codes', async () => {
    const params = await linkParams({ auth_type: '1' });
    expect(errorCode((await request('GET', pcUrl({ ...params, pre_auth_code: 'preauthcode@@@nope' }))).body)).toBe(
      'invalid_pre_auth_code',
    );
    const page = await request('GET', pcUrl(params));
    expect((await submit(page.body)).status).toBe(302);
    expect(errorCode((await request('GET', pcUrl(params))).body)).toBe('pre_auth_code_used');
    const again = await submit(page.body);
    expect(errorCode(again.body)).toBe('pre_auth_code_used');

    const stale = await linkParams();
    emu.clock.advance(600);
    expect(errorCode((await request('GET', pcUrl(stale))).body)).toBe('pre_auth_code_expired');
  });

  describe('confirming', () => {
    it('redirects with auth_code and expires_in=3600, pushes `authorized`, and the code exchanges', async () => {
      const params = await linkParams({ auth_type: '2' });
      const page = await request('GET', pcUrl(params));
      const answer = await submit(page.body, { appid: MINI_PROGRAM, funcIds: [17, 18] });
      expect(answer.status).toBe(302);
      const location = new URL(answer.headers.location!);
      expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
      const authCode = location.searchParams.get('auth_code')!;
      expect(authCode).toMatch(/^queryauthcode@@@[A-Za-z0-9_-]{86}$/);
      expect(location.searchParams.get('expires_in')).toBe('3600');
      expect(answer.headers.location).toMatch(/\?auth_code=queryauthcode@@@[A-Za-z0-9_-]{86}&expires_in=3600$/);

      await waitUntil(() => emu.pushes.some((push) => push.infoType === 'authorized'));
      const push = emu.pushes.find((candidate) => candidate.infoType === 'authorized')!;
      expect(push.fields).toMatchObject({
        AuthorizerAppid: MINI_PROGRAM,
        AuthorizationCode: authCode,
        PreAuthCode: params.pre_auth_code,
      });

      const exchanged = await callApi(
        emu,
        'api_query_auth',
        { component_appid: emu.component.appId, authorization_code: authCode },
        { component_access_token: token },
      );
      expect(
        exchanged.authorization_info.func_info.map((f: { funcscope_category: { id: number } }) => f.funcscope_category.id),
      ).toEqual([17, 18]);
    });

    it('appends with & when redirect_uri already has a query, keeping it intact', async () => {
      const page = await openPc({ auth_type: '1', redirect_uri: `${CALLBACK}?session=s%201&from=pc` });
      const answer = await submit(page.body);
      expect(answer.headers.location).toMatch(
        /^https:\/\/platform\.example\.com\/wechat\/callback\?session=s%201&from=pc&auth_code=queryauthcode@@@[A-Za-z0-9_-]+&expires_in=3600$/,
      );
    });

    it('refuses an account outside the link, sets outside the offer, and an empty selection', async () => {
      const page = await openPc({ auth_type: '1', category_id_list: '1|2' });
      expect(errorCode((await submit(page.body, { appid: MINI_PROGRAM, funcIds: [17] })).body)).toBe('account_not_eligible');
      expect(errorCode((await submit(page.body, { appid: SERVICE_OA, funcIds: [1, 4] })).body)).toBe('invalid_func_ids');
      expect(errorCode((await submit(page.body, { appid: SERVICE_OA, funcIds: [] })).body)).toBe('no_func_ids');
      const ok = await submit(page.body, { appid: SERVICE_OA, funcIds: [2] });
      expect(ok.status).toBe(302);
      expect(emu.authorizations()).toEqual([{ authorizerAppid: SERVICE_OA, funcIds: [2], authTime: expect.any(Number) }]);
    });

    it('marks an already-authorized account on the next page', async () => {
      await submit((await openPc({ auth_type: '1' })).body, { appid: SERVICE_OA });
      const page = await openPc({ auth_type: '1' });
      expect(page.body).toContain(`data-appid="${SERVICE_OA}" data-kind="official_account" data-authorized="true"`);
      expect(page.body).toContain(`data-appid="${SUBSCRIPTION_OA}" data-kind="official_account" data-authorized="false"`);
    });
  });

  describe('initiation domain (PC Referer check)', () => {
    const DOMAIN = 'platform.example.com';
    beforeEach(() => emu.setInitiationDomain(DOMAIN));

    it('refuses a link opened without a Referer, with WeChat’s message', async () => {
      const page = await openPc({ auth_type: '1' });
      expect(errorCode(page.body)).toBe('initiation_domain');
      expect(page.body).toContain('请确认授权入口页所在域名，与授权后回调页所在域名相同');
      expect(page.body).toContain('授权入口页所在域名：空');
    });

    it('refuses a Referer from another domain, naming it', async () => {
      const page = await openPc({ auth_type: '1' }, { referer: 'https://evil.example.net/start' });
      expect(errorCode(page.body)).toBe('initiation_domain');
      expect(page.body).toContain('授权入口页所在域名：evil.example.net');
    });

    it('accepts a Referer on the domain, unless redirect_uri is elsewhere', async () => {
      const referer = { referer: 'https://platform.example.com/wechat/entry?s=1' };
      const page = await openPc({ auth_type: '1' }, referer);
      expect(listedAccounts(page.body)).toEqual([SERVICE_OA, SUBSCRIPTION_OA]);
      const elsewhere = await openPc({ auth_type: '1', redirect_uri: 'https://other.example.org/cb' }, referer);
      expect(errorCode(elsewhere.body)).toBe('initiation_domain');
      expect(elsewhere.body).toContain('other.example.org');
    });

    it('compares the port when the domain names one', async () => {
      emu.setInitiationDomain('127.0.0.1:9000');
      const redirect = 'http://127.0.0.1:9000/cb';
      expect(
        listedAccounts((await openPc({ redirect_uri: redirect }, { referer: 'http://127.0.0.1:9000/entry' })).body),
      ).not.toEqual([]);
      expect(errorCode((await openPc({ redirect_uri: redirect }, { referer: 'http://127.0.0.1:9001/entry' })).body)).toBe(
        'initiation_domain',
      );
    });

    it('does not check the Referer on the H5 page, but does check redirect_uri', async () => {
      const h5 = async (path: string, redirect = CALLBACK) => {
        const url = new URL(path, emu.url);
        const params = await linkParams({ action: 'bindcomponent', no_scan: '1', auth_type: '5', redirect_uri: redirect });
        for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
        return request('GET', url.href);
      };
      const current = await h5('/wxaopen/safe/bindcomponent');
      expect(listedAccounts(current.body)).toEqual([CHANNELS]);
      expect(current.body).toContain('data-channel="h5"');
      expect(listedAccounts((await h5('/safe/bindcomponent')).body)).toEqual([CHANNELS]);
      expect(errorCode((await h5('/safe/bindcomponent', 'https://other.example.org/cb')).body)).toBe('initiation_domain');

      const confirmed = await submit(current.body);
      expect(confirmed.status).toBe(302);
      expect(confirmed.headers.location).toMatch(/^https:\/\/platform\.example\.com\/wechat\/callback\?auth_code=/);
    });
  });

  it('lists custom fixtures: a promoter for auth_type 4, never a frozen account', async () => {
    const base = DEFAULT_ACCOUNTS[0];
    const frozen: TestAccount = {
      ...base,
      appid: 'wx00000000000000f1',
      userName: 'gh_00000000f001',
      nickName: '已冻结的服务号',
      accountStatus: 19,
    };
    const promoter: TestAccount = {
      ...base,
      appid: 'wx00000000000000a4',
      userName: 'gh_00000000a004',
      kind: 'promoter',
      nickName: '推客联盟',
      grantableFuncIds: [17],
    };
    await emu.close();
    emu = await startOpenPlatform({ ticketPushIntervalSeconds: 0, accounts: [...DEFAULT_ACCOUNTS, frozen, promoter] });
    token = await componentToken(emu);
    expect(listedAccounts((await openPc({ auth_type: '1' })).body)).toEqual([SERVICE_OA, SUBSCRIPTION_OA]);
    expect(errorCode((await openPc({ biz_appid: frozen.appid })).body)).toBe('unknown_biz_appid');
    expect(listedAccounts((await openPc({ auth_type: '4' })).body)).toEqual([promoter.appid]);
  });

  it('requires action=bindcomponent on the H5 page', async () => {
    const url = new URL('/wxaopen/safe/bindcomponent', emu.url);
    for (const [name, value] of Object.entries(await linkParams())) url.searchParams.set(name, value);
    expect(errorCode((await request('GET', url.href)).body)).toBe('invalid_action');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
