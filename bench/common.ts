/** What every benchmark shares: the Temporal server, where results go, and a record of the machine. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Database } from '../src/db/database';
import { resolveTemporalCli, temporalCliVersion } from '../src/temporal/cli-path';
import { startDevServer } from '../src/temporal/dev-server';
import { searchAttributeFlags } from '../src/temporal/search-attributes';

export interface Benchmark {
  summary: string;
  /** Runs the benchmark with its own options; throws UsageError for bad options. */
  run(args: string[]): Promise<void>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

export async function writeResult(name: string, result: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.json`);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export interface BenchTemporal {
  address: string;
  /** How the server was obtained, for the results file. */
  kind: string;
  stop(): Promise<void>;
}

/** One headless Temporal dev server (in-memory SQLite) with the engine's search attributes. */
export async function startTemporal(log: (line: string) => void): Promise<BenchTemporal> {
  const cli = await resolveTemporalCli({ log });
  if (cli.source === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { extraArgs: searchAttributeFlags.flatMap((f) => ['--search-attribute', f]) },
    });
    return { address: env.address, kind: 'temporal dev server (downloaded by the Temporal SDK), in-memory SQLite', stop: () => env.teardown() };
  }
  const server = await startDevServer({ binary: cli.path, headless: true });
  return {
    address: server.address,
    kind: `temporal dev server (CLI ${temporalCliVersion}, from ${cli.source}), in-memory SQLite`,
    stop: server.stop,
  };
}

export function machine() {
  const list = cpus();
  return {
    node: process.version,
    cpuCount: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    platform: `${platform()} ${release()}`,
    date: new Date().toISOString(),
  };
}

/** The database kind and version, without credentials. */
export async function databaseInfo(db: Database): Promise<{ kind: string; version: string; where: string }> {
  const { rows } = await db.query<{ v: string }>('SELECT version() AS v');
  const version = rows[0]?.v.split(' on ')[0] ?? 'unknown';
  if (db.kind === 'pglite') return { kind: 'pglite', version, where: 'in memory, in the benchmark process' };
  const url = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL) : undefined;
  return { kind: 'postgres', version, where: url ? `${url.hostname}:${url.port || '5432'}` : 'unknown' };
}

/**
 * CPU time (ms) used so far by this process's running child processes (here: the Temporal dev
 * server), from Linux /proc with the usual 100 clock ticks a second; undefined elsewhere.
 */
export function childrenCpu(): { ms: number; names: string[] } | undefined {
  try {
    const pids = readdirSync('/proc/self/task').flatMap((task) =>
      readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
    );
    let ticks = 0;
    const names: string[] = [];
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      names.push(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return { ms: ticks * 10, names };
  } catch {
    return undefined;
  }
}

/** CPU time (ms) used so far by running processes with this command name (Linux /proc), e.g. a local Postgres server. */
export function namedProcessesCpuMs(name: string): number | undefined {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== name) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks * 10;
  } catch {
    return undefined;
  }
}

/** Which code was measured: the commit, and whether files outside bench/ differed from it. */
export function codeVersion(): { commit: string; uncommittedChanges: string[] } | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    const uncommittedChanges = git('status', '--porcelain')
      .split('\n')
      .map((line) => line.slice(3).trim())
      .filter((path) => path && !path.startsWith('bench/') && path !== 'bin/run-bench.js' && path !== 'node_modules');
    return { commit, uncommittedChanges };
  } catch {
    return undefined;
  }
}
