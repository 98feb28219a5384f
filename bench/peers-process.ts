/**
 * The target systems of a benchmark in a process of their own (forked by `startPeersProcess`), so
 * that the engine's CPU is measured apart from the peers': an Okta peer and a SCIM server, seeded
 * and watched over IPC. The process reports, once per worker, when both systems first showed that
 * worker's sessions gone (Okta: no sessions left; SCIM: account inactive), polled every 20 ms.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startOktaPeer } from '../test/peers/okta-peer';
import { oktaDocumentedRateLimits, type OktaRateLimitStats } from '../test/peers/okta-rate-limits';
import { startScimPeer } from '../test/peers/scim-peer';
import { oktaToken, scimToken, systemsYamlFor, targetSecrets } from '../test/harness/targets';

export interface PeersSetup {
  latencyMs: number;
  /** `documented`: the Okta peer enforces Okta's documented buckets and concurrency limit. */
  oktaRateLimits?: 'documented';
}

/** One worker's sessions seen gone: epoch ms per system. */
export interface Ended {
  login: string;
  oktaAt: number;
  scimAt: number;
}

type ToPeers = { kind: 'seed'; logins: string[]; groups: string[] } | { kind: 'watch'; logins: string[] } | { kind: 'stats' } | { kind: 'stop' };
type FromPeers =
  | { kind: 'ready'; systemsYaml: string; secrets: Record<string, string> }
  | { kind: 'seeded' }
  | { kind: 'ended'; ended: Ended[] }
  | { kind: 'stats'; stats: PeerStats };

export interface PeerStats {
  okta: { requests: number; writes: number; rateLimited: number; rateLimits?: OktaRateLimitStats };
  scim: { requests: number; writes: number };
}

export interface PeersProcess {
  pid: number;
  systemsYaml: string;
  secrets: Record<string, string>;
  seed(logins: string[], groups: string[]): Promise<void>;
  /** Watches these workers; `onEnded` hears of each once. */
  watch(logins: string[], onEnded: (e: Ended) => void): void;
  stats(): Promise<PeerStats>;
  stop(): Promise<void>;
}

export async function startPeersProcess(setup: PeersSetup): Promise<PeersProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--peers-child'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, JML_BENCH_PEERS: JSON.stringify(setup) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `code ${code}`;
    if (code !== 0) console.error(`[peers] the peers process exited (${exited})`);
  });
  let onEnded: (e: Ended) => void = () => {};
  const waiters: { kind: FromPeers['kind']; resolve: (m: FromPeers) => void }[] = [];
  child.on('message', (m: FromPeers) => {
    if (m.kind === 'ended') return m.ended.forEach((e) => onEnded(e));
    const i = waiters.findIndex((w) => w.kind === m.kind);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const next = <K extends FromPeers['kind']>(kind: K) =>
    new Promise<Extract<FromPeers, { kind: K }>>((resolve, reject) => {
      waiters.push({ kind, resolve: resolve as (m: FromPeers) => void });
      if (exited) reject(new Error(`the peers process exited (${exited})`));
      child.once('exit', () => reject(new Error(`the peers process exited (${exited})`)));
    });
  const send = (m: ToPeers) => child.send(m);
  const ready = await next('ready');
  return {
    pid: child.pid!,
    systemsYaml: ready.systemsYaml,
    secrets: ready.secrets,
    async seed(logins, groups) {
      const done = next('seeded');
      send({ kind: 'seed', logins, groups });
      await done;
    },
    watch(logins, hear) {
      onEnded = hear;
      send({ kind: 'watch', logins });
    },
    async stats() {
      const s = next('stats');
      send({ kind: 'stats' });
      return (await s).stats;
    },
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      send({ kind: 'stop' });
      await gone;
    },
  };
}

async function runChild(): Promise<void> {
  const setup = JSON.parse(process.env.JML_BENCH_PEERS ?? '{}') as PeersSetup;
  const okta = await startOktaPeer({
    token: oktaToken,
    latencyMs: setup.latencyMs,
    ...(setup.oktaRateLimits === 'documented' ? { rateLimits: oktaDocumentedRateLimits } : {}),
  });
  const scim = await startScimPeer({ token: scimToken, latencyMs: setup.latencyMs });
  const reply = (m: FromPeers) => process.send!(m);
  const watched = new Map<string, { oktaAt: number; scimAt: number }>();
  const timer = setInterval(() => {
    if (watched.size === 0) return;
    const now = Date.now();
    const ended: Ended[] = [];
    for (const [login, s] of watched) {
      if (!s.oktaAt && okta.sessionsOf(login) === 0) s.oktaAt = now;
      if (!s.scimAt && scim.user(login)?.active === false) s.scimAt = now;
      if (s.oktaAt && s.scimAt) {
        ended.push({ login, ...s });
        watched.delete(login);
      }
    }
    if (ended.length > 0) reply({ kind: 'ended', ended });
  }, 20);
  // The benchmark gone: nothing to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: ToPeers) => {
    if (m.kind === 'seed') {
      for (const name of m.groups) {
        okta.seedGroup({ name });
        scim.seedGroup({ displayName: name });
      }
      m.logins.forEach((login, i) => {
        const groups = [m.groups[i % m.groups.length]!];
        okta.seedUser({ login, email: login, status: 'ACTIVE', sessions: 2, oauthTokens: 1, groups });
        scim.seedUser({ userName: login, email: login, active: true, groups });
      });
      reply({ kind: 'seeded' });
    } else if (m.kind === 'watch') {
      for (const login of m.logins) watched.set(login, { oktaAt: 0, scimAt: 0 });
    } else if (m.kind === 'stats') {
      const oktaLog = okta.requests();
      const scimLog = scim.requests();
      reply({
        kind: 'stats',
        stats: {
          okta: {
            requests: oktaLog.length,
            writes: okta.writes().length,
            rateLimited: oktaLog.filter((r) => r.status === 429).length,
            ...(setup.oktaRateLimits ? { rateLimits: okta.rateLimitStats() } : {}),
          },
          scim: { requests: scimLog.length, writes: scim.writes().length },
        },
      });
    } else {
      clearInterval(timer);
      await okta.close();
      await scim.close();
      process.exit(0);
    }
  });
  reply({
    kind: 'ready',
    systemsYaml: systemsYamlFor(okta.url, scim.url),
    secrets: { ...targetSecrets },
  });
}

if (process.argv.includes('--peers-child')) void runChild();
