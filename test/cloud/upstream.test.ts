/**
 * The component-level client: callers never see the component token, a rejected one is dropped
 * and the call retried once, and a run that keeps its token reads the store only when it must.
 */
import type { Config } from '../../cloudfunctions/authorization/src/config';
import type { OpenApiClient } from '../../cloudfunctions/authorization/src/openapi/client';
import { isTokenError, OpenApiError, type ApiName } from '../../cloudfunctions/authorization/src/openapi';
import type { ComponentTokens } from '../../cloudfunctions/authorization/src/platform/componentToken';
import { PlatformRepository } from '../../cloudfunctions/authorization/src/repositories/platformRepository';
import type { Store } from '../../cloudfunctions/authorization/src/store';
import { Upstream } from '../../cloudfunctions/authorization/src/upstream';

const rejected = (api: ApiName, errcode: number) => new OpenApiError({ api, failure: 'errcode', errcode });

function setup(answers: Array<'ok' | number>) {
  let issued = 0;
  const reads: string[] = [];
  const dropped: string[] = [];
  const used: string[] = [];
  const tokens = {
    token: async () => {
      reads.push(`token-${++issued}`);
      return `token-${issued}`;
    },
    invalidate: async (token: string) => void dropped.push(token),
  } as unknown as ComponentTokens;
  const client = {
    getAuthorizerInfo: async (token: string) => {
      used.push(token);
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'ok') throw rejected('api_get_authorizer_info', answer);
      return { authorizer_info: {} };
    },
  } as unknown as OpenApiClient;
  const notes: unknown[] = [];
  const store = {
    command: { set: (value: unknown) => value },
    update: async (...args: unknown[]) => void notes.push(args),
  } as unknown as Store;
  const config = { componentAppId: 'wxcomponent' } as Config;
  const platform = new PlatformRepository(store);
  const upstream = new Upstream({ client, componentTokens: tokens, platform, config, now: () => 0 });
  return { upstream, reads, dropped, used, notes };
}

test('a rejected component token is dropped and the call retried once with a fresh one', async () => {
  const { upstream, dropped, used } = setup([40001, 'ok']);
  await upstream.component.getAuthorizerInfo('wxauthorizer');
  expect(used).toEqual(['token-1', 'token-2']);
  expect(dropped).toEqual(['token-1']);
});

test('a second rejection is the caller’s, recognised by its predicate', async () => {
  const { upstream, used } = setup([40014, 42001]);
  const error = await upstream.component.getAuthorizerInfo('wxauthorizer').catch((e: unknown) => e);
  expect(isTokenError(error)).toBe(true);
  expect(used).toHaveLength(2);
});

test('configuration errors are noted for the health page and thrown on, never retried', async () => {
  const { upstream, used, notes } = setup([61004]);
  await expect(upstream.component.getAuthorizerInfo('wxauthorizer')).rejects.toMatchObject({ errcode: 61004 });
  expect(used).toHaveLength(1);
  expect(notes).toHaveLength(1);
});

test('a client keeping its token reads it once, and after a rejection goes the usual way', async () => {
  const { upstream, reads, dropped, used } = setup(['ok', 'ok', 40001, 'ok', 'ok']);
  const run = upstream.keepingToken();
  await run.getAuthorizerInfo('a');
  await run.getAuthorizerInfo('b');
  expect(reads).toEqual(['token-1']);
  await run.getAuthorizerInfo('c');
  await run.getAuthorizerInfo('d');
  // The kept token failed: it is forgotten (not dropped from the store), a stored one is read and kept.
  expect(used).toEqual(['token-1', 'token-1', 'token-1', 'token-2', 'token-2']);
  expect(reads).toEqual(['token-1', 'token-2']);
  expect(dropped).toEqual([]);
});
