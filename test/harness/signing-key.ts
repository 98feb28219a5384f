import { generateKeyPairSync } from 'node:crypto';
import { parseSigningKey, type SigningKey } from '../../src/evidence/checkpoints/signing-key';

/** A fresh Ed25519 checkpoint signing key, read the way JML_EVIDENCE_SIGNING_KEY is. */
export function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return parseSigningKey(privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
}
