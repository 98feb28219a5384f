import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/load';
import { codecFor, dataConverterFor, ENCRYPTED_ENCODING, encodedFailureConverterPath, EncryptionCodec, KEY_ID_METADATA, keyIdOf, PayloadDecryptionError } from '../../src/temporal/codec';

const utf8 = (b: Uint8Array | undefined | null) => Buffer.from(b ?? []).toString('utf8');
const key = randomBytes(32);
const codec = new EncryptionCodec([key]);
const hrEvent = { employeeId: '501', workEmail: 'dana.leaver@acme.test', displayName: 'Dana Leaver' };
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('EncryptionCodec', () => {
  it('round-trips payloads, metadata included', async () => {
    const originals = [plain(hrEvent), plain('text'), plain(null), plain(new Uint8Array([1, 2, 3]))];
    const encoded = await codec.encode(originals);
    expect(encoded).toHaveLength(4);
    for (const p of encoded) {
      expect(utf8(p.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
      expect(utf8(p.metadata?.[KEY_ID_METADATA])).toBe(keyIdOf(key));
      expect(Object.keys(p.metadata ?? {}).sort()).toEqual([KEY_ID_METADATA, METADATA_ENCODING_KEY].sort());
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([hrEvent, 'text', null, new Uint8Array([1, 2, 3])]);
    expect(utf8(decoded[0]!.metadata?.[METADATA_ENCODING_KEY])).toBe('json/plain');
  });

  it('hides the content: no plaintext, and a fresh IV every time', async () => {
    const [a] = await codec.encode([plain(hrEvent)]);
    const [b] = await codec.encode([plain(hrEvent)]);
    expect(Buffer.from(a!.data!).includes(Buffer.from('dana.leaver'))).toBe(false);
    expect(Buffer.from(a!.data!).includes(Buffer.from('json/plain'))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('names the key id a payload needs when this process has another key', async () => {
    const [sealed] = await codec.encode([plain(hrEvent)]);
    const other = new EncryptionCodec([randomBytes(32)]);
    await expect(other.decode([sealed!])).rejects.toThrow(PayloadDecryptionError);
    await expect(other.decode([sealed!])).rejects.toThrow(`encrypted with key ${keyIdOf(key)}`);
  });

  it('refuses a payload whose key id is forged to match another key', async () => {
    const [sealed] = await codec.encode([plain(hrEvent)]);
    const other = new EncryptionCodec([randomBytes(32)]);
    const forged = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from(other.keyId) } };
    await expect(other.decode([forged])).rejects.toThrow('failed authentication');
  });

  it.each([
    ['a flipped ciphertext bit', (d: Buffer) => void (d[20]! ^= 1)],
    ['a flipped IV bit', (d: Buffer) => void (d[0]! ^= 1)],
    ['a flipped tag bit', (d: Buffer) => void (d[d.length - 1]! ^= 1)],
  ])('refuses tampered data: %s', async (_name, tamper) => {
    const [sealed] = await codec.encode([plain(hrEvent)]);
    const data = Buffer.from(sealed!.data!);
    tamper(data);
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow('failed authentication');
  });

  it('refuses truncated data and a missing key id', async () => {
    const [sealed] = await codec.encode([plain(hrEvent)]);
    await expect(codec.decode([{ ...sealed!, data: Buffer.from(sealed!.data!).subarray(0, 20) }])).rejects.toThrow('too short');
    await expect(codec.decode([{ ...sealed!, metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING) } }])).rejects.toThrow(KEY_ID_METADATA);
  });

  it('passes payloads that are not encrypted through unchanged', async () => {
    const legacy = plain(hrEvent);
    const binary = plain(new Uint8Array([9]));
    const noMetadata: Payload = { data: Buffer.from('x') };
    const decoded = await codec.decode([legacy, binary, noMetadata]);
    expect(decoded[0]).toBe(legacy);
    expect(decoded[1]).toBe(binary);
    expect(decoded[2]).toBe(noMetadata);
  });

  it('decrypts with an older key after rotation and encrypts with the first', async () => {
    const next = randomBytes(32);
    const [old] = await codec.encode([plain(hrEvent)]);
    const rotated = new EncryptionCodec([next, key]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(hrEvent);
    const [fresh] = await rotated.encode([plain(hrEvent)]);
    expect(utf8(fresh!.metadata?.[KEY_ID_METADATA])).toBe(keyIdOf(next));
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new EncryptionCodec([randomBytes(16)])).toThrow('32 bytes');
    expect(() => new EncryptionCodec([])).toThrow('at least one key');
  });
});

describe('codec configuration', () => {
  it('is off without JML_ENCRYPTION_KEY and on with it', async () => {
    expect(dataConverterFor(parseEnv({}))).toBeUndefined();
    expect(codecFor(parseEnv({}))).toBeUndefined();
    const b64 = key.toString('base64');
    const converter = dataConverterFor(parseEnv({ JML_ENCRYPTION_KEY: b64 }));
    expect(converter?.payloadCodecs).toHaveLength(1);
    expect(converter?.failureConverterPath).toBe(encodedFailureConverterPath);
    const [sealed] = await converter!.payloadCodecs![0]!.encode([plain(hrEvent)]);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([sealed!]))[0]!)).toEqual(hrEvent);
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    expect(() => parseEnv({ JML_ENCRYPTION_KEY: randomBytes(16).toString('base64') })).toThrow('JML_ENCRYPTION_KEY');
  });

  it('reads JML_CODEC_CORS_ORIGINS, defaulting to the dev UI', () => {
    expect(parseEnv({}).JML_CODEC_CORS_ORIGINS).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(parseEnv({ JML_CODEC_CORS_ORIGINS: 'https://Temporal.example.com:443/, http://10.0.0.5:8080' }).JML_CODEC_CORS_ORIGINS).toEqual([
      'https://temporal.example.com',
      'http://10.0.0.5:8080',
    ]);
    expect(parseEnv({ JML_CODEC_CORS_ORIGINS: '' }).JML_CODEC_CORS_ORIGINS).toEqual([]);
    for (const bad of ['*', 'https://a.example/ui', 'temporal.example.com', 'ftp://a.example', 'https://*.example.com']) {
      expect(() => parseEnv({ JML_CODEC_CORS_ORIGINS: bad })).toThrow('JML_CODEC_CORS_ORIGINS');
    }
  });
});
