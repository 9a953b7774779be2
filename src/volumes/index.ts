export * from './volume-service.js';
