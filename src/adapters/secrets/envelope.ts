/** The envelope primitives live in src/core/envelope.ts; re-exported for adapter import sites. */
export * from '../../core/envelope.js';
