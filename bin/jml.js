#!/usr/bin/env node
// Runs the production build (dist/, from `npm run build`) under NODE_ENV=production, or where the
// TypeScript tooling is not installed (`npm ci --omit=dev`); otherwise the TypeScript sources
// directly, so `npm ci` is the only install step for development and tests.
import { existsSync } from 'node:fs';

const built = new URL('../dist/jml.mjs', import.meta.url);
async function sources() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    return undefined;
  }
  return import('../src/cli/main.ts');
}
const useBuild = existsSync(built) && process.env.NODE_ENV === 'production';
const loaded = (useBuild ? undefined : await sources()) ?? (existsSync(built) ? await import(built.href) : undefined);
if (!loaded) {
  console.error('jml: neither the build (npm run build) nor the TypeScript tooling (npm ci) is installed');
  process.exit(2);
}
process.exitCode = await loaded.main(process.argv.slice(2));
