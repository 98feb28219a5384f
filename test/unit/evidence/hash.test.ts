import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, genesisHash, hashedContent, jsonRoundTrip, normaliseTimestamp, type HashableRecord } from '../../../src/evidence/hash';
import { createHash } from 'node:crypto';

const record: HashableRecord = {
  stepKey: 'leaver-bamboohr-1-e1:kill:okta',
  employeeId: 'bamboohr-1',
  hrSource: 'bamboohr',
  actorType: 'engine',
  actorId: 'leaver-workflow',
  action: 'sessions.kill',
  system: 'okta',
  occurredAt: '2024-05-01T10:00:05.000Z',
  recordedAt: '2024-05-01T10:00:05.120Z',
  outcome: 'success',
  context: { workflowId: 'leaver-bamboohr-1-e1', nested: { b: 1, a: [2, { d: 1, c: 0 }] } },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('is the same whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it('follows JSON.stringify for undefined, dates and non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, Number.NaN], c: new Date('2024-01-01T00:00:00Z') })).toBe(
      '{"b":[null,null],"c":"2024-01-01T00:00:00.000Z"}',
    );
  });

  it('escapes strings like JSON', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak "q" é' })).toBe('{"k\\"":"line\\nbreak \\"q\\" é"}');
  });
});

describe('chainHash', () => {
  it('is hex sha256 of prevHash followed by the canonical content', () => {
    const expected = createHash('sha256')
      .update(genesisHash + canonicalJson(hashedContent(record)))
      .digest('hex');
    expect(chainHash(genesisHash, record)).toBe(expected);
    expect(chainHash(genesisHash, record)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('covers every stated fact, absent optionals as null', () => {
    expect(Object.keys(hashedContent(record)).sort()).toEqual(
      ['action', 'actorId', 'actorType', 'context', 'employeeId', 'entitlement', 'hrSource', 'occurredAt', 'outcome', 'recordedAt', 'stepKey', 'system', 'where'].sort(),
    );
    expect(hashedContent(record).entitlement).toBeNull();
    expect(hashedContent(record).where).toBeNull();
  });

  it('does not depend on seq, so a moved row still matches its own hash', () => {
    const a = chainHash(genesisHash, { ...record, seq: 1 } as HashableRecord);
    const b = chainHash(genesisHash, { ...record, seq: 99 } as HashableRecord);
    expect(a).toBe(b);
  });

  it('changes with any field, the link, or a context key order change only when values change', () => {
    const base = chainHash(genesisHash, record);
    expect(chainHash('f'.repeat(64), record)).not.toBe(base);
    expect(chainHash(genesisHash, { ...record, outcome: 'failure' })).not.toBe(base);
    expect(chainHash(genesisHash, { ...record, occurredAt: '2024-05-01T10:00:05.001Z' })).not.toBe(base);
    expect(chainHash(genesisHash, { ...record, where: '10.0.0.1' })).not.toBe(base);
    expect(chainHash(genesisHash, { ...record, system: undefined })).not.toBe(base);
    const reordered = { nested: { a: [2, { c: 0, d: 1 }], b: 1 }, workflowId: 'leaver-bamboohr-1-e1' };
    expect(chainHash(genesisHash, { ...record, context: reordered })).toBe(base);
  });
});

describe('normaliseTimestamp', () => {
  it('gives millisecond ISO UTC', () => {
    expect(normaliseTimestamp('2024-05-01T12:00:00+02:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(normaliseTimestamp('2024-05-01T10:00:00.123456Z')).toBe('2024-05-01T10:00:00.123Z');
  });

  it('refuses text without a zone or that is not a time', () => {
    expect(() => normaliseTimestamp('2024-05-01T10:00:00')).toThrow(/zone/);
    expect(() => normaliseTimestamp('yesterday')).toThrow();
    expect(() => normaliseTimestamp('2024-13-45T10:00:00Z')).toThrow();
  });
});

describe('jsonRoundTrip', () => {
  it('gives the plain JSON value jsonb will hand back', () => {
    expect(jsonRoundTrip({ at: new Date('2024-01-01T00:00:00Z') as unknown, gone: undefined, n: 1.5 })).toEqual({
      at: '2024-01-01T00:00:00.000Z',
      n: 1.5,
    });
  });
});
