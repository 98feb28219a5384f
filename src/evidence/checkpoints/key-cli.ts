import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf, publicKeyPem, type SigningKey } from './signing-key';

/**
 * `jml evidence keygen`: a new Ed25519 key pair. Prints the line to put in the secret store
 * (JML_EVIDENCE_SIGNING_KEY, base64 PKCS#8 DER) and the public key to give auditors (SPKI PEM).
 */
export function runKeygen(out: (text: string) => void): number {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  out(`# key ID ${keyIdOf(publicKey)}: keep the next line secret (JML_EVIDENCE_SIGNING_KEY)\n`);
  out(`JML_EVIDENCE_SIGNING_KEY=${der}\n`);
  out(`# the public key, for auditors (jml evidence public-key prints it again from the signing key)\n`);
  out(publicKeyPem({ publicKey }));
  return 0;
}

/** `jml evidence public-key`: the public half of JML_EVIDENCE_SIGNING_KEY, as PEM, and its key ID on stderr. */
export function runPublicKey(key: SigningKey | undefined, out: (text: string) => void, err: (line: string) => void): number {
  if (!key) {
    err('jml: JML_EVIDENCE_SIGNING_KEY is not set');
    return 2;
  }
  err(`key ID ${key.keyId}`);
  out(publicKeyPem(key));
  return 0;
}
