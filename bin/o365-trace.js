#!/usr/bin/env node
// Launcher for the `o365-trace` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli.ts');
