/**
 * 全网发布 (spec §11): WeChat's test accounts, the release switch and test list, messages to the
 * 消息与事件接收URL, the rehearsal of WeChat's test, and their `/__emulator/release…` routes.
 */
import type { ProductArea } from '../../shared/area';
import { registerReleaseRoutes } from './routes';

export const releaseArea: ProductArea = { name: 'release', register: registerReleaseRoutes };
