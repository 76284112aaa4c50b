import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors, ActivityInterceptorsFactory } from '@temporalio/worker';
import { observeActivity, type ActivityOutcome } from '../metrics/activity-observations.js';
import { SERIES } from '../metrics/series.js';

/**
 * Counts what each activity attempt did (records pulled and delivered, Microsoft calls and 429s,
 * dead letters) on the activity's metric meter, so the collector's series land on the same Prometheus
 * endpoint as the SDK's, tagged with namespace, task queue and activity type. Without a metrics
 * exporter the meter is a no-op.
 */
export const collectorMetricsInterceptor: ActivityInterceptorsFactory = (ctx: Context): ActivityInterceptors => ({
  inbound: {
    async execute(input, next) {
      const record = (outcome: ActivityOutcome) => {
        try {
          for (const { series, value, labels } of observeActivity(ctx.info.activityType, input.args[0], outcome)) {
            const definition = SERIES[series];
            ctx.metricMeter.createCounter(definition.name, definition.unit, definition.help).add(value, labels);
          }
        } catch (err) {
          // A metric must never fail the attempt it describes (that would cost a Microsoft call).
          ctx.log.warn('metrics not recorded', { error: (err as Error).message });
        }
      };
      try {
        const result = await next(input);
        record({ result });
        return result;
      } catch (error) {
        record({ error });
        throw error;
      }
    },
  },
});
