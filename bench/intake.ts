/**
 * Intake benchmark: how fast signed BambooHR webhooks are answered at a steady rate, and whether
 * every one is stored once and handed over once. A second process (intake-sender.ts) signs and
 * POSTs `--rate` deliveries a second for `--seconds` (one termination each, a new worker each),
 * open loop, then re-sends the first `--duplicates` byte for byte; the API (as `jml server` runs
 * it, intake-api.ts) answers in this process. Then one field-based delivery of `--employees`
 * terminations, and the same again. Checked: no delivery lost (inbox rows = events accepted),
 * none duplicated (one employee workflow per worker, each signalled once; a re-send adds no row
 * and no signal), and how long the hand-over to Temporal took after the answers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { workflowTypes } from '../src/temporal/messages';
import { bambooSecret } from '../test/harness/bamboohr';
import { childrenCpu, codeVersion, databaseInfo, namedProcessesCpuMs, machine, startTemporal, writeResult, type Benchmark } from './common';
import type { IntakeApi } from './intake-api';
import { startIntakeApi } from './intake-api';
import type { Answer, SenderJob, SenderReport } from './intake-sender';
import { loadMeter } from './load-meter';
import { round, summarise } from './stats';
import { benchArgs, wholeNumber } from './args';

export const intakeTargets = { answerP99Ms: 50, bulkAnswerMs: 1000 };

interface IntakeOptions {
  rate: number;
  seconds: number;
  employees: number;
  duplicates: number;
  /** Hand-over lanes (the dispatcher's hand-overs in flight); production's default is 8. */
  lanes: number;
}

function optionsOf(args: string[]): IntakeOptions {
  const values = benchArgs(args, {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    employees: { type: 'string', default: '1000' },
    duplicates: { type: 'string', default: '100' },
    lanes: { type: 'string', default: '8' },
  });
  const int = wholeNumber;
  const rate = int('rate', values.rate, 1, 5000);
  const seconds = int('seconds', values.seconds, 1, 600);
  return { rate, seconds, lanes: int('lanes', values.lanes, 1, 64), employees: int('employees', values.employees, 1, 5000), duplicates: Math.min(int('duplicates', values.duplicates, 0, 100_000), rate * seconds) };
}

const senderPath = fileURLToPath(new URL('./intake-sender.ts', import.meta.url));

/** Runs one job in a fresh sender process and returns its report. */
function send(job: SenderJob): Promise<SenderReport> {
  const child: ChildProcess = fork(senderPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Settles once the process has exited, so its CPU is not counted as another child's.
  return new Promise((resolve, reject) => {
    let report: SenderReport | undefined;
    child.once('message', (r) => (report = r as SenderReport));
    child.once('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`sender exited with ${code}`))));
    child.once('spawn', () => child.send(job));
  });
}

async function count(api: IntakeApi, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await api.db.query<{ n: string | number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Waits until nothing in the inbox waits for a hand-over; ms from `since`. */
async function handedOver(api: IntakeApi, since: number): Promise<number> {
  for (;;) {
    if ((await count(api, `SELECT count(*) AS n FROM hr_inbox WHERE status <> 'dispatched'`)) === 0) return Date.now() - since;
    if (Date.now() - since > 30 * 60_000) throw new Error('inbox not handed over within 30 minutes');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Inbox rows of a range of employee IDs (the bench's workers have numeric IDs). */
const rowsBetween = (api: IntakeApi, from: number, to: number) =>
  count(api, `SELECT count(*) AS n FROM hr_inbox WHERE employee_id::bigint >= $1 AND employee_id::bigint < $2`, [from, to]);

/** Employee workflows on the bench's task queue (Temporal visibility). */
async function employeeWorkflows(api: IntakeApi): Promise<number> {
  const query = `WorkflowType = '${workflowTypes.employee}' AND TaskQueue = '${api.taskQueue}'`;
  // Visibility catches up a moment after the starts.
  let last = -1;
  for (let i = 0; i < 50; i++) {
    const { count: n } = await api.client.workflow.count(query);
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

/** Signals each of these workers' workflows received (one per stored event: the start's). */
async function signalsOf(api: IntakeApi, employeeIds: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of employeeIds) {
    const history = await api.client.workflow.getHandle(`employee-bamboohr-${id}`).fetchHistory();
    out.push((history.events ?? []).filter((e) => e.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length);
  }
  return out;
}

const ms = (answers: Answer[]) => summarise(answers.map((a) => round(a.ms, 1)));

async function run(args: string[]): Promise<void> {
  const options = optionsOf(args);
  const log = (line: string) => console.error(`[bench intake] ${line}`);
  const idle = loadMeter();
  await new Promise((r) => setTimeout(r, 2000));
  const busyBefore = idle().machineCpuBusyPercent;
  if (busyBefore !== null && busyBefore > 25) log(`the machine was ${busyBefore}% busy before the benchmark started: figures will carry that noise`);
  const began = Date.now();
  const terminationDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  log('starting Temporal dev server');
  const temporal = await startTemporal(log);
  let api: IntakeApi | undefined;
  try {
    api = await startIntakeApi({ temporalAddress: temporal.address, secret: bambooSecret, lanes: options.lanes });
    const database = await databaseInfo(api.db);
    const base = { url: api.url, secret: bambooSecret, terminationDate };

    // A short warm-up at a tenth of the rate, on workers of its own (JIT, connection pools).
    log('warm-up: 2 s at a tenth of the rate');
    const warmup = await send({ ...base, mode: 'rate', rate: Math.max(1, Math.round(options.rate / 10)), seconds: 2, idBase: 5_000_000, duplicates: 0 });
    const warmupWorkers = warmup.answers.reduce((n, a) => n + a.accepted, 0);
    await handedOver(api, Date.now());

    const total = options.rate * options.seconds;
    const idBase = 6_000_000;
    log(`${options.rate} deliveries/s for ${options.seconds} s from a second process (${total} deliveries), then ${options.duplicates} re-sent`);
    const load = loadMeter();
    const cpu0 = { engine: process.cpuUsage(), children: childrenCpu()?.ms, postgres: namedProcessesCpuMs('postgres') };
    const rateReport = await send({ ...base, mode: 'rate', rate: options.rate, seconds: options.seconds, idBase, duplicates: options.duplicates });
    const rateLoad = load();
    const engineCpu = process.cpuUsage(cpu0.engine);
    const childrenAfter = childrenCpu()?.ms;
    const postgresAfter = namedProcessesCpuMs('postgres');
    const perDelivery = (cpuMs: number | undefined) => (cpuMs === undefined ? null : round(cpuMs / total, 2));
    const cpuMsPerDelivery = {
      note: 'CPU time used during the rate phase (answers and the hand-over that ran meanwhile) divided by the deliveries; postgres is a lower bound (backends that exit take theirs with them)',
      engineProcess: perDelivery((engineCpu.user + engineCpu.system) / 1000),
      temporalServer: perDelivery(childrenAfter !== undefined && cpu0.children !== undefined ? childrenAfter - cpu0.children : undefined),
      postgres: perDelivery(postgresAfter !== undefined && cpu0.postgres !== undefined ? postgresAfter - cpu0.postgres : undefined),
      sender: perDelivery(rateReport.cpuMs),
    };
    const lastAnswer = Date.now();
    const rateHandOverMs = await handedOver(api, lastAnswer);
    const ok = rateReport.answers.filter((a) => a.status === 202);
    const acceptedEvents = ok.reduce((n, a) => n + a.accepted, 0);
    const rows = await rowsBetween(api, idBase, idBase + total);
    const resentOk = rateReport.duplicateAnswers.filter((a) => a.status === 202 && a.accepted === 0 && a.duplicates === 1).length;
    const workflows = await employeeWorkflows(api);
    const resentIds = Array.from({ length: options.duplicates }, (_, i) => String(idBase + i));
    const signals = await signalsOf(api, resentIds);
    const lateSends = summarise(rateReport.answers.map((a) => round(a.startedMs - a.dueMs, 1)));
    const answers = ms(ok);
    log(`answers p50 ${answers.p50} ms, p95 ${answers.p95} ms, p99 ${answers.p99} ms; ${ok.length}/${total} answered 202; inbox rows ${rows}; handed over ${rateHandOverMs} ms after the last answer`);

    log(`one field-based delivery of ${options.employees} terminations, then the same again`);
    const bulkBase = 7_000_000;
    const bulkReport = await send({ ...base, mode: 'bulk', employees: options.employees, idBase: bulkBase });
    const bulkAnswered = Date.now();
    const bulkHandOverMs = await handedOver(api, bulkAnswered);
    const bulk = bulkReport.answers[0]!;
    const bulkAgain = bulkReport.duplicateAnswers[0]!;
    const bulkRows = await rowsBetween(api, bulkBase, bulkBase + options.employees);
    const workflowsAfterBulk = await employeeWorkflows(api);

    const result = {
      benchmark: 'intake',
      definition:
        `${options.rate} signed BambooHR deliveries a second for ${options.seconds} s (one termination each, a new worker each), open loop from a second process; ` +
        'answer = from the start of the POST to the end of the 202 body, measured in the sending process. Then the first deliveries re-sent byte for byte, and one field-based delivery of ' +
        `${options.employees} terminations, answered once stored and handed over to Temporal after the answer`,
      targets: { ...intakeTargets, answerP99Met: answers.p99 < intakeTargets.answerP99Ms, bulkAnswerMet: bulk.ms < intakeTargets.bulkAnswerMs },
      rate: {
        ratePerSecond: options.rate,
        handOverLanes: options.lanes,
        seconds: options.seconds,
        deliveries: total,
        answered202: ok.length,
        otherAnswers: rateReport.answers.length - ok.length,
        failures: rateReport.failures,
        answerMs: answers,
        sendLateByMs: lateSends,
        eventsAccepted: acceptedEvents,
        inboxRows: rows,
        lost: acceptedEvents - rows,
        handedOverAfterLastAnswerMs: rateHandOverMs,
        load: rateLoad,
        cpuMsPerDelivery,
      },
      duplicates: {
        resent: rateReport.duplicateAnswers.length,
        answeredAsDuplicate: resentOk,
        inboxRowsAfter: await rowsBetween(api, idBase, idBase + total),
        signalsPerResentWorker: { min: Math.min(...signals), max: Math.max(...signals) },
        answerMs: rateReport.duplicateAnswers.length > 0 ? ms(rateReport.duplicateAnswers) : null,
      },
      workflows: {
        employeeWorkflowsAfterRate: workflows,
        note: 'one employee workflow per worker whose delivery was accepted (the warm-up workers included)',
        expected: acceptedEvents + warmupWorkers,
        duplicated: workflows - (acceptedEvents + warmupWorkers),
        employeeWorkflowsAfterBulk: workflowsAfterBulk,
        expectedAfterBulk: acceptedEvents + warmupWorkers + bulk.accepted,
      },
      bulk: {
        employees: options.employees,
        bodyBytes: bulk.bytes,
        status: bulk.status,
        accepted: bulk.accepted,
        answerMs: round(bulk.ms, 1),
        inboxRows: bulkRows,
        handedOverAfterAnswerMs: bulkHandOverMs,
        resent: { status: bulkAgain.status, accepted: bulkAgain.accepted, duplicates: bulkAgain.duplicates, answerMs: round(bulkAgain.ms, 1) },
        failures: bulkReport.failures,
      },
      percentiles: 'nearest rank',
      process:
        'the API as `jml server` runs it (HTTP API and the hand-over to Temporal, production pool and hand-over settings) in the benchmark process, with no worker: ' +
        'the employee workflows are started (signal-with-start) and wait for a worker; the deliveries come from a separate Node process on the same machine',
      machineCpuBusyBeforeStartPercent: busyBefore,
      measuredWith: { database, temporal: temporal.kind, ...(codeVersion() ? { code: codeVersion() } : {}), ...machine() },
      durationSeconds: round((Date.now() - began) / 1000),
    };
    const path = await writeResult('intake', result);
    const pct = (s: { p50: number; p95: number; p99: number; max: number }) => `${s.p50} | ${s.p95} | ${s.p99} | ${s.max}`;
    console.log(
      [
        '',
        '| intake | deliveries | answer p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | lost | duplicated | handed over after the last answer (ms) |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        `| ${options.rate}/s for ${options.seconds} s | ${total} | ${pct(answers)} | ${result.rate.lost} | ${result.workflows.duplicated} | ${rateHandOverMs} |`,
        `| ${options.duplicates} re-sent | ${rateReport.duplicateAnswers.length} | ${result.duplicates.answerMs ? pct(result.duplicates.answerMs) : '- | - | - | -'} | - | ${resentOk} answered duplicate, signals per worker ${result.duplicates.signalsPerResentWorker.max} | - |`,
        `| one delivery of ${options.employees} | 1 | ${round(bulk.ms, 1)} | - | - | - | ${options.employees - bulkRows} | ${workflowsAfterBulk - result.workflows.expectedAfterBulk} | ${bulkHandOverMs} |`,
        '',
        `targets: p99 < ${intakeTargets.answerP99Ms} ms at ${options.rate}/s: ${result.targets.answerP99Met ? 'met' : 'MISSED'}; ${options.employees} employees answered < ${intakeTargets.bulkAnswerMs} ms: ${result.targets.bulkAnswerMet ? 'met' : 'MISSED'}`,
        `CPU during the rate phase (% of one core): ${JSON.stringify(rateLoad.cpuPercentOfOneCore)}`,
        `CPU ms per delivery: engine ${cpuMsPerDelivery.engineProcess}, Temporal ${cpuMsPerDelivery.temporalServer}, Postgres ${cpuMsPerDelivery.postgres}, sender ${cpuMsPerDelivery.sender}`,
        `written to ${path}`,
      ].join('\n'),
    );
  } finally {
    await api?.close().catch((err: unknown) => log(`api close: ${(err as Error).message}`));
    await temporal.stop();
  }
}

export const intakeBenchmark: Benchmark = {
  summary: 'signed BambooHR webhooks at 500/s from a second process: answer p50/p95/p99, none lost or duplicated; one delivery of 1,000 employees',
  run,
};
