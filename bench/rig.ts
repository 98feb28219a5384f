/**
 * The set-up every lifecycle benchmark measures against: a headless Temporal dev server, local
 * peers for the target systems (every response after `latencyMs`), and the engine's API and
 * worker in this process as `jml dev` wires them (test/harness/engine.ts), with a fresh schema.
 */
import { bambooSecret } from '../test/harness/bamboohr';
import { startEngine, type TestEngine } from '../test/harness/engine';
import { startTargets, type Targets } from '../test/harness/targets';
import { codeVersion, databaseInfo, machine, startTemporal, type BenchTemporal } from './common';
import { loadMeter } from './load-meter';
import { latencyMs, minimumN } from './options';

export interface Rig {
  log: (line: string) => void;
  /** Epoch ms the benchmark began (before the idle check). */
  began: number;
  /** How busy the machine was just before the benchmark started its servers. */
  machineCpuBusyBeforeStartPercent: number | null;
  code: ReturnType<typeof codeVersion>;
  temporal: BenchTemporal;
  targets: Targets;
  engine: TestEngine;
  database: Awaited<ReturnType<typeof databaseInfo>>;
}

export interface RigOptions {
  /** The benchmark's name, for log lines. */
  name: string;
  /** Measured samples asked for; below the definition's minimum the log says so. */
  n: number;
  /** jml.config.yaml after the `systems:` block (policy, SLAs, ...). */
  config: string;
  /** Seeds the peers before the engine starts (e.g. the groups the policy grants). */
  seed?: (targets: Targets) => void;
  /** More engine environment (e.g. an HRIS API pointed at a peer). */
  env?: Record<string, string>;
  /** Every peer response after this many ms (default: the definitions' 150). */
  latencyMs?: number;
}

/** Starts everything, runs the body, and stops everything again whatever happens. */
export async function withRig(options: RigOptions, body: (rig: Rig) => Promise<void>): Promise<void> {
  const log = (line: string) => console.error(`[bench ${options.name}] ${line}`);
  if (options.n < minimumN) log(`--n ${options.n} is below the definition's minimum of ${minimumN}: the figures are indicative only`);
  const began = Date.now();

  // Other work on the machine skews latency figures; record how busy it was before we started.
  const idle = loadMeter();
  await new Promise((r) => setTimeout(r, 2000));
  const before = idle().machineCpuBusyPercent;
  if (before !== null && before > 25) log(`the machine was ${before}% busy before the benchmark started: figures will carry that noise`);

  const code = codeVersion();
  log('starting Temporal dev server');
  const temporal = await startTemporal(log);
  let targets: Targets | undefined;
  let engine: TestEngine | undefined;
  try {
    targets = await startTargets({ latencyMs: options.latencyMs ?? latencyMs });
    options.seed?.(targets);
    log('starting the engine (API + worker; the worker bundles the workflows)');
    engine = await startEngine({
      yaml: `${targets.systemsYaml}\n${options.config}`,
      env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret, LOG_LEVEL: 'silent', ...options.env },
      secrets: targets.secrets,
      temporalAddress: temporal.address,
    });
    const database = await databaseInfo(engine.db);
    await body({ log, began, machineCpuBusyBeforeStartPercent: before, code, temporal, targets, engine, database });
  } finally {
    await engine?.close().catch((err: unknown) => log(`engine close: ${(err as Error).message}`));
    await targets?.close().catch((err: unknown) => log(`peers close: ${(err as Error).message}`));
    await temporal.stop();
  }
}

/** Where and on what the figures were measured, for the result file. */
export function measuredWith(rig: Rig) {
  return {
    database: rig.database,
    temporal: rig.temporal.kind,
    ...(rig.code ? { code: rig.code } : {}),
    process: 'API, worker, peers and the benchmark client share one Node process, as `jml dev` runs API and worker together',
    ...machine(),
  };
}

/** A fresh employee ID and work email per worker, so no run meets an earlier one's state. */
export function idSource(base: number, loginPrefix: string): () => { employeeId: string; login: string } {
  let seq = 0;
  return () => {
    const employeeId = String(base + ++seq);
    return { employeeId, login: `${loginPrefix}.${employeeId}@acme.test` };
  };
}
