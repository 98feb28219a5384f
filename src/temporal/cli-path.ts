import { spawn } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const temporalCliVersion = 'v1.5.1';
export const temporalCliModule = `github.com/temporalio/cli/cmd/temporal@${temporalCliVersion}`;

/** Where the Temporal CLI came from; `sdk-download` means none was found and the SDK may fetch one. */
export type TemporalCli = { source: 'env' | 'path' | 'cache' | 'built'; path: string } | { source: 'sdk-download' };

export function cacheDir(): string {
  return process.env.JML_CACHE_DIR ?? join(homedir(), '.cache', 'jml');
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(log);
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/**
 * Finds the Temporal CLI in the order the design fixes: TEMPORAL_CLI_PATH, `temporal` on PATH,
 * the project cache, a build from the Go module proxy (CGO off), and last the SDK's download.
 */
export async function resolveTemporalCli(options: { build?: boolean; log?: (line: string) => void } = {}): Promise<TemporalCli> {
  const log = options.log ?? (() => undefined);
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!(await executable(fromEnv))) throw new Error(`TEMPORAL_CLI_PATH: ${fromEnv} is not an executable file`);
    return { source: 'env', path: fromEnv };
  }
  const found = await onPath('temporal');
  if (found) return { source: 'path', path: found };
  const binDir = join(cacheDir(), 'bin');
  const cached = join(binDir, 'temporal');
  if (await executable(cached)) return { source: 'cache', path: cached };
  if (options.build !== false && (await onPath('go'))) {
    await mkdir(binDir, { recursive: true });
    log(`building the Temporal CLI ${temporalCliVersion} with go (a few minutes, once)`);
    await run('go', ['install', temporalCliModule], { ...process.env, CGO_ENABLED: '0', GOBIN: binDir }, log);
    if (await executable(cached)) return { source: 'built', path: cached };
  }
  return { source: 'sdk-download' };
}
