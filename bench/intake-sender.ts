/**
 * The intake benchmark's client, run as its own process (so its work does not share the
 * engine's event loop): signs BambooHR deliveries as BambooHR does and POSTs them, open loop
 * at a fixed rate (each send is due at its slot whether or not earlier answers have come), and
 * reports every answer's time and status to the parent over IPC.
 *
 * Modes (the parent sends one job as the first IPC message):
 *  - rate: `rate` deliveries/s for `seconds`, one termination per delivery, each a new worker;
 *    then the first `duplicates` of them again, byte for byte (freshly signed), one at a time.
 *  - bulk: one field-based delivery terminating `employees` workers, then the same again.
 */
import { signBambooBody } from '../src/hris/bamboohr/signature';

export type SenderJob =
  | { mode: 'rate'; url: string; secret: string; rate: number; seconds: number; idBase: number; duplicates: number; terminationDate: string }
  | { mode: 'bulk'; url: string; secret: string; employees: number; idBase: number; terminationDate: string };

export interface Answer {
  /** ms after the run began that the POST was due, and started. */
  dueMs: number;
  startedMs: number;
  ms: number;
  status: number;
  accepted: number;
  duplicates: number;
  bytes: number;
}

export interface SenderReport {
  answers: Answer[];
  duplicateAnswers: Answer[];
  failures: string[];
  /** CPU this process used, ms. */
  cpuMs: number;
}

function termination(employeeId: string, terminationDate: string, timestamp: string) {
  return {
    id: employeeId,
    action: 'Updated',
    timestamp,
    changedFields: ['status', 'terminationDate'],
    fields: { workEmail: `intake.${employeeId}@acme.test`, firstName: 'Bench', lastName: 'Intake', status: 'Inactive', hireDate: '2020-01-06', terminationDate },
  };
}

async function post(job: SenderJob, raw: string, dueMs: number, began: number, failures: string[]): Promise<Answer> {
  const startedMs = performance.now() - began;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = signBambooBody(job.secret, raw, timestamp);
  try {
    const res = await fetch(`${job.url}/webhooks/bamboohr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signature },
      body: raw,
    });
    const text = await res.text();
    const ms = performance.now() - began - startedMs;
    let accepted = 0;
    let duplicates = 0;
    if (res.status === 202) ({ accepted, duplicates } = JSON.parse(text) as { accepted: number; duplicates: number });
    else if (failures.length < 20) failures.push(`${res.status}: ${text.slice(0, 200)}`);
    return { dueMs, startedMs, ms, status: res.status, accepted, duplicates, bytes: raw.length };
  } catch (err) {
    if (failures.length < 20) failures.push((err as Error).message);
    return { dueMs, startedMs, ms: performance.now() - began - startedMs, status: 0, accepted: 0, duplicates: 0, bytes: raw.length };
  }
}

async function rate(job: Extract<SenderJob, { mode: 'rate' }>): Promise<Omit<SenderReport, 'cpuMs'>> {
  const total = Math.round(job.rate * job.seconds);
  const bodies: string[] = [];
  const failures: string[] = [];
  const inFlight: Promise<Answer>[] = [];
  const began = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - began) * job.rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const raw = JSON.stringify({ employees: [termination(String(job.idBase + sent), job.terminationDate, new Date().toISOString())] });
        if (sent < job.duplicates) bodies.push(raw);
        inFlight.push(post(job, raw, (sent * 1000) / job.rate, began, failures));
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const answers = await Promise.all(inFlight);
  const duplicateAnswers: Answer[] = [];
  for (const raw of bodies) duplicateAnswers.push(await post(job, raw, performance.now() - began, began, failures));
  return { answers, duplicateAnswers, failures };
}

async function bulk(job: Extract<SenderJob, { mode: 'bulk' }>): Promise<Omit<SenderReport, 'cpuMs'>> {
  const timestamp = new Date().toISOString();
  const raw = JSON.stringify({ employees: Array.from({ length: job.employees }, (_, i) => termination(String(job.idBase + i), job.terminationDate, timestamp)) });
  const failures: string[] = [];
  const began = performance.now();
  const first = await post(job, raw, 0, began, failures);
  const again = await post(job, raw, performance.now() - began, began, failures);
  return { answers: [first], duplicateAnswers: [again], failures };
}

process.once('message', (job: SenderJob) => {
  const cpu0 = process.cpuUsage();
  void (job.mode === 'rate' ? rate(job) : bulk(job)).then(
    (report) => {
      const cpu = process.cpuUsage(cpu0);
      process.send!({ ...report, cpuMs: Math.round((cpu.user + cpu.system) / 1000) } satisfies SenderReport, () => process.exit(0));
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
