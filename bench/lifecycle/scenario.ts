/**
 * A lifecycle scenario: one kind of worker (leaver, joiner, ...) measured from the signed
 * webhook POST to a state observed at the peers, against the same calls made directly. The
 * runner (runner.ts) does the passes, the reading and the file; a scenario says what to send,
 * what to wait for, what the baseline calls, which milestones to extract and what to print.
 */
import type { EvidenceRecord } from '../../src/evidence/types';
import type { TestEngine } from '../../test/harness/engine';
import type { Targets } from '../../test/harness/targets';
import type { PeerRequest } from '../../test/peers/request-log';
import type { ConcurrentFigures } from '../concurrent';
import type { DirectConnectors } from '../direct';
import type { HistoryEvent } from '../history';
import type { Load } from '../load-meter';
import type { Options } from '../options';
import type { PeerWatch, Seen } from '../peer-watch';
import type { Rig } from '../rig';
import type { Summary } from '../stats';

export interface Worker {
  employeeId: string;
  login: string;
}

/** One measured worker, through the engine or directly. */
export interface Sample extends Worker {
  /** Epoch ms just before the webhook POST (engine) or the first direct call (baseline). */
  startAt: number;
  /** When the awaited state was seen in every system. */
  seen: Seen;
  /** Engine: 202 received. Baseline: the direct call chains returned. */
  returnedAt: number;
  employeeWorkflowId?: string;
  /** The lifecycle child workflow (leaver-..., joiner-...). */
  workflowId?: string;
}

/** The measured figure: from the start to the state seen in every system. */
export const sampleMs = (s: Sample) => s.seen.at - s.startAt;

export interface Context {
  engine: TestEngine;
  targets: Targets;
  watch: PeerWatch;
  direct: DirectConnectors;
  nextId: () => Worker;
  /** Workers measured and not yet reset (see Scenario.reset). */
  measured: Worker[];
}

export interface PeerLogs {
  okta: PeerRequest[];
  scim: PeerRequest[];
}

/** What a scenario's milestones are read from: the worker's evidence and its two workflow histories. */
export interface WorkerRecords {
  evidence: EvidenceRecord[];
  employee: HistoryEvent[];
  child: HistoryEvent[];
}

export type Milestones<K extends string> = Record<K, number | undefined>;

/** What the runner measured, for the scenario's result file and table. */
export interface Measured<Calls, K extends string> {
  options: Options;
  rig: Rig;
  watch: PeerWatch;
  engineSamples: Sample[];
  baselineSamples: Sample[];
  engineCalls: Calls[];
  baselineCalls: Calls[];
  rows: Milestones<K>[];
  logs: PeerLogs;
  load: Load;
  engine: Summary;
  baseline: Summary;
}

/** The figures every scenario's file carries, computed by the runner (report.ts). */
export interface Common {
  headline: {
    n: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    maxMs: number;
    minMs: number;
    meanMs: number;
    baselineP50Ms: number;
    baselineP95Ms: number;
    baselineP99Ms: number;
    baselineMaxMs: number;
    ratioP50: number;
  };
  check: { engineFromRequestLogMs: Summary; baselineFromRequestLogMs: Summary; enginePollDelayMs: Summary; baselinePollDelayMs: Summary };
  poll: { pollCpuMsTotal: number; polls: number };
  httpCalls: { engine: string[]; baseline: string[]; engineCountP50: number; baselineCountP50: number };
  conditions: { latencyMs: number; concurrency: 1; machineCpuBusyBeforeStartPercent: number | null; load: Load };
  measuredWith: Record<string, unknown>;
}

export type ConcurrentSection<U extends string, Stages> = ConcurrentFigures<U> & { stages?: Stages };

export interface Scenario<Calls, K extends string, Stages, U extends string, R extends object> {
  name: string;
  /** Plural noun: 'leavers' gives engineLeaversPerMinute in the concurrent section. */
  unit: U;
  /** First employee ID and login prefix; every worker gets a fresh one. */
  ids: { base: number; loginPrefix: string };
  /** jml.config.yaml after `systems:`. */
  config: string;
  seed?: (targets: Targets) => void;
  /** What to send: the BambooHR delivery for one worker. */
  delivery(worker: Worker): unknown;
  /** The child workflow the 202 names, by ID prefix ('leaver-'). */
  workflowPrefix: string;
  /** Before the clock starts (e.g. seed a live account for a leaver). */
  prepare?(ctx: Context, worker: Worker): void;
  /** What to wait for, started before the clock. */
  watch(ctx: Context, worker: Worker): Promise<Seen>;
  /** The baseline: the same effect made directly with the engine's connectors. */
  baseline(ctx: Context, worker: Worker): Promise<void>;
  /** Off the clock, after each engine + baseline pair and before each concurrent half: put the peers back (e.g. empty groups). */
  reset?(ctx: Context): Promise<void>;
  concurrentNote: string;
  /** The worker's requests in the peers' logs. */
  peerCalls(targets: Targets, logs: PeerLogs, s: Sample): Calls;
  /** The earliest the awaited state can have held, from the request logs. */
  lowerBound(calls: Calls): number | undefined;
  /** Which stages to extract. */
  milestones(records: WorkerRecords, s: Sample, calls: Calls): Milestones<K>;
  milestoneOrder: readonly K[];
  stagesOf(rows: Milestones<K>[]): Stages;
  /** The result file, laid out from the common figures. */
  result(m: Measured<Calls, K>, common: Common, concurrent: ConcurrentSection<U, Stages> | undefined): R;
  /** What to print: the two headline labels, lines after them, stage lines, and the concurrent pass's stage line. */
  print: {
    engineLabel: string;
    baselineLabel: string;
    afterSummary(result: R): string[];
    stageLines(result: R): string[];
    concurrentStages(stages: Stages): string;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScenario = Scenario<any, string, any, string, object>;
