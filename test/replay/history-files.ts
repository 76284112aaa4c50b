/**
 * The replay fixtures' codec key. Histories are recorded with the production codec (compressed,
 * encrypted) under this test-only key, which protects nothing: the data is the emulator's.
 */
export const REPLAY_KEY = Buffer.from('cmVwbGF5LXRlc3Qta2V5LW5vdC1hLXNlY3JldC0wMDA=', 'base64');

type HistoryJson = { events: Record<string, unknown>[] };

/**
 * Swaps the first two activities the workflow scheduled in the history, as a workflow change that
 * reorders its commands would; replaying it must fail.
 */
export function alterHistory(history: HistoryJson): HistoryJson {
  const events = history.events.map((e) => structuredClone(e));
  const scheduled = events.filter((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' || e.eventType === 'ActivityTaskScheduled');
  const [a, b] = scheduled;
  if (!a || !b) throw new Error('history has fewer than two activities');
  const key = 'activityTaskScheduledEventAttributes';
  const attrs = (e: Record<string, unknown>) => e[key] as { activityType: { name: string } };
  const nameA = attrs(a).activityType.name;
  attrs(a).activityType.name = attrs(b).activityType.name === nameA ? 'notAnActivity' : attrs(b).activityType.name;
  return { ...history, events };
}
