import type { Readable } from 'node:stream';
import type { Digest } from '../base/index.js';

/**
 * What `POST /build` and `strata build` ask for (the classic builder's options). Everything
 * but the context is optional.
 */
export interface BuildRequest {
  /**
   * The build context: a directory on disk (read, never written), or a tar stream (plain or
   * gzip, as the API receives it), extracted with the secure applier into a private temp dir.
   */
  context: { dir: string } | { tar: Readable };
  /** The Dockerfile: a path inside the context (default `Dockerfile`), or its text. */
  dockerfile?: { path: string } | { text: string };
  /** Names to give the result (`name`, `name:tag`); checked before the build starts. */
  tags?: readonly string[];
  /** `--build-arg`: a null value means "declared but unset" (Docker's `{"A": null}`). */
  buildArgs?: Readonly<Record<string, string | null>>;
  /** `--label`: added to the built stage as a last `LABEL` step. */
  labels?: Readonly<Record<string, string>>;
  /** `--target`: the stage to stop at (by name); only the stages it needs are built. */
  target?: string;
  noCache?: boolean;
  /** `-q`: on success only the image ID is reported; on failure everything is. */
  quiet?: boolean;
  /** RUN's network: `host` (also for `default`/`bridge` until bridge networking exists) or `none`. */
  network?: string;
  /** Print "Removing intermediate container" after each step (default true). */
  rm?: boolean;
  /** Also after a failed step (Docker's --force-rm). Containers are always deleted. */
  forceRm?: boolean;
  /** Cancels the build: the running step's container is killed and everything cleaned up. */
  signal?: AbortSignal;
}

/**
 * What a build reports, in order. Each maps to one message of Docker's classic-builder JSON
 * stream; `classicStreamMessage` gives that message.
 */
export type BuildEvent =
  /** `Step 2/5 : RUN echo hi` */
  | { type: 'step'; index: number; total: number; instruction: string }
  /** ` ---> Using cache` */
  | { type: 'cache-hit' }
  /** ` ---> Running in <12 hex>`: the step's build container (for metadata steps, its ID only). */
  | { type: 'container-started'; containerId: string }
  /** A chunk of RUN output, whole lines where possible. */
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  /** `Removing intermediate container <12 hex>` */
  | { type: 'container-removed'; containerId: string }
  /** ` ---> <12 hex>`: the image a step left (empty for `FROM scratch`). */
  | { type: 'step-image'; imageId: Digest | undefined }
  /** `# Executing 2 build triggers` */
  | { type: 'triggers'; count: number }
  /** A note or warning line, e.g. `Note: overriding previous HEALTHCHECK: …` or unused build-args. */
  | { type: 'message'; text: string }
  /** `{"aux":{"ID":"sha256:…"}}`: a stage's final image. */
  | { type: 'stage-image'; imageId: Digest }
  /** `Successfully built <12 hex>` */
  | { type: 'built'; imageId: Digest }
  /** `Successfully tagged name:tag` (familiar form). */
  | { type: 'tagged'; name: string }
  /** `-q` success: the only thing reported, `sha256:…`. */
  | { type: 'quiet-result'; imageId: Digest };

/** One message of Docker's JSON build stream. */
export type ClassicStreamMessage = { stream: string } | { aux: { ID: string } };

const short = (id: string) => (id.startsWith('sha256:') ? id.slice(7) : id).slice(0, 12);

/**
 * The message Docker's classic builder writes for an event. The API sends it as a JSON
 * line; the CLI prints the `stream` text as is.
 */
export function classicStreamMessage(event: BuildEvent): ClassicStreamMessage {
  switch (event.type) {
    case 'step': return { stream: `Step ${event.index}/${event.total} : ${event.instruction}\n` };
    case 'cache-hit': return { stream: ' ---> Using cache\n' };
    case 'container-started': return { stream: ` ---> Running in ${short(event.containerId)}\n` };
    case 'output': return { stream: event.text };
    case 'container-removed': return { stream: `Removing intermediate container ${short(event.containerId)}\n` };
    case 'step-image': return { stream: ` ---> ${event.imageId ? short(event.imageId) : ''}\n` };
    case 'triggers': return { stream: `# Executing ${event.count} build trigger${event.count === 1 ? '' : 's'}\n` };
    case 'message': return { stream: `${event.text}\n` };
    case 'stage-image': return { aux: { ID: event.imageId } };
    case 'built': return { stream: `Successfully built ${short(event.imageId)}\n` };
    case 'tagged': return { stream: `Successfully tagged ${event.name}\n` };
    case 'quiet-result': return { stream: `${event.imageId}\n` };
  }
}
