import type { MessageContent } from './approval-messages';
import { clockTime, code, context, esc, fallback, header, listOf, oneLine, plainTime, secondsBetween, seconds, section, sections, when } from './mrkdwn';

/** success | failure | skipped | not_found for each step of a leaver in one system. */
export interface LeaverSystemOutcome {
  system: string;
  sessions: string;
  disabled: string;
  entitlements: string;
  /** How its sessions ended: killed, disabled (no session call), not_found (no account), skipped. */
  sessionsEndedBy?: string;
  sessionsEndedAt?: string;
  /** An account the engine had seen before was gone: worth a look (renamed? deleted by hand?). */
  vanished?: boolean;
}

export interface LeaverFinishedInput {
  employeeId: string;
  hrSource: string;
  terminationEffectiveAt: string;
  clockStartAt: string;
  sessionsKilledAt: string;
  accessRevokedAt: string;
  slaSeconds: number;
  withinSla: boolean;
  systems: LeaverSystemOutcome[];
}

export interface SlaBreachInput {
  employeeId: string;
  hrSource: string;
  budgetMs: number;
  clockStartAt: string;
  at: string;
  pendingSystems?: string[];
}

export interface JoinerProvisionedInput {
  employeeId: string;
  hrSource: string;
  name?: string;
  startAt: string;
  systems: { system: string; granted: string[] }[];
  pendingApprovals: { system: string; entitlement: string }[];
}

const maxSystemLines = 200;
const maxEntitlementsPerSystem = 20;

const outcomeIcons: Record<string, string> = { success: '✅', failure: '⚠️', skipped: '➖', not_found: '∅' };

/** ✅ / ⚠️ / ➖ for a known outcome; anything else is shown as escaped text. */
const outcome = (value: string) => outcomeIcons[value] ?? `❔ ${esc(value, 30)}`;

/** `60 s`, or `1.5 s` when not whole. */
const budget = (s: number) => (Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`);

const employee = (employeeId: string, hrSource: string) => `employee ${esc(employeeId)} (${esc(hrSource, 50)})`;

/** For the security channel. Carries IDs only: no worker name or email. */
export function leaverFinishedMessage(input: LeaverFinishedInput): MessageContent {
  const toSessions = secondsBetween(input.clockStartAt, input.sessionsKilledAt);
  const toRevoke = secondsBetween(input.clockStartAt, input.accessRevokedAt);
  const title = input.withinSla ? 'Leaver offboarded' : 'Leaver offboarded — SLA missed';
  const failures = input.systems.reduce(
    (n, s) => n + [s.sessions, s.disabled, s.entitlements].filter((o) => o === 'failure').length,
    0,
  );
  const summary = [
    `*Employee:* ${code(input.employeeId)} (${esc(input.hrSource, 50)})`,
    `*Termination effective:* ${when(input.terminationEffectiveAt)}`,
    `*Clock started:* ${when(input.clockStartAt)}`,
    `*Sessions killed:* ${when(input.sessionsKilledAt)} — *${seconds(toSessions)}* after the clock started`,
    `*Access fully revoked:* ${when(input.accessRevokedAt)} — *${seconds(toRevoke)}* after the clock started`,
    `*SLA:* ${budget(input.slaSeconds)} — ${input.withinSla ? '✅ met' : '❌ missed'}`,
  ];
  const systemLines = input.systems.map((s) => {
    const ended = s.sessionsEndedBy && s.sessionsEndedAt ? ` (${esc(s.sessionsEndedBy, 30)} at ${clockTime(s.sessionsEndedAt)})` : '';
    const vanished = s.vanished ? ' · ⚠️ an account the engine knew of is gone: check it was not renamed or moved' : '';
    return `*${esc(s.system, 100)}*: sessions ${outcome(s.sessions)}${ended} · account disabled ${outcome(s.disabled)} · entitlements ${outcome(s.entitlements)}${vanished}`;
  });
  const shownSystems =
    systemLines.length > maxSystemLines
      ? [...systemLines.slice(0, maxSystemLines), `_…and ${systemLines.length - maxSystemLines} more systems._`]
      : systemLines;
  const failed = failures > 0 ? ` ${failures} step(s) failed.` : '';
  const text =
    `${title}: ${employee(input.employeeId, input.hrSource)}. Sessions killed in ${seconds(toSessions)}, ` +
    `access revoked in ${seconds(toRevoke)}; SLA ${budget(input.slaSeconds)} ${input.withinSla ? 'met' : 'missed'}.${failed}`;
  return {
    text: fallback(text),
    blocks: [
      header(title),
      section(summary.join('\n')),
      ...(shownSystems.length > 0 ? sections(['*Per system*', ...shownSystems], 40) : [section('_No systems were involved._')]),
      context('✅ success · ⚠️ failure · ➖ skipped · ∅ no account'),
    ],
  };
}

/** For the security channel, when a leaver's sessions are not all killed within the budget. */
export function slaBreachAlert(input: SlaBreachInput): MessageContent {
  const within = budget(input.budgetMs / 1000);
  const headline = `🚨 Leaver SLA breach: sessions for ${employee(input.employeeId, input.hrSource)} not killed within ${within}`;
  const pending = (input.pendingSystems ?? []).map((s) => code(s, 100));
  const pendingPlain = (input.pendingSystems ?? []).map((s) => esc(s, 100));
  const lines = [
    headline,
    `*Clock started:* ${when(input.clockStartAt)}`,
    `*Breach recorded:* ${when(input.at)}`,
    ...(pending.length > 0 ? [`*Still pending:* ${listOf(pending, 50)}`] : []),
  ];
  const text = pendingPlain.length > 0 ? `${headline}. Still pending: ${listOf(pendingPlain, 50)}.` : `${headline}.`;
  return { text: fallback(text), blocks: [header('🚨 Leaver SLA breach'), section(lines.join('\n'))] };
}

/** To the manager: the joiner is ready, what was granted, and what still waits for approval. */
export function joinerProvisionedMessage(input: JoinerProvisionedInput): MessageContent {
  const named = input.name !== undefined && oneLine(input.name) !== '';
  const who = named
    ? `*${esc(input.name ?? '')}* (employee ${code(input.employeeId)}, ${esc(input.hrSource, 50)})`
    : `Employee ${code(input.employeeId)} (${esc(input.hrSource, 50)})`;
  const whoPlain = named
    ? `${esc(input.name ?? '')} (employee ${esc(input.employeeId)}, ${esc(input.hrSource, 50)})`
    : employee(input.employeeId, input.hrSource);
  const granted = input.systems.map((s) =>
    s.granted.length > 0
      ? `• *${esc(s.system, 100)}*: ${listOf(s.granted.map((e) => code(e)), maxEntitlementsPerSystem)}`
      : `• *${esc(s.system, 100)}*: account only`,
  );
  const pending = input.pendingApprovals.map((p) => `• ${code(p.entitlement)} in *${esc(p.system, 100)}*`);
  const grantCount = input.systems.reduce((n, s) => n + s.granted.length, 0);
  const text =
    `Joiner ready: ${whoPlain} starts ${plainTime(input.startAt)}. ` +
    `Granted ${grantCount} entitlement(s) in ${input.systems.length} system(s)` +
    (input.pendingApprovals.length > 0 ? `; ${input.pendingApprovals.length} still await(s) approval.` : '; nothing awaits approval.');
  return {
    text: fallback(text),
    blocks: [
      header('New joiner ready'),
      section(`${who} is ready to start on ${when(input.startAt)}.`),
      ...(granted.length > 0 ? sections(['*Granted*', ...granted], 20) : [section('*Granted*\nNothing yet.')]),
      ...(pending.length > 0 ? sections(['*Waiting for approval*', ...pending], 20) : [section('*Waiting for approval*\nNothing: all access is in place.')]),
    ],
  };
}

export interface HrEventUnverifiedInput {
  hrEventId: string;
  hrSource: string;
  employeeId: string;
  workflowId: string;
  reason: string;
}

/**
 * For the security channel: a workflow was given an HR event the intake never stored (or one
 * that differs from it), so it did nothing. IDs and the reason only: no HR data.
 */
export function hrEventUnverifiedAlert(input: HrEventUnverifiedInput): MessageContent {
  const headline = `🚨 HR event refused: not verified against the inbox, for ${employee(input.employeeId, input.hrSource)}`;
  const lines = [
    headline,
    `*HR event:* ${code(input.hrEventId, 200)}`,
    `*Workflow:* ${code(input.workflowId, 200)}`,
    `*Reason:* ${code(input.reason, 50)}`,
    'Nothing was done to any system. Someone with access to Temporal may have signalled or started a workflow directly.',
  ];
  const text = `${headline}: ${esc(input.reason, 50)} (HR event ${esc(input.hrEventId, 200)}, workflow ${esc(input.workflowId, 200)}).`;
  return { text: fallback(text), blocks: [header('🚨 HR event refused'), section(lines.join('\n'))] };
}
