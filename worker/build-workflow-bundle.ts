/**
 * `npm run build:workflow [-- <path>] [--tracing]`: bundles the workflow code once, ahead of time, into
 * dist/workflow-bundle.js (as temporalio/samples-typescript `production` does). Workers started with
 * O365_WORKFLOW_BUNDLE pointing at it skip webpack at start: they start in a second and stay smaller.
 * Rebuild it with every release; a bundle from other workflow code breaks replay like any code change.
 * `--tracing` bundles the OpenTelemetry workflow interceptors too, for workers with OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from './create-worker.js';

const args = process.argv.slice(2);
const tracing = args.includes('--tracing');
const target = resolve(args.find((a) => !a.startsWith('--')) ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflows({ tracing });
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, code);
console.log(`workflow bundle${tracing ? ' with tracing' : ''} written to ${target} (${Math.round(code.length / 1024)} KiB)`);
