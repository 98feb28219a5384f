/**
 * `npm run build`: the production build in dist/, which `jml server` and `jml worker` run under
 * NODE_ENV=production (bin/jml.js), with production dependencies only:
 *  - jml.mjs: the CLI and every process, compiled from the TypeScript sources (esbuild; packages
 *    stay external, installed with `npm ci --omit=dev`);
 *  - failure-converter.cjs: the encrypting failure converter the SDK loads by path;
 *  - migrations/: the SQL migrations `jml migrate` applies;
 *  - assets/: the console's stylesheet and script (Chart.js itself is read from node_modules);
 *  - workflows.bundle.js: the workflow code bundled ahead of time (with the encoding failure
 *    converter, as encrypting workers need), loaded by workers instead of bundling at start-up.
 * `npm run dev` and the tests keep running the sources.
 */
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { writeWorkflowBundle } from '../src/runtime/bundle';

const out = 'dist';
const started = Date.now();
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning', legalComments: 'none' } as const;
await build({ ...common, entryPoints: ['src/cli/main.ts'], format: 'esm', outfile: `${out}/jml.mjs` });
await build({ ...common, entryPoints: ['src/temporal/failure-converter.ts'], format: 'cjs', outfile: `${out}/failure-converter.cjs` });
await cp('src/db/migrations', `${out}/migrations`, { recursive: true });
await cp('src/console/assets', `${out}/assets`, { recursive: true });
const bytes = await writeWorkflowBundle(`${out}/workflows.bundle.js`, { encodeFailures: true });
console.log(`built ${out}/: jml.mjs, failure-converter.cjs, migrations/, assets/, workflows.bundle.js (${bytes} bytes) in ${Date.now() - started} ms`);
