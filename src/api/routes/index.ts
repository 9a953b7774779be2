/**
 * The route modules. Each is `(router, deps) => void` and adds its endpoints; the daemon
 * registers the list below. Containers, exec, build and volumes come as further modules.
 */
import type { RouteModule } from '../server/index.js';
import type { ApiDeps } from './deps.js';
import { systemRoutes } from './system.js';
import { imageRoutes } from './images.js';
import { imageArchiveRoutes } from './image-archive.js';
import { eventRoutes } from './events.js';
import { authRoutes } from './auth.js';
import { containerRoutes } from './containers.js';
import { execRoutes } from './execs.js';
import { volumeRoutes } from './volumes.js';
import { buildRoutes } from './build.js';

export type { ApiDeps, SystemFacts, ContainerCounts } from './deps.js';
export { systemRoutes, imageRoutes, imageArchiveRoutes, eventRoutes, authRoutes, containerRoutes, execRoutes, volumeRoutes, buildRoutes };
export { repoTagReference } from './images.js';

export const defaultRouteModules: RouteModule<ApiDeps>[] = [
  systemRoutes, imageRoutes, imageArchiveRoutes, eventRoutes, authRoutes, containerRoutes, execRoutes, volumeRoutes, buildRoutes,
];
