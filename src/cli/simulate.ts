/**
 * `jml simulate hire|change|terminate --employee ID [--field k=v ...]`: sends the running engine a
 * BambooHR field-based webhook, signed as BambooHR signs it, through the same door as real HR.
 * The worker's fields come from the sandbox roster when `jml dev` runs one, else from --field.
 */
import { signBambooBody } from '../hris/bamboohr/signature';
import { readSandboxFile, type SandboxFile } from '../sandbox/sandbox';
import type { SamplePerson } from '../sandbox/roster';
import { allOptions, stringOption, UsageError, type ParsedArgs } from './args';

export const simulateEvents = ['hire', 'change', 'terminate'] as const;
type SimulatedEvent = (typeof simulateEvents)[number];

export interface SimulateEnv {
  PORT: number;
  JML_DATA_DIR: string;
  JML_DEV_UI_PORT: number;
  TEMPORAL_NAMESPACE: string;
  BAMBOOHR_WEBHOOK_SECRET?: string | undefined;
  /** The engine's base URL (default http://127.0.0.1:PORT). */
  JML_URL?: string | undefined;
  /** The Temporal Web UI's base URL (default jml dev's, http://127.0.0.1:JML_DEV_UI_PORT). */
  JML_TEMPORAL_UI_URL?: string | undefined;
}

type Fields = Record<string, string>;

/** The fields of a roster person, as BambooHR names them. */
function fieldsOf(p: SamplePerson): Fields {
  return {
    workEmail: p.workEmail,
    firstName: p.firstName,
    lastName: p.lastName,
    department: p.department,
    jobTitle: p.jobTitle,
    ...(p.supervisorEId ? { supervisorEId: p.supervisorEId } : {}),
    ...(p.hireDate ? { hireDate: p.hireDate } : {}),
    status: 'Active',
  };
}

function parseFields(args: ParsedArgs): Fields {
  const fields: Fields = {};
  for (const entry of allOptions(args, 'field')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--field ${entry}: use name=value (e.g. --field department=Sales)`);
    fields[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return fields;
}

/** The delivery for one event: its action, the fields it changed and every field it carries. */
export function simulatedDelivery(event: SimulatedEvent, employeeId: string, known: Fields, given: Fields, today: string) {
  const base = { ...known, ...given };
  let action: 'Created' | 'Updated';
  let fields: Fields;
  let changed: string[];
  if (event === 'hire') {
    action = 'Created';
    // BambooHR writes "no date" as 0000-00-00.
    fields = { hireDate: today, terminationDate: '0000-00-00', ...base, status: 'Active' };
    changed = Object.keys(fields);
  } else if (event === 'terminate') {
    action = 'Updated';
    // Dated today and involuntary: acted on at once, as a same-day dismissal is.
    fields = { ...base, status: 'Inactive', terminationDate: given.terminationDate ?? today, terminationType: given.terminationType ?? 'Involuntary' };
    changed = ['status', 'terminationDate', 'terminationType'];
  } else {
    if (Object.keys(given).length === 0) throw new UsageError('simulate change: say what changed with --field, e.g. --field department=Sales');
    action = 'Updated';
    fields = base;
    changed = Object.keys(given);
  }
  if (!fields.workEmail) throw new UsageError(`simulate ${event}: employee ${employeeId} is not in the sandbox roster: give --field workEmail=... (and the other fields HR would send)`);
  return { employees: [{ id: employeeId, action, timestamp: new Date().toISOString(), changedFields: changed, fields }] };
}

export async function runSimulate(args: ParsedArgs, env: SimulateEnv, out: (line: string) => void): Promise<number> {
  const event = args.positional[1];
  if (!simulateEvents.includes(event as SimulatedEvent)) throw new UsageError(`simulate: use "simulate ${simulateEvents.join('|')} --employee ID"`);
  const employeeId = stringOption(args, 'employee', true);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(employeeId)) throw new UsageError('--employee: an employee ID of letters, digits, _ and - (e.g. 1003)');
  const sandbox = await readSandboxFile(env.JML_DATA_DIR);
  const secret = env.BAMBOOHR_WEBHOOK_SECRET ?? sandbox?.webhookSecret;
  if (!secret) throw new UsageError(`no BambooHR webhook secret: set BAMBOOHR_WEBHOOK_SECRET as the engine has it, or run jml dev without systems (its sandbox keeps one in ${env.JML_DATA_DIR}/sandbox.json)`);
  const person = sandbox?.roster.find((p) => p.employeeId === employeeId);
  const today = new Date().toISOString().slice(0, 10);
  const delivery = simulatedDelivery(event as SimulatedEvent, employeeId, person ? fieldsOf(person) : {}, parseFields(args), today);

  const base = (env.JML_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/+$/, '');
  const raw = JSON.stringify(delivery);
  const timestamp = String(Math.floor(Date.now() / 1000));
  let res: Response;
  try {
    res = await fetch(`${base}/webhooks/bamboohr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signBambooBody(secret, raw, timestamp) },
      body: raw,
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    out(`the engine did not answer at ${base}: is jml dev (or jml server) running? (JML_URL sets where it is)`);
    return 1;
  }
  const answer = (await res.json().catch(() => ({}))) as { events?: { kind: string; duplicate: boolean; workflowIds: string[] }[]; error?: string; message?: string };
  if (res.status !== 202) {
    out(`the engine answered ${res.status}${answer.message ? `: ${answer.message}` : answer.error ? `: ${answer.error}` : ''}`);
    return 1;
  }
  const ui = (env.JML_TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.JML_DEV_UI_PORT}`).replace(/\/+$/, '');
  const events = answer.events ?? [];
  if (events.length === 0) out(`sent ${event} for employee ${employeeId}: accepted, but nothing in it is a lifecycle change the engine acts on`);
  for (const e of events) {
    out(`sent ${event} for employee ${employeeId}: 202, ${e.kind}${e.duplicate ? ' (a duplicate: nothing new started)' : ''}`);
    for (const id of e.workflowIds) out(`  ${id.padEnd(44)} ${ui}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(id)}`);
  }
  printNext(out, base, employeeId, today, sandbox);
  return 0;
}

function printNext(out: (line: string) => void, base: string, employeeId: string, today: string, sandbox: SandboxFile | undefined): void {
  const token = sandbox ? sandbox.auditorToken : '$AUDITOR_TOKEN';
  out('then:');
  out(`  evidence  curl -s -H "Authorization: Bearer ${token}" ${base}/api/employees/bamboohr:${employeeId}/evidence`);
  out(`  report    curl -s -H "Authorization: Bearer ${token}" "${base}/api/reports/offboarding?from=${today}&to=${today}&format=csv"`);
  out(`  verify    curl -s -H "Authorization: Bearer ${token}" ${base}/api/evidence/verify`);
  out(`  console   ${base}/console?from=${today}&to=${today}  (sign in with the auditor token)`);
  out('  (jml report offboarding and jml evidence verify read the database directly once jml dev has stopped)');
}
