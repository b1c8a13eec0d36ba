/**
 * Which WeChat APIs the broker serves. Component-level APIs act for the whole platform with its
 * component token, so `/broker/component/…` serves only the closed list below; and neither way
 * ever reaches an API that mints or returns a token, a refresh token or an authorization code:
 * with one of those a caller could step around the broker (a second refresher breaks "one
 * refresher", a refresh token outlives any key revocation).
 */
import { refuse } from './refusal';

/** The closed list of component-level APIs the broker serves, each with why it is safe to. */
export const COMPONENT_APIS: Readonly<Record<string, string>> = {
  '/wxa/gettemplatedraftlist': 'template library: lists the drafts uploaded from the 开发小程序',
  '/wxa/addtotemplate': 'template library: turns a draft into a template',
  '/wxa/gettemplatelist': 'template library: lists the templates',
  '/wxa/deletetemplate': 'template library: deletes a template (the library holds 200)',
  '/cgi-bin/openapi/quota/get': "reads how much of an API's daily quota the platform has left",
};

/**
 * Never proxied, by either way in, with the reason. `token`, `/broker/authorizers` and the
 * function's own records serve what these would be wanted for.
 */
export const NEVER_SERVED: Readonly<Record<string, string>> = {
  '/cgi-bin/component/api_component_token': 'mints the component token',
  '/cgi-bin/component/api_authorizer_token': 'mints an authorizer token from a refresh token',
  '/cgi-bin/component/api_query_auth': 'spends an authorization code and returns tokens',
  '/cgi-bin/component/api_create_preauthcode': 'issues pre-auth codes outside the session limits',
  '/cgi-bin/component/api_get_authorizer_list': "returns every merchant's refresh token",
  '/cgi-bin/component/api_get_authorizer_info': "returns the merchant's refresh token",
  '/cgi-bin/component/api_start_push_ticket': 'the function keeps the ticket push running itself',
  '/cgi-bin/component/fastregisterweapp': 'its outcome is an auth_code push the function does not exchange yet',
  '/cgi-bin/token': 'mints an access token from an AppSecret',
  '/cgi-bin/stable_token': 'mints an access token from an AppSecret',
  '/cgi-bin/openapi/rid/get': 'its answer holds the looked-up request URL, token included',
};

/** Prefixes of component-level APIs: never sent with a merchant's token. */
const COMPONENT_PREFIXES = ['/cgi-bin/component/', '/sns/component/', '/sns/oauth2/component/', '/wxa/component/'];
/** Under /cgi-bin/component/ but called with the merchant's token (spec §4.7, current generation). */
const AUTHORIZER_APIS_UNDER_COMPONENT = new Set([
  '/cgi-bin/component/get_authorizer_option',
  '/cgi-bin/component/set_authorizer_option',
]);

/** Lists are compared in lower case: the caller does not learn whether WeChat folds case. */
function isComponentLevel(path: string): boolean {
  if (AUTHORIZER_APIS_UNDER_COMPONENT.has(path)) return false;
  return path in COMPONENT_APIS || COMPONENT_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** A path `/broker/call/<appid>…` may take: an authorizer API, never a component-level one. */
export function checkAuthorizerApi(given: string): void {
  const path = given.toLowerCase();
  if (path in NEVER_SERVED) throw notServed(path, NEVER_SERVED[path]);
  if (isComponentLevel(path)) {
    throw refuse('API_NOT_SERVED', `${path} is a component-level API: it is not called with a merchant's token`);
  }
}

/** A path `/broker/component…` may take: only the closed list. */
export function checkComponentApi(given: string): void {
  const path = given.toLowerCase();
  if (path in NEVER_SERVED) throw notServed(path, NEVER_SERVED[path]);
  if (!(path in COMPONENT_APIS)) {
    throw refuse('API_NOT_SERVED', `${path} is not on the broker's list of component-level APIs`);
  }
}

const notServed = (path: string, why: string) => refuse('API_NOT_SERVED', `the broker does not call ${path} (${why})`);
