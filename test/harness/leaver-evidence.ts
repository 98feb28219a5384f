import type { EvidenceContext, EvidenceRecord, Outcome } from '../../src/evidence/types';

/** Evidence records as a leaver run writes them, for report tests (seq in creation order; hashes are placeholders). */
let seq = 0;
export function event(
  action: string,
  occurredAt: string,
  context: EvidenceContext,
  extra: { system?: string; entitlement?: string; outcome?: Outcome; employeeId?: string } = {},
): EvidenceRecord {
  seq += 1;
  return {
    seq,
    stepKey: `k${seq}`,
    employeeId: extra.employeeId ?? 'bamboohr-1',
    hrSource: 'bamboohr',
    actorType: 'engine',
    actorId: 'leaver',
    action,
    ...(extra.system ? { system: extra.system } : {}),
    ...(extra.entitlement ? { entitlement: extra.entitlement } : {}),
    occurredAt,
    recordedAt: occurredAt,
    outcome: extra.outcome ?? 'success',
    context,
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
  };
}

export const t = (s: number) => new Date(Date.UTC(2024, 4, 10, 9, 0, 0) + s * 1000).toISOString();

export interface LeaverSpec {
  id: string;
  effective?: number;
  received?: number;
  killedAfter?: number;
  revokedAfter?: number;
  sla?: number;
}

/** A leaver run; times are seconds after 2024-05-10T09:00Z. */
export function leaver(spec: LeaverSpec): EvidenceRecord[] {
  const workflowId = `leaver-${spec.id}`;
  const ctx = { workflowId };
  const effective = spec.effective ?? 0;
  const received = spec.received ?? 0;
  const start = Math.max(effective, received);
  const events = [
    event(
      'leaver.started',
      t(received),
      {
        workflowId,
        hrEventId: `ev-${spec.id}`,
        terminationEffectiveAt: t(effective),
        hrEventReceivedAt: t(received),
        slaSeconds: spec.sla ?? 60,
        fullRevokeSlaSeconds: 900,
        systems: ['okta', 'github'],
      },
      { employeeId: spec.id },
    ),
  ];
  if (spec.killedAfter !== undefined) {
    const at = t(start + spec.killedAfter);
    events.push(event('sessions.kill', at, ctx, { system: 'okta', employeeId: spec.id }));
    events.push(event('sessions.kill', at, ctx, { system: 'github', outcome: 'skipped', employeeId: spec.id }));
    events.push(event('leaver.sessions_killed', at, ctx, { employeeId: spec.id }));
  }
  if (spec.revokedAfter !== undefined) {
    const at = t(start + spec.revokedAfter);
    events.push(event('account.disable', at, ctx, { system: 'okta', employeeId: spec.id }));
    events.push(event('account.disable', at, ctx, { system: 'github', employeeId: spec.id }));
    events.push(event('leaver.completed', at, ctx, { employeeId: spec.id }));
  }
  return events;
}

