/**
 * README's table of each connector type's defaults and the vendor limits they follow, written
 * from the connector catalog between the connector-limits markers (`npx tsx scripts/connector-limits.ts`);
 * a unit test fails when README and the catalog disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connectorCatalog } from '../src/connectors/catalog';
import type { ConnectorDescriptor } from '../src/connectors/descriptor';

export function limitsTable(): string {
  const rows = (connectorCatalog as readonly ConnectorDescriptor[]).map((d) => {
    const rps = d.limits.requestsPerSecond ? `${d.limits.requestsPerSecond}${d.limits.costOf ? ' (points: a read 1, a write 5)' : ''}` : 'headers only';
    const kinds = d.entitlementKinds.map((k) => `\`${k}:\``).join(', ');
    const abilities = d.abilities.length ? d.abilities.join(', ') : '-';
    return `| \`${d.type}\` | ${d.limits.maxConcurrency} | ${rps} | ${d.limits.requestsPerStep ?? 3} | ${kinds} | ${abilities} | ${d.limits.documented} |`;
  });
  return [
    '| type | maxConcurrency | requestsPerSecond | requestsPerStep | entitlements | abilities | vendor\'s documented limits |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const markers = { start: '<!-- connector-limits:start -->', end: '<!-- connector-limits:end -->' };

export function withTable(readme: string): string {
  const start = readme.indexOf(markers.start);
  const end = readme.indexOf(markers.end);
  if (start === -1 || end === -1) throw new Error('README has no connector-limits markers');
  return `${readme.slice(0, start + markers.start.length)}\n${limitsTable()}\n${readme.slice(end)}`;
}

if (process.argv[1]?.endsWith('connector-limits.ts')) {
  writeFileSync('README.md', withTable(readFileSync('README.md', 'utf8')));
}
