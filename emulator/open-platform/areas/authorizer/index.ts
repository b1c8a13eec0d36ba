/** APIs an account's authorizer_access_token calls (spec §15.3): 小程序码, API domain IPs, basic info. */
import type { ProductArea } from '../../shared/area';
import { registerAuthorizerApiRoutes } from './apis';

export const authorizerArea: ProductArea = {
  name: 'authorizer',
  register(app, { state, authorizerCalls, authorizerApiFaults, log }) {
    registerAuthorizerApiRoutes(app, { state, calls: authorizerCalls, faults: authorizerApiFaults, log });
  },
};
