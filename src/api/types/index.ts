/** The Docker Engine API's wire formats, shared by the server, the client and the CLI. */
export type * from './images.js';
export type * from './system.js';
export type * from './events.js';
export type * from './json-message.js';
export { FilterArgs } from './filters.js';
export * from './timestamps.js';
export * from './versions.js';
export { PRODUCT_NAME, productVersion } from './product.js';
