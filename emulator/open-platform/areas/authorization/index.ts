/**
 * Component and authorization APIs (spec §2.2, §4): the seven `/cgi-bin/component/api_*` calls a
 * platform makes with its own credentials, behind their pipeline of faults, IPs, quotas and token.
 */
import type { ProductArea } from '../../shared/area';
import { createHandlers } from './handlers';
import { registerApiRoutes } from './pipeline';

export const authorizationArea: ProductArea = {
  name: 'authorization',
  register(app, { state, flows, faults, quota, calls, ipAllowList, log }) {
    registerApiRoutes(app, { state, handlers: createHandlers(state, flows), faults, quota, calls, ipAllowList, log });
  },
};
