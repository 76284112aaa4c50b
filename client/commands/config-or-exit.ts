/** Moved to config/ so the worker can load its configuration without importing the CLI. */
export { configOrExit } from '../../config/config-or-exit.js';
