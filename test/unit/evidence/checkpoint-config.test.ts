import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigFile, parseEnv } from '../../../src/config/load';
import { parseCheckpoint, signCheckpoint, checkpointVerifies, checkpointLine } from '../../../src/evidence/checkpoints/checkpoint';
import { parsePublicKey, parseSigningKey, publicKeyPem } from '../../../src/evidence/checkpoints/signing-key';

const der = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

describe('evidence config', () => {
  it('defaults to a checkpoint a minute, 400 days of retention and no sinks', () => {
    expect(parseConfigFile('', 'jml.config.yaml').evidence).toEqual({ checkpointEvery: 60_000, retention: 400 * 86_400_000, sinks: [] });
  });

  it('reads the interval, retention and every kind of sink', () => {
    const file = parseConfigFile(
      `sla: { securityChannel: "#sec" }
evidence:
  checkpointEvery: 200ms
  retention: 30d
  sinks:
    - { type: directory, path: /var/lib/jml/checkpoints }
    - { type: http, url: "https://siem.example/ingest", tokenEnv: SIEM_TOKEN }
    - { type: slack }`,
      'jml.config.yaml',
    );
    expect(file.evidence.checkpointEvery).toBe(200);
    expect(file.evidence.retention).toBe(30 * 86_400_000);
    expect(file.evidence.sinks.map((s) => s.type)).toEqual(['directory', 'http', 'slack']);
  });

  it('names the key path of a bad sink', () => {
    expect(() => parseConfigFile('evidence: { sinks: [{ type: slack }] }', 'jml.config.yaml')).toThrow('jml.config.yaml: evidence.sinks.0.channel: no channel, and sla.securityChannel is not set either');
    expect(() => parseConfigFile('evidence: { sinks: [{ type: ftp, path: x }] }', 'jml.config.yaml')).toThrow(/evidence\.sinks\.0\.type/);
    expect(() => parseConfigFile('evidence: { checkpointEvery: 0s }', 'jml.config.yaml')).toThrow('jml.config.yaml: evidence.checkpointEvery: must be longer than 0');
  });
});

describe('JML_EVIDENCE_SIGNING_KEY', () => {
  it('takes base64 PKCS#8 DER or PEM, with the key ID derived from the public key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const fromDer = parseEnv({ JML_EVIDENCE_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64') }).JML_EVIDENCE_SIGNING_KEY!;
    const fromPem = parseSigningKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    expect(fromDer.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    expect(fromPem.keyId).toBe(fromDer.keyId);
    expect(parsePublicKey(publicKeyPem(fromDer)).keyId).toBe(fromDer.keyId);
  });

  it('stops start-up with a line naming the variable, never the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    for (const value of ['not-a-key-but-a-secret-password', rsa, der().slice(0, 40)]) {
      let error: unknown;
      try {
        parseEnv({ JML_EVIDENCE_SIGNING_KEY: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^env: JML_EVIDENCE_SIGNING_KEY: /);
      expect((error as Error).message).not.toContain(value.slice(0, 12));
    }
  });

  it('signs checkpoints that verify with the public key only, and not once altered', () => {
    const key = parseSigningKey(der());
    const checkpoint = signCheckpoint(key, { chain: 'test.public', seq: 7, hash: 'a'.repeat(64), recordedAt: '2026-03-01T00:00:00.000Z' }, new Date('2026-03-01T00:01:00.000Z'));
    const auditor = parsePublicKey(publicKeyPem(key));
    const read = parseCheckpoint(checkpointLine(checkpoint));
    expect(typeof read).toBe('object');
    expect(checkpointVerifies(read as typeof checkpoint, auditor)).toBe(true);
    expect(checkpointVerifies({ ...checkpoint, hash: 'b'.repeat(64) }, auditor)).toBe(false);
    expect(checkpointVerifies({ ...checkpoint, seq: 8 }, auditor)).toBe(false);
  });
});
