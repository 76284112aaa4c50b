export * from './windows.js';
export * from './ranges.js';
