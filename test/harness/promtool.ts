import { spawn } from 'node:child_process';

/**
 * Prometheus's own promtool (Debian's `prometheus` package; .ci/run installs it), run with args
 * and optional stdin. A missing promtool fails the test that needs it, saying how to get it.
 */
export function promtool(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`promtool could not run (${err.message}): apt-get install prometheus`)));
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The lines of an exposition that belong to metric families whose names start with `prefix` (HELP and TYPE included). */
export function familiesOf(text: string, prefix: string): string {
  return text
    .split('\n')
    .filter((line) => (line.startsWith('# ') ? line.split(' ')[2]?.startsWith(prefix) : line.startsWith(prefix)))
    .join('\n') + '\n';
}
