import { z } from 'zod';

/** A key ID of JML_ENCRYPTION_KEYS: written into every payload's metadata, so never secret. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** 32 bytes in standard base64, as `openssl rand -base64 32` writes them. */
export const KEY_BASE64_PATTERN = /^[A-Za-z0-9+/]{43}=$/;

/** An AES-256 key with the ID payloads name it by. */
export interface NamedKey {
  id: string;
  key: Uint8Array;
}

/**
 * JML_ENCRYPTION_KEYS: `keyId:base64key` entries, comma-separated; the first encrypts, all decrypt.
 * An error names the entry by its position and never repeats what it holds: a misplaced key
 * would otherwise end up in logs.
 */
export const encryptionKeyList = z.string().transform((value, ctx): NamedKey[] => {
  const entries = value.split(',');
  const keys: NamedKey[] = [];
  const positionOf = new Map<string, number>();
  for (const [index, raw] of entries.entries()) {
    const position = index + 1;
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    let problem: string | undefined;
    if (entry === '') problem = 'empty';
    else if (colon < 0) problem = 'not keyId:base64key';
    else if (!KEY_ID_PATTERN.test(id)) problem = 'the key ID must be 1-64 letters, digits, ".", "_" or "-"';
    else if (!KEY_BASE64_PATTERN.test(key)) problem = 'the key must be 32 bytes, base64-encoded (openssl rand -base64 32)';
    else if (positionOf.has(id)) problem = `the same key ID as entry ${positionOf.get(id)} (key IDs are unique)`;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `entry ${position}: ${problem}; entries are keyId:base64key, comma-separated, the encrypting key first` });
      return z.NEVER;
    }
    positionOf.set(id, position);
    keys.push({ id, key: Buffer.from(key, 'base64') });
  }
  return keys;
});
