import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Env } from '../config/env';

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

/**
 * AES-256-GCM over the whole serialised Payload (metadata and data), so the original encoding
 * is hidden too. Wire format of `data`: 12-byte random IV, ciphertext, 16-byte GCM tag.
 * The first key encrypts; every key can decrypt (rotation: put the new key first, keep the old).
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  readonly keyId: string;

  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new TypeError('EncryptionCodec needs at least one key');
    this.keys = new Map();
    for (const key of keys) {
      if (key.length !== 32) throw new TypeError(`an AES-256 key is 32 bytes, got ${key.length}`);
      this.keys.set(keyIdOf(key), Buffer.from(key));
    }
    this.keyId = keyIdOf(keys[0] as Uint8Array);
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
      throw new PayloadDecryptionError(
        `payload was encrypted with key ${keyId}, but JML_ENCRYPTION_KEY is key ${this.keyId}: set the key the payload was written with`,
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

/** The codec for JML_ENCRYPTION_KEY, or undefined when no key is set. */
export function codecFor(env: Pick<Env, 'JML_ENCRYPTION_KEY'>): EncryptionCodec | undefined {
  return env.JML_ENCRYPTION_KEY ? EncryptionCodec.fromBase64(env.JML_ENCRYPTION_KEY) : undefined;
}

/** Data converter for clients and workers: payloads encrypted when JML_ENCRYPTION_KEY is set. */
export function dataConverterFor(env: Pick<Env, 'JML_ENCRYPTION_KEY'>): DataConverter | undefined {
  const codec = codecFor(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
