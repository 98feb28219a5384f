/**
 * Intake during a Temporal outage: how fast a webhook is answered while Temporal is down, and
 * how fast the stored events reach Temporal once it is back. For comparison, the same number of
 * webhooks is first posted with Temporal up. The engine (API + worker, as
 * `jml dev` wires them, production hand-over settings) runs on a Temporal dev server with a
 * SQLite file; the benchmark stops it, posts N signed BambooHR termination webhooks one at a
 * time (each a different worker) and times each answer, then starts Temporal again on the same
 * port and file and times until every event is handed over and every leaver has killed the
 * worker's sessions in both target systems (peers answering after 150 ms).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTemporalCli, temporalCliVersion } from '../src/temporal/cli-path';
import { freePort, startDevServer, type DevServer } from '../src/temporal/dev-server';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../test/harness/bamboohr';
import { startEngine, type TestEngine } from '../test/harness/engine';
import { startTargets, type Targets } from '../test/harness/targets';
import { codeVersion, databaseInfo, machine, writeResult, type Benchmark } from './common';
import { latencyMs } from './options';
import { summarise } from './stats';
import { benchArgs, wholeNumber } from './args';

function optionsOf(args: string[]): { n: number } {
  const values = benchArgs(args, { n: { type: 'string', default: '100' } });
  return { n: wholeNumber('n', values.n, 1, 5000) };
}

async function run(args: string[]): Promise<void> {
  const { n } = optionsOf(args);
  const log = (line: string) => console.error(`[bench intake-outage] ${line}`);
  const dir = await mkdtemp(join(tmpdir(), 'jml-bench-outage-'));
  const cli = await resolveTemporalCli({ log });
  if (cli.source === 'sdk-download') throw new Error('this benchmark restarts a Temporal dev server and needs the Temporal CLI (see README: Temporal CLI)');
  const port = await freePort();
  const startTemporal = () => startDevServer({ binary: cli.path, port, dbFile: join(dir, 'temporal.db') });
  let temporal: DevServer | undefined = await startTemporal();
  let targets: Targets | undefined;
  let engine: TestEngine | undefined;
  try {
    targets = await startTargets({ latencyMs });
    const worker = (base: number, prefix: string) => (_: unknown, i: number) => ({ employeeId: String(base + i), login: `${prefix}.${base + i}@acme.test` });
    const workers = Array.from({ length: n }, worker(810_001, 'outage'));
    const upWorkers = Array.from({ length: n }, worker(820_001, 'up'));
    for (const w of [...workers, ...upWorkers]) targets.seedWorker(w.login, []);
    log('starting the engine (API + worker; the worker bundles the workflows)');
    engine = await startEngine({
      yaml: `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s }\n`,
      env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, LOG_LEVEL: 'silent' },
      secrets: targets.secrets,
      temporalAddress: temporal.address,
    });
    const database = await databaseInfo(engine.db);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const postAll = async (list: typeof workers) => {
      const answerMs: number[] = [];
      for (const w of list) {
        const started = performance.now();
        const res = await postBambooWebhook(engine!.url, terminationDelivery(w.employeeId, w.login, yesterday));
        answerMs.push(performance.now() - started);
        if (res.status !== 202) throw new Error(`webhook for ${w.employeeId} answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      return summarise(answerMs.map((ms) => Math.round(ms * 10) / 10));
    };
    const offboarded = async (list: typeof workers, since: number) => {
      while (!list.every((w) => targets!.okta.sessionsOf(w.login) === 0 && targets!.scim.user(w.login)?.active === false)) {
        if (Date.now() - since > 30 * 60_000) throw new Error('not offboarded within 30 minutes');
        await new Promise((r) => setTimeout(r, 20));
      }
      return Date.now() - since;
    };

    log(`posting ${n} webhooks with Temporal up, for comparison`);
    const upBegan = Date.now();
    const answersUp = await postAll(upWorkers);
    const upOffboardedMs = await offboarded(upWorkers, upBegan);
    log(`with Temporal up: p50 ${answersUp.p50} ms, p95 ${answersUp.p95} ms, p99 ${answersUp.p99} ms; all offboarded ${upOffboardedMs} ms after the first POST`);

    log('stopping Temporal');
    await temporal.stop();
    temporal = undefined;
    const answers = await postAll(workers);
    log(`${n} webhooks answered with Temporal down: p50 ${answers.p50} ms, p95 ${answers.p95} ms, p99 ${answers.p99} ms`);
    // Let the hand-over fail and back off for a while, as it would in a real outage.
    await new Promise((r) => setTimeout(r, 30_000));

    log('starting Temporal again (same port, same SQLite file)');
    const restartBegan = Date.now();
    temporal = await startTemporal();
    const answering = Date.now();
    let handedOverMs = 0;
    while (!handedOverMs) {
      const { rows } = await engine.db.query<{ n: string }>(`SELECT count(*) AS n FROM hr_inbox WHERE status <> 'dispatched'`);
      if (Number(rows[0]!.n) === 0) handedOverMs = Date.now() - answering;
      else if (Date.now() - answering > 30 * 60_000) throw new Error('not handed over within 30 minutes of Temporal coming back');
      else await new Promise((r) => setTimeout(r, 20));
    }
    const allSessionsKilledMs = await offboarded(workers, answering);
    log(`Temporal answering ${answering - restartBegan} ms after its restart began; all ${n} handed over ${handedOverMs} ms later, all sessions killed after ${allSessionsKilledMs} ms`);

    const path = await writeResult('intake-outage', {
      benchmark: 'intake-outage',
      definition:
        'with Temporal stopped, N signed BambooHR termination webhooks posted one at a time (different workers): time from the start of each POST to its 202; then Temporal started again on the same port and SQLite file: time from it answering to every event handed over (hr_inbox all dispatched) and to every worker without sessions (Okta) and deactivated (SCIM). First, for comparison, N others posted the same way with Temporal up (answerMsWithTemporalUp)',
      n,
      peerLatencyMs: latencyMs,
      outageBeforeRestartMs: 30_000,
      answerMs: answers,
      answerMsWithTemporalUp: answersUp,
      offboardedWithTemporalUpMs: upOffboardedMs,
      temporalRestartMs: answering - restartBegan,
      handedOverAfterRestartMs: handedOverMs,
      allSessionsKilledAfterRestartMs: allSessionsKilledMs,
      handOver: 'production defaults: 8 lanes, 10 s per hand-over, backoff 250 ms doubling to 30 s; the first success after failures makes all failed events due',
      measuredWith: {
        database,
        temporal: `temporal dev server (CLI ${temporalCliVersion}, from ${cli.source}), SQLite file, restarted`,
        ...(codeVersion() ? { code: codeVersion() } : {}),
        process: 'API, worker, peers and the benchmark client share one Node process, as `jml dev` runs API and worker together',
        ...machine(),
      },
    });
    console.log(
      [
        '',
        '| Temporal | webhooks | answer p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | all handed over (ms) | all sessions killed (ms) |',
        '|---|---:|---:|---:|---:|---:|---:|---:|',
        `| up | ${n} | ${answersUp.p50} | ${answersUp.p95} | ${answersUp.p99} | ${answersUp.max} | - | ${upOffboardedMs} after the first POST |`,
        `| down | ${n} | ${answers.p50} | ${answers.p95} | ${answers.p99} | ${answers.max} | ${handedOverMs} after restart | ${allSessionsKilledMs} after restart |`,
        '',
        `written to ${path}`,
      ].join('\n'),
    );
  } finally {
    await engine?.close().catch((err: unknown) => log(`engine close: ${(err as Error).message}`));
    await targets?.close().catch(() => undefined);
    await temporal?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const intakeOutageBenchmark: Benchmark = {
  summary: 'webhooks answered while Temporal is down (p50/p95/p99), and the catch-up once it is back',
  run,
};
