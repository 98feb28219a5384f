import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console's static files, served from this process (no CDN: the machines may have no
 * internet): its stylesheet and script from ./assets (copied next to dist/jml.mjs by the
 * build), and Chart.js's UMD build from the installed package. Read once, on first use.
 */
export interface Asset {
  body: Buffer;
  contentType: string;
}

const own = fileURLToPath(new URL('./assets/', import.meta.url));
const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));

const files: Record<string, { path: string; contentType: string }> = {
  'console.css': { path: join(own, 'console.css'), contentType: 'text/css; charset=utf-8' },
  'console.js': { path: join(own, 'console.js'), contentType: 'text/javascript; charset=utf-8' },
  'chart.umd.min.js': { path: join(chartDir, 'chart.umd.min.js'), contentType: 'text/javascript; charset=utf-8' },
};

const loaded = new Map<string, Asset>();

/** The named asset, or undefined for a name that is not one of them. */
export function consoleAsset(name: string): Asset | undefined {
  if (!Object.hasOwn(files, name)) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    const file = files[name]!;
    asset = { body: readFileSync(file.path), contentType: file.contentType };
    loaded.set(name, asset);
  }
  return asset;
}
