/**
 * `jml dev` with no systems configured: a sandbox to see the product work. A local SCIM 2.0
 * directory seeded with the sample roster stands in for a connected system, with the sample
 * policy; a webhook secret and API tokens are generated once and kept (mode 0600) in
 * `$JML_DATA_DIR/sandbox.json`, where `jml simulate` finds them. Nothing here is used once a
 * system is configured.
 */
import express from 'express';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sampleRoster, samplePolicy, type SamplePerson } from './roster';
import { scimQueryParser, scimRouter, ScimStore, seedGroup, seedUser } from './scim-directory';

/** What `jml simulate` and the printout need, kept between runs. */
export interface SandboxSecrets {
  webhookSecret: string;
  scimToken: string;
  adminToken: string;
  auditorToken: string;
}

export interface SandboxFile extends SandboxSecrets {
  /** The directory's base URL while `jml dev` runs. */
  scimUrl: string;
  roster: SamplePerson[];
}

export interface Sandbox {
  file: SandboxFile;
  /** Env the engine starts with: the generated secrets where the user set none. */
  env(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Top-level keys of the config file the sandbox supplies (systems, policy). */
  overlay: Record<string, unknown>;
  /** The printout's lines. */
  notice: string[];
  close(): Promise<void>;
}

export const sandboxFileName = 'sandbox.json';
/** The env var the sandbox system's token is read from (set by the sandbox itself). */
export const sandboxTokenEnv = 'JML_SANDBOX_SCIM_TOKEN';

const secret = () => randomBytes(24).toString('base64url');

/** The kept secrets, or new ones the first time. */
async function secretsIn(stateDir: string): Promise<SandboxSecrets> {
  const kept = await readSandboxFile(stateDir).catch(() => undefined);
  if (kept) return { webhookSecret: kept.webhookSecret, scimToken: kept.scimToken, adminToken: kept.adminToken, auditorToken: kept.auditorToken };
  return { webhookSecret: secret(), scimToken: secret(), adminToken: secret(), auditorToken: secret() };
}

/** The sandbox file `jml dev` wrote, or undefined when there is none (no sandbox ran here). */
export async function readSandboxFile(stateDir: string): Promise<SandboxFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, sandboxFileName), 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as SandboxFile;
}

export async function startSandbox(options: { stateDir: string; port?: number; source: NodeJS.ProcessEnv }): Promise<Sandbox> {
  await mkdir(options.stateDir, { recursive: true });
  const secrets = await secretsIn(options.stateDir);
  const store = new ScimStore(true);
  for (const person of sampleRoster.filter((p) => p.seeded)) {
    seedUser(store, { userName: person.workEmail, givenName: person.firstName, familyName: person.lastName, groups: person.groups });
  }
  // The groups the policy grants exist from the start, as in a real directory.
  for (const group of ['everyone', 'engineering', 'sales']) {
    if (![...store.groups.values()].some((g) => g.displayName === group)) seedGroup(store, { displayName: group });
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', scimQueryParser);
  app.use('/scim/v2', scimRouter(store, secrets.scimToken));
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const scimUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  const file: SandboxFile = { ...secrets, scimUrl, roster: [...sampleRoster] };
  await writeFile(join(options.stateDir, sandboxFileName), JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });

  const source = options.source;
  const generated = { webhook: !source.BAMBOOHR_WEBHOOK_SECRET, tokens: !source.JML_API_TOKENS };
  const people = sampleRoster.filter((p) => p.seeded).length;
  return {
    file,
    env: (env) => ({
      ...env,
      [sandboxTokenEnv]: secrets.scimToken,
      ...(generated.webhook ? { BAMBOOHR_WEBHOOK_SECRET: secrets.webhookSecret } : {}),
      ...(generated.tokens ? { JML_API_TOKENS: `admin:sandbox:${secrets.adminToken},auditor:sandbox:${secrets.auditorToken}` } : {}),
    }),
    overlay: { systems: [{ id: 'sandbox', type: 'scim', baseUrl: scimUrl, tokenEnv: sandboxTokenEnv }], policy: samplePolicy },
    notice: [
      `  Sandbox       no systems configured, so a local SCIM 2.0 directory stands in: ${scimUrl}`,
      `                (${people} sample people, employees 1001-1005; 1006 is a joiner to hire; policy: group:everyone, a group per department)`,
      ...(generated.webhook ? ['                BambooHR webhook secret generated'] : []),
      ...(generated.tokens ? [`                API tokens generated: auditor ${secrets.auditorToken}`, `                                      admin   ${secrets.adminToken}`] : []),
      `                kept in ${join(options.stateDir, sandboxFileName)}; try: jml simulate terminate --employee 1003`,
    ],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
