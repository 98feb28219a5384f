import { readFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import type { Targets } from './targets';

/** The shipped jml.config.example.yaml with only its systems' base URLs pointed at the local peers. */
export async function exampleConfigOn(targets: Targets): Promise<string> {
  const config = parse(await readFile('jml.config.example.yaml', 'utf8')) as { systems: { id: string; baseUrl: string }[] };
  for (const system of config.systems) system.baseUrl = system.id === 'okta' ? targets.okta.url : targets.scim.url;
  return stringify(config);
}
