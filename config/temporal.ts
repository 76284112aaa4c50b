/** Temporal names, defined once in contracts/ids.ts; re-exported for the worker and client. */
export { collectorWorkflowId, TEMPORAL_DEFAULTS } from '../contracts/ids.js';
