/** The Engine API client the CLI uses (dockerode), and helpers for Docker's stream formats. */
export { createApiClient, DaemonError, toDaemonError } from './api-client.js';
export { resolveHost, clientAddress, DEFAULT_HOST, type ClientAddress } from './host.js';
export { readJsonLines, displayJsonMessages, JsonStreamError } from './json-stream.js';
export { FrameDemuxer } from './stdcopy.js';
export type { default as Docker } from 'dockerode';
