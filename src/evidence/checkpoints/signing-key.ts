import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * An Ed25519 key pair that signs evidence checkpoints. The key ID is derived from the public key
 * (`ed25519:` + the first 16 hex of the SHA-256 of its SubjectPublicKeyInfo DER), so it can never
 * name the wrong key, and an auditor holding only the public key computes the same ID.
 */
export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface VerifyingKey {
  keyId: string;
  publicKey: KeyObject;
}

/** A key that cannot be read; the message never repeats the key material. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/**
 * JML_EVIDENCE_SIGNING_KEY: an Ed25519 private key as base64 of its PKCS#8 DER (one line, as
 * `openssl genpkey -algorithm ed25519 -outform DER | base64 -w0` writes it) or as PKCS#8 PEM text.
 */
export function parseSigningKey(text: string): SigningKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  try {
    privateKey = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey({ key: trimmed, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(base64Only(trimmed), 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new SigningKeyError('not an Ed25519 private key (base64 PKCS#8 DER or PEM; see `jml evidence keygen`)');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key, not Ed25519 (see \`jml evidence keygen\`)`);
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** A public key file (SPKI PEM, as `jml evidence public-key` writes it). */
export function parsePublicKey(pem: string): VerifyingKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError('not a public key in PEM form');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError('not an Ed25519 public key');
  return { keyId: keyIdOf(publicKey), publicKey };
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function publicKeyPem(key: { publicKey: KeyObject }): string {
  return key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

export function signText(key: SigningKey, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
}

export function verifyText(key: VerifyingKey, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function base64Only(text: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new SigningKeyError('not base64');
  return text;
}
