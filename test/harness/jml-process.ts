import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const jmlBin = fileURLToPath(new URL('../../bin/jml.js', import.meta.url));

export interface JmlProcessOptions {
  /** `server`, `worker` or `dev`. */
  command: string;
  env: Record<string, string>;
  cwd: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Its own process group, so `kill(-pid)` reaches every process it started. */
  detached?: boolean;
}

/**
 * One `jml` process (bin/jml.js) as an operator runs it: a separate OS process configured by
 * env and jml.config.yaml. It can be killed outright and started again with the same settings.
 */
export class JmlProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> = Promise.resolve(null);
  private output = '';
  private readonly log: WriteStream;
  starts = 0;
  kills = 0;

  constructor(private readonly options: JmlProcessOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Output since the last start (kept short). */
  get recentOutput(): string {
    return this.output;
  }

  start(): void {
    if (this.running) throw new Error(`jml ${this.options.command} is already running`);
    this.output = '';
    this.starts++;
    this.log.write(`\n---- start ${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [jmlBin, this.options.command], {
      cwd: this.options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.options.detached ?? false,
    });
    const keep = (chunk: Buffer) => {
      this.log.write(chunk);
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  /** Waits for a line of output containing `text` from this start; throws if the process exits first. */
  async waitFor(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (!this.running) throw new Error(`jml ${this.options.command} exited (${this.child?.exitCode ?? this.child?.signalCode}) before "${text}":\n${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`jml ${this.options.command}: no "${text}" after ${timeoutMs} ms:\n${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * SIGKILL (to the whole group when detached, unless `parentOnly`: then its own children live
   * on as orphans) and wait until it is gone.
   */
  async kill(options: { parentOnly?: boolean } = {}): Promise<void> {
    if (!this.running || !this.child?.pid) return;
    this.kills++;
    this.log.write(`\n---- SIGKILL${options.parentOnly ? ' (parent only)' : ''} at ${new Date().toISOString()}\n`);
    if (this.options.detached && !options.parentOnly) process.kill(-this.child.pid, 'SIGKILL');
    else this.child.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM and wait for the exit code (SIGKILL after `graceMs`). */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.running || !this.child) return this.child?.exitCode ?? null;
    const force = setTimeout(() => void this.kill(), graceMs);
    this.child.kill('SIGTERM');
    const code = await this.exit;
    clearTimeout(force);
    return code;
  }

  async close(): Promise<void> {
    await this.kill();
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }
}

/** Polls GET url until it answers 200. */
export async function waitHealthy(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.text();
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (!alive()) throw new Error(`${url}: the process exited before it answered 200`);
    if (Date.now() - started > timeoutMs) throw new Error(`${url}: no 200 after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
