export * from './windows.js';
export * from './ranges.js';
export * from './budget.js';
