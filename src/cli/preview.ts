import { loadConfig } from '../config/load';
import { createConnectors } from '../connectors/registry';
import { matchByFields } from '../connectors/catalog';
import { parseEmployeeRef } from '../preview/employee-ref';
import { OverrideError, parseOverrides } from '../preview/overrides';
import { previewEvents, type PreviewEvent, type SystemPreview } from '../preview/plan';
import { employeePreview, type EmployeePreview } from '../preview/service';
import { dataConverterFor } from '../temporal/codec';
import { connectClient, temporalTarget } from '../temporal/connect';
import { allOptions, stringOption, UsageError, type ParsedArgs } from './args';

/**
 * `jml preview --employee ID --event hire|change|terminate [--set field=value ...] [--format table|json]`:
 * what that HR event would change for the worker, from their workflow's attributes and a fresh
 * read of every configured system. Changes nothing. Exit 0, or 1 when a system could not be read.
 */
export async function runPreview(args: ParsedArgs, print: (text: string) => void): Promise<number> {
  const request = parseRequest(args);
  const config = await loadConfig();
  const connectors = createConnectors(config.file.systems, config.secrets);
  const client = await connectClient(temporalTarget({ namespace: config.env.TEMPORAL_NAMESPACE }), dataConverterFor(config.env));
  try {
    const preview = await employeePreview({ client, connectors, policy: config.file.policy, matchBy: matchByFields(config.file.systems) }, request);
    print(request.format === 'json' ? `${JSON.stringify(preview, null, 2)}\n` : renderPreview(preview));
    return preview.complete ? 0 : 1;
  } finally {
    await client.connection.close();
  }
}

function parseRequest(args: ParsedArgs) {
  const employee = stringOption(args, 'employee', true);
  const event = stringOption(args, 'event', true);
  const format = stringOption(args, 'format') ?? 'table';
  if (!(previewEvents as readonly string[]).includes(event)) throw new UsageError(`--event: "${event}" is not an event (use ${previewEvents.join(', ')})`);
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format: "${format}" (use table or json)`);
  try {
    return { ref: parseEmployeeRef(employee), event: event as PreviewEvent, overrides: parseOverrides(allOptions(args, 'set')), format };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const option = err instanceof OverrideError ? '--set' : '--employee';
    throw new UsageError(`${option}: ${(err as Error).message}`);
  }
}

/** The preview as a readable table: one block per system, one line per step. */
export function renderPreview(preview: EmployeePreview): string {
  const lines: string[] = [];
  const lifecycle = preview.exists ? `lifecycle ${preview.lifecycle}` : 'no workflow yet';
  lines.push(`Preview of "${preview.event}" for ${preview.source}:${preview.employeeId} (${lifecycle}). Nothing has been changed.`);
  const overridden = new Set(Object.keys(preview.overrides));
  const attributes = Object.entries(preview.worker).map(([field, value]) => `${field}=${value}${overridden.has(field) ? ' *' : ''}`);
  const cleared = Object.entries(preview.overrides).filter(([, value]) => value === null).map(([field]) => `${field} cleared *`);
  lines.push(`Worker: ${[...attributes, ...cleared].join(', ') || '(no attributes)'}${overridden.size > 0 ? '   (* from --set)' : ''}`);
  lines.push('');

  const width = Math.max(6, ...preview.systems.map((s) => s.system.length));
  for (const system of preview.systems) {
    lines.push(`${system.system.padEnd(width)}  ${accountText(system)}`);
    const steps = stepLines(system);
    for (const [action, detail] of steps) lines.push(`  ${action.padEnd(9)} ${detail}`);
    if (steps.length === 0 && !system.error) lines.push('  (no change)');
    for (const note of system.notes) lines.push(`  note: ${note}`);
  }
  lines.push('');
  lines.push(`${preview.steps} step(s) would run.`);
  for (const warning of preview.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

function accountText(system: SystemPreview): string {
  if (system.error) return `could not be read: ${system.error.code}: ${system.error.message}`;
  return system.account ? `account ${system.account.id} (${system.account.status})` : 'no account';
}

function stepLines(system: SystemPreview): [string, string][] {
  const rules = (r: string[]) => `(${r.length === 1 ? 'rule' : 'rules'} ${r.join(', ')})`;
  return [
    ...(system.createAccount ? [['create', 'account'] as [string, string]] : []),
    ...system.grants.map((g): [string, string] => ['grant', `${g.entitlement}  ${rules(g.rules)}`]),
    ...system.approvals.map((g): [string, string] => ['approval', `${g.entitlement}  ${rules(g.rules)}: asked for, granted once approved`]),
    ...(system.killSessions ? [['kill', 'sessions'] as [string, string]] : []),
    ...(system.disableAccount ? [['disable', 'account'] as [string, string]] : []),
    ...system.revokes.map((e): [string, string] => ['revoke', e]),
  ];
}
