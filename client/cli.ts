#!/usr/bin/env node
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    console.error(process.env.DEBUG ? err : `o365-trace: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
