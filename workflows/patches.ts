/**
 * Patch ids (`patched()`): each marks histories made by a workflow change that alters commands. Running
 * collectors replay their old histories without the marker and keep the old behaviour there. Never rename.
 */

/** Page N+1 is pulled while page N is sent. */
export const PIPELINE_PATCH = 'pipelined-pages';

/** A window (or backfill chunk) may stop between pages when the server suggests continue-as-new. */
export const MID_WINDOW_CONTINUE_AS_NEW = 'continue-as-new-mid-window';

/** One pullPage may follow next links for several pages (a chunk), booking their calls up front. */
export const PAGE_CHUNKS_PATCH = 'pulled-page-chunks';

/**
 * A wait for an operator (blocked on a failure, or paused) continues as new when the server suggests it,
 * instead of growing one history until Temporal terminates the run at its event limit.
 */
export const CONTINUE_AS_NEW_FROM_WAITS = 'continue-as-new-from-waits';

/**
 * Backfill requests are bounded: near-adjacent pending ranges merge (gaps under a window), more than
 * MAX_PENDING_RANGES are refused, and the update answers with a summary instead of the whole list.
 */
export const BOUNDED_BACKFILL = 'bounded-backfill-ranges';

/**
 * A send that fails with PulledChunkMissing (its chunk in no worker's memory and not readable from
 * history) pulls that chunk again from the window's saved progress, instead of retrying the same send.
 */
export const REPULL_LOST_CHUNK = 'repull-lost-chunk';
