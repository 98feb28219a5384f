import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Env } from '../config/env';
import { KEY_ID_PATTERN, type NamedKey } from '../config/encryption-keys';

/** `encoding` metadata of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with, so keys can be rotated. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const text = new TextEncoder();
const utf8 = new TextDecoder('utf-8');

/** First 8 hex characters of the key's SHA-256: names a key without revealing it. */
export function keyIdOf(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Thrown when an encrypted payload cannot be turned back into its original. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** A key as EncryptionCodec takes it: bare (named by keyIdOf) or with its configured ID. */
export type CodecKey = Uint8Array | NamedKey;

/**
 * AES-256-GCM over the whole serialised Payload (metadata and data), so the original encoding
 * is hidden too. Wire format of `data`: 12-byte random IV, ciphertext, 16-byte GCM tag.
 * The first key encrypts; every key can decrypt (rotation: put the new key first, keep the old).
 * A named key also decrypts payloads that name it by its SHA-256 prefix: what it wrote while it
 * was JML_ENCRYPTION_KEY, before it moved into JML_ENCRYPTION_KEYS.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();
  /** The IDs keys were given, in order (the first encrypts). */
  readonly keyIds: readonly string[];
  readonly keyId: string;

  constructor(keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new TypeError('EncryptionCodec needs at least one key');
    const named = keys.map((k) => (k instanceof Uint8Array ? { id: keyIdOf(k), key: k } : k));
    for (const { id, key } of named) {
      if (key.length !== 32) throw new TypeError(`an AES-256 key is 32 bytes, got ${key.length}`);
      if (!KEY_ID_PATTERN.test(id)) throw new TypeError('a key ID is 1-64 letters, digits, ".", "_" or "-"');
      if (this.keys.has(id)) throw new TypeError(`key ID ${id} is given twice`);
      this.keys.set(id, Buffer.from(key));
    }
    // Configured IDs win over a digest that happened to equal one.
    for (const { key } of named) if (!this.keys.has(keyIdOf(key))) this.keys.set(keyIdOf(key), Buffer.from(key));
    this.keyIds = named.map((k) => k.id);
    this.keyId = this.keyIds[0] as string;
  }

  /** From JML_ENCRYPTION_KEY's base64 text. */
  static fromBase64(key: string): EncryptionCodec {
    return new EncryptionCodec([Buffer.from(key, 'base64')]);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.keyId) as Buffer;
    return payloads.map((payload) => {
      const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: text.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text.encode(this.keyId) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || utf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError(`encrypted payload without "${KEY_ID_METADATA}" metadata`);
    const keyId = utf8.decode(idBytes);
    const key = this.keys.get(keyId);
    if (!key) {
      // The ID comes from history: shown only when it looks like one.
      const named = KEY_ID_PATTERN.test(keyId) ? `key ${keyId}` : 'a key whose ID is not a valid key ID';
      throw new PayloadDecryptionError(
        `payload was encrypted with ${named}, which this process does not have (its keys: ${this.keyIds.join(', ')}): add that key to JML_ENCRYPTION_KEYS`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload is too short (${data.length} bytes)`);
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const sealed = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(sealed), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`payload encrypted with key ${keyId} failed authentication: it was altered, or the key is not the one it was written with`);
    }
    try {
      return proto.temporal.api.common.v1.Payload.decode(plain);
    } catch (err) {
      throw new PayloadDecryptionError(`decrypted payload is not a Temporal Payload: ${(err as Error).message}`);
    }
  }
}

export type KeyEnv = Pick<Env, 'JML_ENCRYPTION_KEY' | 'JML_ENCRYPTION_KEYS'>;

/** The codec for JML_ENCRYPTION_KEYS or JML_ENCRYPTION_KEY, or undefined when no key is set. */
export function codecFor(env: KeyEnv): EncryptionCodec | undefined {
  if (env.JML_ENCRYPTION_KEYS) return new EncryptionCodec(env.JML_ENCRYPTION_KEYS);
  return env.JML_ENCRYPTION_KEY ? EncryptionCodec.fromBase64(env.JML_ENCRYPTION_KEY) : undefined;
}

/**
 * The module whose failure converter encodes failure messages and stack traces (failure-converter.ts;
 * in the production build, dist/failure-converter.cjs beside the compiled code).
 */
const builtConverter = new URL('./failure-converter.cjs', import.meta.url);
export const encodedFailureConverterPath = fileURLToPath(existsSync(builtConverter) ? builtConverter : new URL('./failure-converter.ts', import.meta.url));

/**
 * Data converter for clients and workers when a key is set: payloads encrypted, and failures'
 * messages and stack traces too (moved into an encrypted payload; Temporal keeps them in clear
 * otherwise). A worker that bundles its workflow code at start-up bundles the converter with it.
 */
export function dataConverterFor(env: KeyEnv): DataConverter | undefined {
  const codec = codecFor(env);
  return codec ? { payloadCodecs: [codec], failureConverterPath: encodedFailureConverterPath } : undefined;
}
