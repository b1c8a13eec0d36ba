import { RUNTIME } from '../config/runtime';
import { createBackend, type Backend, type Transport } from './backend';
import { cloudTransport } from './cloudTransport';

/**
 * The backend all pages share. Local mode loads `dev/` lazily so that production code never
 * runs it (and `dev/` is not uploaded at all).
 */
function pickTransport(): Transport {
  if (RUNTIME.mode === 'local') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- dev/ loads only in local mode
    return (require('../dev/localTransport') as typeof import('../dev/localTransport')).localTransport;
  }
  return cloudTransport;
}

let shared: Backend | undefined;

export function backend(): Backend {
  shared ??= createBackend(pickTransport());
  return shared;
}

export { BackendError, errorMessage } from './backend';
