import { UnavailableError } from '../../base/index.js';
import type { RouteModule } from '../server/index.js';
import type { ApiDeps } from './deps.js';
import { authConfigSchema } from './images.js';

/** `POST /auth` (docker login): the body is checked; logging in needs the registry client. */
export const authRoutes: RouteModule<ApiDeps> = (router) => {
  router.post('/auth', async (ctx) => {
    const config = (await ctx.readJson(authConfigSchema)) ?? {};
    const server = config.serveraddress || 'https://index.docker.io/v1/';
    throw new UnavailableError(`cannot log in to ${server}: this strata daemon cannot reach registries yet`);
  });
};
