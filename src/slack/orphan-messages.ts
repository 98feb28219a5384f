import type { MessageContent } from './approval-messages';
import { code, context, esc, fallback, header, section, sections, when } from './mrkdwn';

/** One new orphan as the security channel sees it: IDs only, never a login, name or email. */
export interface OrphanNotice {
  system: string;
  accountId: string;
  hrStatus: string;
  reason: string;
  orphanedSince: string;
  hrSource?: string;
  employeeId?: string;
}

export interface OrphansFoundInput {
  runId: string;
  newOrphans: OrphanNotice[];
  /** How many new orphans there were in all (the list may be cut short). */
  newCount: number;
  systems: { system: string; status: 'succeeded' | 'failed'; accounts: number; orphans: number; error?: string }[];
}

const maxListed = 50;

const reasons: Record<string, string> = {
  left: 'owner has left',
  hire_rescinded: "owner's hire was withdrawn",
  unknown_to_hr: 'HR has no worker with this email',
};

/** For the security channel, after an orphan reconciliation that found new orphans or could not list a system. */
export function orphansFoundMessage(input: OrphansFoundInput): MessageContent {
  const failed = input.systems.filter((s) => s.status === 'failed');
  const title = input.newCount > 0 ? `🕵️ ${input.newCount} new orphan account${input.newCount === 1 ? '' : 's'}` : '⚠️ Orphan reconciliation incomplete';
  const lines = input.newOrphans.slice(0, maxListed).map((o) => {
    const owner = o.employeeId ? ` · employee ${code(o.employeeId)} (${esc(o.hrSource ?? '', 50)})` : '';
    return `• *${esc(o.system, 100)}* account ${code(o.accountId)}: ${esc(reasons[o.reason] ?? o.reason, 60)}, HR status ${code(o.hrStatus, 30)}, orphaned since ${when(o.orphanedSince)}${owner}`;
  });
  if (input.newCount > lines.length) lines.push(`_…and ${input.newCount - lines.length} more: \`jml report orphans\` lists them all._`);
  const perSystem = input.systems.map((s) =>
    s.status === 'succeeded'
      ? `*${esc(s.system, 100)}*: ${s.accounts} account(s) listed, ${s.orphans} orphan(s) open`
      : `*${esc(s.system, 100)}*: ❌ listing failed (${esc(s.error ?? 'unknown error', 300)}); its orphans are not known for this run`,
  );
  const text =
    `${title}.` +
    (failed.length > 0 ? ` Listing failed in ${failed.map((s) => esc(s.system, 100)).join(', ')}.` : '') +
    ' Run `jml report orphans` (or GET /api/reports/orphans) for logins and details.';
  return {
    text: fallback(text),
    blocks: [
      header(title),
      ...(lines.length > 0 ? sections(lines, 20) : []),
      section(perSystem.join('\n')),
      context(`run ${code(input.runId, 150)} · logins are in the auditor report, not in this channel`),
    ],
  };
}
