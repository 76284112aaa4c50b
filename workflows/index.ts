/** Every workflow the worker registers. */
export { messageTraceCollector } from './collector.js';
