import { canonicalJson } from '../evidence/hash';
import type { LeaverRow, OffboardingReport, SystemTiming } from './offboarding';

export type CsvCell = string | number | boolean | null;

/** The report's columns, in the order DESIGN names them. */
export const offboardingColumns = [
  'employeeId',
  'hrSource',
  'terminationEffectiveAt',
  'hrEventReceivedAt',
  'sessionsKilledAt',
  'accessRevokedAt',
  'secondsToSessionsKilled',
  'secondsToFullRevoke',
  'slaSeconds',
  'withinSla',
  'systems',
  'exceptions',
  'approvals',
] as const satisfies readonly (keyof LeaverRow)[];

/**
 * One header line and one line per leaver, RFC 4180 (CRLF, quoted where needed). Nested
 * columns are flattened for a spreadsheet:
 *   systems    `okta=success killed@2024-05-01T10:00:05.000Z disabled@2024-05-01T10:00:09.000Z; github=pending ...`
 *   exceptions `first; second`
 *   approvals  compact JSON of each approval, `; `-separated
 * A missing value is an empty cell.
 */
export function offboardingCsv(report: OffboardingReport): string {
  const lines = [offboardingColumns.map((c) => csvCell(c))];
  for (const leaver of report.leavers) {
    lines.push(
      offboardingColumns.map((column) => {
        switch (column) {
          case 'systems':
            return csvCell(systemsCell(leaver.systems));
          case 'exceptions':
            return csvCell(leaver.exceptions.join('; '));
          case 'approvals':
            return csvCell(leaver.approvals.map((a) => canonicalJson(a)).join('; '));
          default:
            return csvCell(leaver[column]);
        }
      }),
    );
  }
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

function systemsCell(systems: Record<string, SystemTiming>): string {
  return Object.entries(systems)
    .map(([name, s]) => `${name}=${s.outcome} killed@${s.sessionsKilledAt ?? '-'} disabled@${s.disabledAt ?? '-'}`)
    .join('; ');
}

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula (starting with = + - @,
 * tab or CR) gets a leading apostrophe; numbers and booleans we format ourselves are left alone.
 */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
