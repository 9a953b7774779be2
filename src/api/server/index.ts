/** The Engine API server: routing, versions, errors, bodies, streams, hijacking. */
export { ApiServer, type ApiServerOptions } from './api-server.js';
export { Router, type Route, type RouteModule, type Handler, type RouteOptions } from './router.js';
export { RequestContext, type UpgradeRequest } from './request-context.js';
export { API_VERSION, MIN_API_VERSION, negotiateVersion, splitVersionedPath } from './versions.js';
export { HttpError, statusForError } from './http-errors.js';
export { readJsonBody, parseBody, checkJsonContentType, DEFAULT_JSON_BODY_LIMIT } from './json-body.js';
export { JsonStreamWriter } from './json-stream.js';
export { hijack, MULTIPLEXED_STREAM, RAW_STREAM, type HijackedConnection } from './hijack.js';
export { encodeFrames, frameHeader, FrameWriter, STDIN, STDOUT, STDERR, FRAME_HEADER_SIZE, type StreamId } from './stdcopy.js';
export { EventBus, type EventInput, type EventSubscription } from './event-bus.js';
export { eventMatches } from './event-filter.js';
