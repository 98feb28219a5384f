#!/usr/bin/env node
// Runs the benchmarks (bench/) from their TypeScript sources: `npm run bench [-- <name>... [options]]`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/index.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A client or native runtime left open must not keep a finished run alive.
setTimeout(() => process.exit(code), 3000).unref();
