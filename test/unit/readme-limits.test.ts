import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { withTable } from '../../scripts/connector-limits';

it("README's connector limits table is the catalog's (npx tsx scripts/connector-limits.ts rewrites it)", () => {
  const readme = readFileSync('README.md', 'utf8');
  expect(readme).toBe(withTable(readme));
});
