import { z } from 'zod';
import { UnavailableError } from '../../base/index.js';
import type { ExecService, ExecConfig } from '../../containers/index.js';
import type { RouteModule } from '../server/index.js';
import type { ApiDeps } from './deps.js';
import { startExec } from './container-streams.js';

const execCreateSchema = z.looseObject({
  Cmd: z.union([z.array(z.string()), z.string()]),
  Env: z.array(z.string()).nullable().optional(),
  WorkingDir: z.string().optional(),
  User: z.string().optional(),
  Tty: z.boolean().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  Privileged: z.boolean().optional(),
  DetachKeys: z.string().optional(),
  ConsoleSize: z.tuple([z.number(), z.number()]).nullable().optional(),
});

const execStartSchema = z.looseObject({
  Detach: z.boolean().optional(),
  Tty: z.boolean().optional(),
  ConsoleSize: z.tuple([z.number(), z.number()]).nullable().optional(),
});

/** Exec sessions: create, start (hijacked), resize, inspect. */
export const execRoutes: RouteModule<ApiDeps> = (router, deps) => {
  const execs = (): ExecService => {
    if (!deps.execs) throw new UnavailableError('exec is not available on this daemon');
    return deps.execs;
  };
  router.post('/containers/{id}/exec', async (ctx) => {
    const body = await ctx.readJson(execCreateSchema);
    const config: ExecConfig = { ...(body ?? { Cmd: [] }), Cmd: typeof body?.Cmd === 'string' ? [body.Cmd] : (body?.Cmd ?? []), Env: body?.Env ?? undefined };
    ctx.sendJson(201, { Id: execs().create(ctx.params.id!, config) });
  });
  router.post('/exec/{id}/start', async (ctx) => startExec(ctx, execs(), (await ctx.readJson(execStartSchema)) ?? {}));
  router.post('/exec/{id}/resize', async (ctx) => {
    await execs().resize(ctx.params.id!, ctx.int('h', 0), ctx.int('w', 0));
    ctx.sendStatus(200);
  });
  router.get('/exec/{id}/json', (ctx) => ctx.sendJson(200, execs().inspect(ctx.params.id!)));
};
