import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../src/temporal/dev-server';

const run = promisify(execFile);

/**
 * A private PostgreSQL cluster (initdb + pg_ctl) in a temp directory on a free port, run as the
 * `postgres` OS user, so a test can stop and restart it without touching anyone else's server.
 */
export interface PgCluster {
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: sessions are cut, the server is down until start(). */
  stop(): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

async function pgBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root)).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}`);
  return join(root, versions[0]!, 'bin');
}

async function uidOf(user: string): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPgCluster(label = 'chaos'): Promise<PgCluster> {
  const bin = await pgBin();
  const dir = await mkdtemp(join(tmpdir(), `jml-pg-${label}-`));
  const owner = process.getuid?.() === 0 ? await uidOf('postgres') : undefined;
  if (owner) await chown(dir, owner.uid, owner.gid);
  const asPostgres = (tool: string, args: string[]) =>
    owner ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd: dir }) : run(join(bin, tool), args, { cwd: dir });
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`;
  const start = async () => void (await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']));
  const stop = async (mode = 'fast') => void (await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']));
  await start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE jml');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/jml`,
    port,
    dir,
    start,
    stop: () => stop('fast'),
    async restart() {
      await stop('fast');
      await start();
    },
    async destroy() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
