/** The Engine API client the CLI uses (dockerode), and helpers for Docker's stream formats. */
export { createApiClient, DaemonError, toDaemonError } from './api-client.js';
export { resolveHost, clientAddress, DEFAULT_HOST, type ClientAddress } from './host.js';
export { readJsonLines, displayJsonMessages, JsonStreamError } from './json-stream.js';
export { FrameDemuxer } from './stdcopy.js';
export type { default as Docker } from 'dockerode';
export {
  engineRequest, engineJson, engineStream, engineHijack, requestPath, errorMessageOf,
  type EngineRequest, type EngineResponse, type HijackedConnection, type QueryValue,
} from './engine-request.js';
