import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { payloadFromJson, payloadToJson } from '../../src/api/codec-routes';
import { parseDuration } from '../../src/config/duration';
import { ConfigError, parseConfigFile, parseEnv } from '../../src/config/load';
import { compileMatcher } from '../../src/policy/matcher';
import { accessSetFrom, diffAccess, type AccessSet } from '../../src/policy/diff';
import type { DesiredAccess } from '../../src/policy/evaluate';
import { parseEmployeeRef } from '../../src/preview/employee-ref';
import { OverrideError, overridableFields, parseOverrides } from '../../src/preview/overrides';
import { fuzz } from '../harness/fuzz-budget';
import { anyJson, mutated, nastyString } from '../harness/fuzz-http';

/** Config, policy and API parameter parsing: only the documented error, round-trips, idempotence. */

const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const validConfig = fc.record({
  sla: fc.record({ leaverSessionKill: fc.constantFrom('60s', '5m', 90), leaverFullRevoke: fc.constantFrom('15m', '1h') }),
  systems: fc.constant([{ id: 'okta', type: 'okta', baseUrl: 'https://acme.okta.com', tokenEnv: 'OKTA_TOKEN' }]),
  policy: fc.record({
    birthright: fc.constant([{ system: 'okta', entitlements: ['group:everyone'] }]),
    rules: fc.array(fc.record({ when: fc.record({ department: fc.constantFrom('Engineering', '/^Eng/i', ['A', 'B']) }), grant: fc.constant([{ system: 'okta', entitlements: ['group:eng'] }]), approval: fc.constantFrom('required', 'none') }), { maxLength: 2 }),
  }),
  approvals: fc.record({ timeout: fc.constantFrom('72h', '1d'), remindEvery: fc.constant('24h') }),
  leaver: fc.record({ cutoffLocalTime: fc.constantFrom('18:00', '09:30') }),
});

/** Key material the env fuzzing mixes in: no error may repeat it. */
const fuzzKey = Buffer.alloc(32, 7).toString('base64');
const envKeys = ['PORT', 'DATABASE_URL', 'TEMPORAL_NAMESPACE', 'BAMBOOHR_API_URL', 'BAMBOOHR_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'JML_API_TOKENS', 'JML_ENCRYPTION_KEY', 'JML_ENCRYPTION_KEYS', 'JML_PAYLOADS_IN_CLEAR', 'JML_CODEC_CORS_ORIGINS', 'JML_ENTITY_EVENTS_PER_RUN', 'LOG_LEVEL'];

describe('config, policy and parameter parsing under fuzzing', () => {
  it('config.duration: n<unit> reads as n times the unit; anything else is undefined or a whole non-negative number', async () => {
    await fuzz(
      'config.duration',
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])), nastyString, (n, unit, junk) => {
        expect(parseDuration(`${n}${unit}`)).toBe(n * units[unit]);
        expect(parseDuration(` ${n}${unit} `)).toBe(n * units[unit]);
        const out = parseDuration(junk);
        if (out !== undefined) expect(Number.isSafeInteger(out) && out >= 0).toBe(true);
      }),
    );
  });

  it('config.file: any YAML is a config or a ConfigError naming the file; a valid one parses and parses again the same', async () => {
    await fuzz(
      'config.file',
      fc.property(fc.oneof(validConfig.map((c) => stringify(c)), mutated(validConfig).map((c) => stringify(c)), anyJson.map((v) => stringify(v)), nastyString), (text) => {
        let first;
        try {
          first = parseConfigFile(text, 'fuzz.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as Error).message.startsWith('fuzz.yaml: ')).toBe(true);
          return;
        }
        expect(parseConfigFile(text, 'fuzz.yaml')).toEqual(first);
      }),
    );
    fc.assert(
      fc.property(validConfig, (c) => {
        expect(() => parseConfigFile(stringify(c), 'fuzz.yaml')).not.toThrow();
      }),
      { numRuns: 30 },
    );
  });

  it('config.env: any environment is an Env or one ConfigError line naming the variable', async () => {
    await fuzz(
      'config.env',
      fc.property(fc.dictionary(fc.constantFrom(...envKeys), fc.oneof(nastyString, fc.constantFrom('postgres://x', 'auditor:0123456789abcdefgh', 'admin:short', 'http://127.0.0.1:8233', '0', '65536', 'debug', 'true', fuzzKey, `k1:${fuzzKey}`, `k1:${fuzzKey},${fuzzKey}`, `${fuzzKey}:k1`, `k1:${fuzzKey},k1:${fuzzKey}`))), (env) => {
        try {
          parseEnv(env);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as Error).message).toMatch(/^env: [A-Z_]+: /);
          expect((err as Error).message).not.toContain('\n');
          expect((err as Error).message).not.toContain(fuzzKey.slice(0, 16));
        }
      }),
    );
  });

  it('policy.matcher: any text compiles or throws an Error; compiled matchers never throw; exact text matches itself ignoring case and spaces', async () => {
    await fuzz(
      'policy.matcher',
      fc.property(fc.oneof(nastyString, nastyString.map((s) => `/${s}/`), nastyString.map((s) => `/${s}`), fc.constantFrom('/(/', '/a/g', '/a/iu', '/[/')), nastyString, (text, value) => {
        let match;
        try {
          match = compileMatcher(text);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect(text.startsWith('/')).toBe(true);
          return;
        }
        expect(typeof match(value)).toBe('boolean');
        if (!text.startsWith('/')) expect(match(`  ${text}  `)).toBe(true);
      }),
    );
  });

  it('policy.diff: applying the diff to what is held gives what is desired, and the diff from there is empty', async () => {
    const ent = fc.record({ system: fc.constantFrom('okta', 'aws', '__proto__'), entitlement: fc.constantFrom('group:a', 'group:b', 'team:c', 'role:d') });
    const desired: fc.Arbitrary<DesiredAccess> = fc.uniqueArray(ent, { selector: (e) => `${e.system}\u0000${e.entitlement}`, maxLength: 6 }).map((items) => items.map((e) => ({ ...e, sources: [{ rule: 'birthright', approval: 'none' as const }] })));
    const current: fc.Arbitrary<AccessSet> = fc.array(ent, { maxLength: 6 }).map((items) => {
      const out: Record<string, string[]> = {};
      for (const { system, entitlement } of items) Object.defineProperty(out, system, { value: [...(Object.hasOwn(out, system) ? out[system]! : []), entitlement], enumerable: true, writable: true, configurable: true });
      return out;
    });
    await fuzz(
      'policy.diff',
      fc.property(current, desired, (held, wanted) => {
        const { grants, revokes } = diffAccess(held, wanted);
        const after = new Set(Object.entries(held).flatMap(([s, es]) => es.map((e) => `${s}/${e}`)));
        for (const r of revokes) after.delete(`${r.system}/${r.entitlement}`);
        for (const g of grants) after.add(`${g.system}/${g.entitlement}`);
        expect([...after].sort()).toEqual(wanted.map((w) => `${w.system}/${w.entitlement}`).sort());
        expect(diffAccess(accessSetFrom(wanted), wanted)).toEqual({ grants: [], revokes: [] });
      }),
    );
  });

  it('preview.params: employee refs and overrides parse or throw their own error; what parses round-trips', async () => {
    await fuzz(
      'preview.params',
      fc.property(fc.oneof(nastyString, fc.tuple(fc.constantFrom('bamboohr', 'workday', 'okta', ''), fc.stringMatching(/^[A-Za-z0-9_-]{0,66}$/)).map(([s, id]) => `${s}:${id}`)), fc.array(fc.oneof(nastyString, fc.tuple(fc.constantFrom(...overridableFields, 'nope'), fc.constantFrom(':', '='), nastyString).map((p) => p.join(''))), { maxLength: 3 }), (ref, sets) => {
        try {
          const parsed = parseEmployeeRef(ref);
          expect(parseEmployeeRef(`${parsed.source}:${parsed.employeeId}`)).toEqual(parsed);
          expect(parsed.workflowId).toBe(`employee-${parsed.source}-${parsed.employeeId}`);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
        }
        try {
          const overrides = parseOverrides(sets);
          const again = Object.entries(overrides).map(([k, v]) => `${k}=${v ?? ''}`);
          expect(parseOverrides(again)).toEqual(overrides);
        } catch (err) {
          expect(err).toBeInstanceOf(OverrideError);
        }
      }),
    );
  });

  it('codec.payload-json: a Payload survives proto3 JSON both ways; any other object is refused naming the field', async () => {
    const payload = fc.record({ metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.uint8Array({ maxLength: 16 })), data: fc.uint8Array({ maxLength: 32 }) });
    await fuzz(
      'codec.payload-json',
      fc.property(payload, fc.dictionary(fc.constantFrom('metadata', 'data', 'externalPayloads', 'external_payloads', 'x'), anyJson), (p, junk) => {
        const back = payloadFromJson(payloadToJson(p) as unknown as Record<string, unknown>);
        expect(Buffer.from(back.data ?? [])).toEqual(Buffer.from(p.data));
        expect(Object.fromEntries(Object.entries(back.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v)]))).toEqual(Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v)])));
        try {
          payloadFromJson(junk);
        } catch (err) {
          expect((err as Error).message).toMatch(/^(metadata|data|externalPayloads)\b.*: \S/);
        }
      }),
    );
  });
});
