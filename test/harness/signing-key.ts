import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSigningKey, publicKeyPem, type SigningKey } from '../../src/evidence/checkpoints/signing-key';

/** A fresh Ed25519 checkpoint signing key, read the way JML_EVIDENCE_SIGNING_KEY is. */
export function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return parseSigningKey(privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
}

/** A fresh signing key, with its public key written to DIR/public.pem (what an auditor is handed). */
export async function newSigningKeyFile(dir: string): Promise<{ key: SigningKey; keyFile: string }> {
  const key = newSigningKey();
  const keyFile = join(dir, 'public.pem');
  await writeFile(keyFile, publicKeyPem(key));
  return { key, keyFile };
}
