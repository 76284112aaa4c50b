import { formatTime } from './format.js';
import type { StartResult } from './start-collector.js';

/** What start did, in words: where the collector starts and why there, for `start` and `run`. */
export function startedLine(result: StartResult): string {
  if (!result.started) return `${result.workflowId} is already running; left as it is (it keeps its own cursor)`;
  const from = formatTime(result.start!);
  if (result.resumed) {
    const { execution, runId, cursorFrom } = result.resumed;
    return `started ${result.workflowId} from ${from}, the last cursor of its ${execution} run ${runId} (read from its ${cursorFrom}); --from-scratch starts from O365_START instead`;
  }
  if (result.cursorUnknown) {
    return `started ${result.workflowId} from ${from} (O365_START): the cursor of its ${result.cursorUnknown.execution} run ${result.cursorUnknown.runId} could not be read`;
  }
  return `started ${result.workflowId} from ${from} (O365_START)`;
}

/** A second line when no worker took the start's update in time: the collector waits for one. */
export function unansweredLine(result: StartResult): string | undefined {
  return result.answered === false ? `no worker answered ${result.workflowId} yet: it waits for one on the task queue (o365-trace worker)` : undefined;
}
