/** The code template library and the quota reader, called with the component token. */
import type { ProductArea } from '../../shared/area';
import { registerComponentApiRoutes } from './routes';

export const templatesArea: ProductArea = {
  name: 'templates',
  register(app, { state, templates, authorizerCalls, authorizerApiFaults, log }) {
    const deps = { state, calls: authorizerCalls, faults: authorizerApiFaults, log };
    registerComponentApiRoutes(app, deps, templates);
  },
};
