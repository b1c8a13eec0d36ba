/**
 * The callFunction way in (spec cloud-runtime §1): a mini-program can call this function with any
 * event, so broker operations rest on a named secret only the provider's backends hold
 * (BROKER_FUNCTION_SECRETS, or BROKER_SECRET, in their environment), and, second, on SOURCE
 * containing `scf` (a cloud function called us). The secret names the caller, and so its scope.
 *
 * Decision on OPENID: `wx_client,scf` (a provider function that a mini-program user invoked, which
 * then calls the broker) is accepted; the OPENID it may carry is ignored, never used as identity.
 * A SOURCE without `scf` is refused even with the right secret: the secret must never be in a
 * mini-program, and if it is, that call still does not get through.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config';
import { refuse, RevokedCaller } from './refusal';
import type { BrokerCaller } from './scope';

export interface CallerContext {
  SOURCE?: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Compares digests, so neither the length nor a prefix of the secret leaks through timing. */
export function secretMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

export function checkFunctionCaller(config: Config, presentedSecret: unknown, context: CallerContext): BrokerCaller {
  const secrets = config.brokerFunctionSecrets;
  if (secrets.length === 0) {
    throw refuse('BROKER_DISABLED', 'the broker is not enabled: set BROKER_FUNCTION_SECRETS on the authorization function');
  }
  const sources = String(context.SOURCE ?? '')
    .split(',')
    .map((s) => s.trim());
  if (!sources.includes('scf')) throw refuse('FORBIDDEN_SOURCE', "broker operations are only for the provider's cloud functions");
  // Every secret is compared, so the time taken does not say which one matched.
  const matches = secrets.filter((candidate) => secretMatches(candidate.secret, presentedSecret));
  const found = matches[0];
  if (!found) throw refuse('UNAUTHENTICATED', 'missing or wrong broker secret');
  if (found.revoked)
    throw new RevokedCaller(
      { way: 'function', id: found.id },
      `function secret "${found.id}" has been revoked; use a current one`,
    );
  return { way: 'function', id: found.id, scope: found.scope, legacyScope: found.legacyScope };
}
