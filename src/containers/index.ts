export * from './container-record.js';
export * from './container-store.js';
export * from './container-service.js';
export * from './container-views.js';
export * from './container-changes.js';
export * from './container-logs.js';
export * from './exec-service.js';
export * from './changes.js';
export { mergeImageConfig, processArgs, mergeEnvLists } from './create-config.js';
