/** Pieces of the printed tables every benchmark shares. */
import type { Spread } from './timeline';
import type { Summary } from './stats';

const labelWidth = 28;

export function summaryHeader(): string {
  return `${''.padEnd(labelWidth)}${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(8)).join('')}   (ms)`;
}

export function summaryRow(label: string, s: Summary): string {
  return `${label.padEnd(labelWidth)}${[s.p50, s.p95, s.p99, s.max].map((v) => String(v).padStart(8)).join('')}`;
}

/** One stage line (p50 ms), '-' when no worker had both ends. */
export function stageLine(label: string, s: Spread): string {
  return `  ${label.padEnd(44)}${s ? String(s.p50).padStart(6) : '     -'}`;
}

/** The p50 of a stage, or '-'. */
export const p50Of = (s: Spread) => (s ? String(s.p50) : '-');
