/** Customer-service messages sent with an authorizer's token (`/cgi-bin/message/custom/send`). */
import type { ProductArea } from '../../shared/area';
import { registerCustomSendRoute } from './routes';

export { CUSTOM_SEND_PATH } from './routes';

export const customSendArea: ProductArea = {
  name: 'custom-send',
  register(app, { state, customMessages, authorizerApiFaults, log }) {
    registerCustomSendRoute(app, { state, records: customMessages, faults: authorizerApiFaults, log });
  },
};
