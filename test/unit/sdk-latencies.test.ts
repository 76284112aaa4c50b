import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latenciesIn } from '../../bench/sdk-latencies.js';

/** Lines as a worker's Prometheus endpoint serves them (taken from a bench run), buckets included. */
const worker = (scale: number) =>
  [
    '# HELP temporal_request_latency Histogram of client request latencies',
    '# TYPE temporal_request_latency histogram',
    `temporal_request_latency_bucket{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk",le="50"} ${190 * scale}`,
    `temporal_request_latency_sum{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk"} ${2002 * scale}`,
    `temporal_request_latency_count{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="temporal-core-sdk"} ${193 * scale}`,
    `temporal_request_latency_sum{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="temporal-core-sdk"} 1012`,
    `temporal_request_latency_count{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="temporal-core-sdk"} 196`,
    `temporal_workflow_task_execution_latency_sum{namespace="default",service_name="temporal-core-sdk",task_queue="bench-q",workflow_type="messageTraceCollector"} 1470`,
    `temporal_workflow_task_execution_latency_count{namespace="default",service_name="temporal-core-sdk",task_queue="bench-q",workflow_type="messageTraceCollector"} 194`,
    `temporal_activity_execution_latency_sum{activity_type="pullPage",namespace="default",service_name="temporal-core-sdk",task_queue="bench-q",workflow_type="messageTraceCollector"} 8952`,
    `temporal_activity_execution_latency_count{activity_type="pullPage",namespace="default",service_name="temporal-core-sdk",task_queue="bench-q",workflow_type="messageTraceCollector"} 100`,
    `temporal_workflow_task_schedule_to_start_latency_sum{namespace="default",service_name="temporal-core-sdk",task_queue="bench-q",workflow_type="messageTraceCollector"} 412`,
    `temporal_workflow_task_schedule_to_start_latency_count{namespace="default",service_name="temporal-core-sdk",task_queue="bench-q",workflow_type="messageTraceCollector"} 100`,
  ].join('\n');

describe('the bench reading the SDK metrics', () => {
  it('takes each histogram by metric and label, sum over count, buckets aside', () => {
    const l = latenciesIn([worker(1)]);
    assert.deepEqual(l.respondWorkflowTask, { count: 193, meanMs: 10.4 });
    assert.deepEqual(l.heartbeat, { count: 196, meanMs: 5.2 });
    assert.deepEqual(l.workflowTask, { count: 194, meanMs: 7.6 });
    assert.deepEqual(l.pullPage, { count: 100, meanMs: 89.5 });
    assert.deepEqual(l.workflowTaskScheduleToStart, { count: 100, meanMs: 4.1 });
    assert.deepEqual(l.sendToDevo, { count: 0, meanMs: 0 }, 'a series no worker served');
  });

  it('adds up the workers', () => {
    const l = latenciesIn([worker(1), worker(3)]);
    assert.deepEqual(l.respondWorkflowTask, { count: 193 * 4, meanMs: 10.4 });
    assert.deepEqual(l.heartbeat, { count: 392, meanMs: 5.2 });
  });
});
