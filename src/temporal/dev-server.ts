import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { Connection } from '@temporalio/client';
import { forgetServer, recordServer, stopLeftoverServer, waitPortFree } from './leftover-server';
import { searchAttributeFlags } from './search-attributes';

export interface DevServer {
  address: string;
  uiUrl?: string;
  /** The server process. */
  pid: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  binary: string;
  port?: number;
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; absent keeps everything in memory. */
  dbFile?: string;
  headless?: boolean;
  /** The UI decodes payloads through this codec server (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  readyTimeoutMs?: number;
  /**
   * Where the server's PID is kept while it runs (with dbFile). A server left running by a
   * previous run that was killed outright is stopped before this one starts.
   */
  pidFile?: string;
}

/** Start-up failures that go away once a previous server has let go of the file or port. */
const transient = /disk I\/O error|database is locked|SQLITE_BUSY|address already in use/i;
const attempts = 3;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `temporal server start-dev` with our search attributes and waits until it answers.
 * On Linux the server gets SIGTERM when the process that started it dies, however it dies.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const dbFile = options.dbFile ? resolvePath(options.dbFile) : undefined;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  // Task-queue priority (session kills before disables and revokes in a burst) needs the new matcher.
  args.push('--dynamic-config-value', 'matching.useNewMatcher=true');
  if (dbFile) args.push('--db-filename', dbFile);
  let uiUrl: string | undefined;
  if (options.headless ?? true) args.push('--headless');
  else {
    const uiPort = options.uiPort ?? 8233;
    args.push('--ui-port', String(uiPort));
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  if (options.pidFile && dbFile) await stopLeftoverServer(options.pidFile, dbFile);
  const address = `127.0.0.1:${port}`;
  const command = await withParentDeathSignal(options.binary, args);
  for (let attempt = 1; ; attempt++) {
    // A server that was just killed may hold the port for a moment; another program may hold it for good.
    if (!(await waitPortFree(port, 5000))) throw new Error(`temporal dev server: port ${port} is in use by another process (another Temporal server?)`);
    const child = spawn(command.file, command.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    try {
      await waitUntilReady(address, child, options.readyTimeoutMs ?? 60_000, () => stderr);
    } catch (err) {
      const retry = attempt < attempts && child.exitCode !== null && transient.test(stderr);
      if (!retry) {
        const where = dbFile ? ` on ${dbFile}` : '';
        throw new Error(`${(err as Error).message}${attempt > 1 ? ` (attempt ${attempt} of ${attempts}${where})` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 1000 * attempt));
      continue;
    }
    const pidFile = options.pidFile && dbFile ? options.pidFile : undefined;
    if (pidFile && child.pid) await recordServer(pidFile, child.pid);
    return {
      address,
      uiUrl,
      pid: child.pid ?? 0,
      stop: async () => {
        await stopChild(child);
        if (pidFile) await forgetServer(pidFile);
      },
    };
  }
}

/**
 * `setpriv --pdeathsig TERM` (util-linux) execs the server with the parent-death signal set,
 * so a `jml dev` killed with SIGKILL does not leave its dev server holding the database.
 */
async function withParentDeathSignal(binary: string, args: string[]): Promise<{ file: string; args: string[] }> {
  if (process.platform !== 'linux') return { file: binary, args };
  for (const setpriv of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      await access(setpriv, constants.X_OK);
      return { file: setpriv, args: ['--pdeathsig', 'TERM', binary, ...args] };
    } catch {
      // not here
    }
  }
  return { file: binary, args };
}

async function waitUntilReady(address: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`temporal dev server exited during start-up: ${stderr().trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        // Answered by our server, not by one that held the port a moment ago.
        if (exited) continue;
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`temporal dev server at ${address} not ready after ${timeoutMs} ms: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
