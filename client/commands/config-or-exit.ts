/** Moved to config/ so the worker can load its configuration without importing the CLI. */
export { configOrExit, flagOverrides } from '../../config/config-or-exit.js';
