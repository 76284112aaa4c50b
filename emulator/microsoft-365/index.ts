/**
 * The Microsoft 365 emulator: Entra ID tokens, Graph messageTraces and the Reporting Web Service
 * MessageTrace report over a seeded, late-arriving, status-changing dataset, with Microsoft's limits,
 * quota and scripted faults. Tests, the demo and `o365-trace emulator` start it through this module.
 */
export { startMicrosoftEmulator } from './server.js';
export type { MicrosoftEmulator, MicrosoftEmulatorOptions, EmulatorStats } from './options.js';
export { generateDataset, type DatasetOptions } from './dataset.js';
export { TraceDataset, type GroundTruthRow, type GraphRow, type ReportingRow } from './trace-dataset.js';
export type { VisibilityOptions, StatusSettleOptions } from './visibility.js';
export { FaultScript, type Fault, type FaultKind, type FaultTarget } from './faults.js';
export { DEFAULT_QUOTA, type QuotaOptions } from './quota.js';
export { REPORTING_RESOURCE } from './tokens.js';
export { formatTicksLocal, formatTicksUtc, parsePreciseIso, type PreciseTime } from './time.js';
