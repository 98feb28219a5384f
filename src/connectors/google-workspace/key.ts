/** The service account's JSON key, as the Google Cloud console downloads it, parsed once at start-up. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const keyFileSchema = z.object({
  type: z.literal('service_account'),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  private_key_id: z.string().min(1).optional(),
  client_id: z.string().min(1).optional(),
});

export interface ServiceAccountKey {
  clientEmail: string;
  /** The OAuth client ID domain-wide delegation is granted to (Admin console: Security > API controls). */
  clientId?: string;
  keyId?: string;
  privateKey: KeyObject;
}

/**
 * Parses the key file's contents. Errors name the system and what is wrong, never the contents:
 * the key is a credential.
 */
export function parseServiceAccountKey(system: string, json: string, source: string): ServiceAccountKey {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`system "${system}": the service account key in ${source} is not JSON`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
    throw new Error(`system "${system}": the service account key in ${source} is not a service account JSON key (check ${fields})`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(parsed.data.private_key);
  } catch {
    throw new Error(`system "${system}": the private_key of the service account key in ${source} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`system "${system}": the service account key in ${source} is not an RSA key (RS256 needs one)`);
  return { clientEmail: parsed.data.client_email, clientId: parsed.data.client_id, keyId: parsed.data.private_key_id, privateKey };
}

/** The key from the env var's value or from the file, whichever the system's config names (exactly one). */
export function loadServiceAccountKey(system: string, from: { keyEnv?: string; keyFile?: string }, secrets: Record<string, string>): ServiceAccountKey {
  if (from.keyEnv) {
    const value = secrets[from.keyEnv];
    if (!value) throw new Error(`system "${system}": secret ${from.keyEnv} is not set`);
    return parseServiceAccountKey(system, value, from.keyEnv);
  }
  if (!from.keyFile) throw new Error(`system "${system}": set keyEnv or keyFile`);
  let text: string;
  try {
    text = readFileSync(from.keyFile, 'utf8');
  } catch (err) {
    throw new Error(`system "${system}": cannot read keyFile ${from.keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseServiceAccountKey(system, text, `keyFile ${from.keyFile}`);
}
