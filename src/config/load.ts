import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configFileSchema, type ConfigFile } from './file';
import { envSchema, type Env } from './env';
import { validatePolicy } from '../policy';
import { descriptorOf } from '../connectors/catalog';

export interface AppConfig {
  env: Env;
  file: ConfigFile;
  /** Secrets each system's descriptor names (tokenEnv, ...), read once at start-up. */
  secrets: Record<string, string>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** One line naming the key and the reason, e.g. `jml.config.yaml: sla.leaverSessionKill: not a duration`. */
export function describeIssue(where: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return `${where}: ${path || '(root)'}: ${issue.message}`;
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw new ConfigError(describeIssue('env', result.error.issues[0]!));
  return result.data;
}

export function parseConfigFile(text: string, where: string, overlay: Record<string, unknown> = {}): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`${where}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  // Top-level keys supplied by the program (jml dev's sandbox: systems and policy) replace the file's.
  if (Object.keys(overlay).length > 0) raw = { ...(typeof raw === 'object' && raw !== null ? raw : {}), ...overlay };
  const result = configFileSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssue(where, result.error.issues[0]!));
  const problem = validatePolicy(result.data.policy)[0];
  if (problem) throw new ConfigError(`${where}: ${problem.path}: ${problem.message}`);
  return result.data;
}

/** Reads env and the YAML file once; the rest of the program gets precise types. */
export async function loadConfig(source: NodeJS.ProcessEnv = process.env, overlay: Record<string, unknown> = {}): Promise<AppConfig> {
  const env = parseEnv(source);
  let text = '';
  try {
    text = await readFile(env.JML_CONFIG, 'utf8');
  } catch (err) {
    const explicit = source.JML_CONFIG !== undefined;
    if (explicit || (err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`env: JML_CONFIG: cannot read ${env.JML_CONFIG}: ${(err as Error).message}`);
    }
  }
  const file = parseConfigFile(text, env.JML_CONFIG, overlay);
  const secrets: Record<string, string> = {};
  for (const system of file.systems) {
    for (const name of descriptorOf(system.type)?.secretEnvs(system) ?? []) {
      const value = source[name];
      if (!value) throw new ConfigError(`env: ${name}: not set (secret for system "${system.id}")`);
      secrets[name] = value;
    }
  }
  for (const [i, sink] of file.evidence.sinks.entries()) {
    if (sink.type !== 'http' || !sink.tokenEnv) continue;
    const value = source[sink.tokenEnv];
    if (!value) throw new ConfigError(`env: ${sink.tokenEnv}: not set (token of evidence.sinks.${i})`);
    secrets[sink.tokenEnv] = value;
  }
  return { env, file, secrets };
}
