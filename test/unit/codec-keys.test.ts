import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../src/config/load';
import { payloadMode } from '../../src/runtime/payload-mode';
import { codecFor, EncryptionCodec, KEY_ID_METADATA, keyIdOf, PayloadDecryptionError } from '../../src/temporal/codec';

const utf8 = (b: Uint8Array | undefined | null) => Buffer.from(b ?? []).toString('utf8');
const a = randomBytes(32);
const b = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');
const hrEvent = { employeeId: '502', workEmail: 'rota.tion@acme.test' };
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const value = (payload: Payload | undefined) => defaultPayloadConverter.fromPayload(payload!);

/** The one line parseEnv throws, or undefined. */
function envError(env: Record<string, string>): string | undefined {
  try {
    parseEnv(env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('JML_ENCRYPTION_KEYS', () => {
  it('encrypts with the first key under its configured ID and decrypts with every key', async () => {
    const rotated = codecFor(parseEnv({ JML_ENCRYPTION_KEYS: ` new:${b64(b)} , old:${b64(a)}` }))!;
    expect(rotated.keyIds).toEqual(['new', 'old']);
    const [fresh] = await rotated.encode([plain(hrEvent)]);
    expect(utf8(fresh!.metadata?.[KEY_ID_METADATA])).toBe('new');

    const before = codecFor(parseEnv({ JML_ENCRYPTION_KEYS: `old:${b64(a)}` }))!;
    const [old] = await before.encode([plain(hrEvent)]);
    expect(utf8(old!.metadata?.[KEY_ID_METADATA])).toBe('old');
    expect(value((await rotated.decode([old!]))[0])).toEqual(hrEvent);
    expect(value((await rotated.decode([fresh!]))[0])).toEqual(hrEvent);
  });

  it('keeps the SHA-256 prefix as the ID of JML_ENCRYPTION_KEY, and those payloads decode after the key moves into the list', async () => {
    const single = codecFor(parseEnv({ JML_ENCRYPTION_KEY: b64(a) }))!;
    expect(single.keyId).toBe(keyIdOf(a));
    const [old] = await single.encode([plain(hrEvent)]);
    expect(utf8(old!.metadata?.[KEY_ID_METADATA])).toBe(keyIdOf(a));
    const rotated = codecFor(parseEnv({ JML_ENCRYPTION_KEYS: `new:${b64(b)},old:${b64(a)}` }))!;
    expect(value((await rotated.decode([old!]))[0])).toEqual(hrEvent);
  });

  it('names the missing key ID and where to add it when a payload needs a key this process lacks', async () => {
    const [old] = await codecFor(parseEnv({ JML_ENCRYPTION_KEYS: `2025-q4:${b64(a)}` }))!.encode([plain(hrEvent)]);
    const onlyNew = codecFor(parseEnv({ JML_ENCRYPTION_KEYS: `2026-q1:${b64(b)}` }))!;
    const failure = await onlyNew.decode([old!]).then(() => undefined, (err: unknown) => err as Error);
    expect(failure).toBeInstanceOf(PayloadDecryptionError);
    expect(failure!.message).toContain('key 2025-q4');
    expect(failure!.message).toContain('add that key to JML_ENCRYPTION_KEYS');
    expect(failure!.message).not.toContain(b64(a));
    expect(failure!.message).not.toContain(b64(b));
  });

  it('does not repeat a key ID from history that is not one', async () => {
    const [sealed] = await new EncryptionCodec([a]).encode([plain(hrEvent)]);
    const odd = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('<script>\n') } };
    await expect(new EncryptionCodec([b]).decode([odd])).rejects.toThrow('a key whose ID is not a valid key ID');
  });

  it.each([
    ['an empty entry', () => `k1:${b64(a)},,k3:${b64(b)}`, 'entry 2: empty'],
    ['a bare key without an ID', () => `k1:${b64(a)},${b64(b)}`, 'entry 2: not keyId:base64key'],
    ['key and ID swapped', () => `${b64(b)}:k1`, 'entry 1: the key ID must be'],
    ['an ID with a space', () => `my key:${b64(a)}`, 'entry 1: the key ID must be'],
    ['an ID longer than 64', () => `${'k'.repeat(65)}:${b64(a)}`, 'entry 1: the key ID must be'],
    ['a 16-byte key', () => `k1:${b64(a)},k2:${randomBytes(16).toString('base64')}`, 'entry 2: the key must be 32 bytes'],
    ['a key that is not base64', () => `k1:${'!'.repeat(43)}=`, 'entry 1: the key must be 32 bytes'],
    ['a repeated ID', () => `k1:${b64(a)},k2:${b64(b)},k1:${b64(b)}`, 'entry 3: the same key ID as entry 1'],
    ['nothing at all', () => '', 'entry 1: empty'],
  ])('refuses %s naming the variable and the position, never the key', (_name, list, expected) => {
    const text = list();
    const message = envError({ JML_ENCRYPTION_KEYS: text });
    expect(message).toMatch(/^env: JML_ENCRYPTION_KEYS: /);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
    for (const secret of [b64(a), b64(b), b64(a).slice(0, 12), b64(b).slice(0, 12)]) expect(message).not.toContain(secret);
  });

  it('refuses JML_ENCRYPTION_KEY and JML_ENCRYPTION_KEYS together, naming both', () => {
    const message = envError({ JML_ENCRYPTION_KEY: b64(a), JML_ENCRYPTION_KEYS: `new:${b64(b)},old:${b64(a)}` });
    expect(message).toContain('JML_ENCRYPTION_KEY ');
    expect(message).toContain('JML_ENCRYPTION_KEYS');
    expect(message).not.toContain(b64(a));
  });

  it('the codec refuses IDs that are not key IDs, and one ID twice', () => {
    expect(() => new EncryptionCodec([{ id: 'a b', key: a }])).toThrow('key ID');
    expect(() => new EncryptionCodec([{ id: 'k', key: a }, { id: 'k', key: b }])).toThrow('twice');
    expect(() => new EncryptionCodec([{ id: 'k', key: randomBytes(31) }])).toThrow('32 bytes');
  });
});

describe('JML_PAYLOADS_IN_CLEAR', () => {
  it('is false unless "true", and nothing but true or false', () => {
    expect(parseEnv({}).JML_PAYLOADS_IN_CLEAR).toBe(false);
    expect(parseEnv({ JML_PAYLOADS_IN_CLEAR: 'true' }).JML_PAYLOADS_IN_CLEAR).toBe(true);
    expect(parseEnv({ JML_PAYLOADS_IN_CLEAR: 'false' }).JML_PAYLOADS_IN_CLEAR).toBe(false);
    expect(envError({ JML_PAYLOADS_IN_CLEAR: 'yes' })).toMatch(/^env: JML_PAYLOADS_IN_CLEAR: /);
  });

  it('contradicts a key', () => {
    expect(envError({ JML_PAYLOADS_IN_CLEAR: 'true', JML_ENCRYPTION_KEY: b64(a) })).toMatch(/^env: JML_PAYLOADS_IN_CLEAR: .*JML_ENCRYPTION_KEY is set/);
    expect(envError({ JML_PAYLOADS_IN_CLEAR: 'true', JML_ENCRYPTION_KEYS: `k:${b64(a)}` })).toMatch(/JML_ENCRYPTION_KEYS is set/);
  });
});

describe('payload mode at start-up', () => {
  it('encrypts whenever a key is set; without one, only jml dev or an explicit opt-out runs in clear', () => {
    for (const command of ['dev', 'server', 'worker'] as const) {
      expect(payloadMode(parseEnv({ JML_ENCRYPTION_KEY: b64(a) }), command)).toBe('encrypted');
      expect(payloadMode(parseEnv({ JML_ENCRYPTION_KEYS: `k:${b64(a)}` }), command)).toBe('encrypted');
      expect(payloadMode(parseEnv({ JML_PAYLOADS_IN_CLEAR: 'true' }), command)).toBe('clear');
    }
    expect(payloadMode(parseEnv({}), 'dev')).toBe('clear');
    for (const command of ['server', 'worker'] as const) {
      expect(() => payloadMode(parseEnv({}), command)).toThrow(ConfigError);
      expect(() => payloadMode(parseEnv({}), command)).toThrow(/JML_ENCRYPTION_KEY .*JML_ENCRYPTION_KEYS .*JML_PAYLOADS_IN_CLEAR=true/);
    }
  });
});
