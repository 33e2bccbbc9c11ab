export * from './errors.js';
export * from './money.js';
export * from './schemas.js';
export * from './types.js';
export * from './events.js';
export * from './frames.js';
export * from './duration.js';
export * from './increments.js';
