import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bambooChanges, normalizeBambooChange } from '../../src/hris/bamboohr/normalize';
import { parseBambooPayload } from '../../src/hris/bamboohr/payload';
import { parseBambooTimestamp, signBambooBody, verifyBambooSignature } from '../../src/hris/bamboohr/signature';
import { workdayEffectiveDate } from '../../src/hris/workday/normalize';
import { effectiveDateOf, parseWorkdayNotification, workdayWidPattern } from '../../src/hris/workday/notification';
import { basicAuthorization, signWorkdayBody, verifyWorkdayBasic, verifyWorkdaySignature } from '../../src/hris/workday/signature';
import { parseXml, textOf, child, xmlEscape } from '../../src/hris/workday/soap';
import { ianaTimeZone, parseResponseResults, parseWorker, workdayDate } from '../../src/hris/workday/worker';
import { findUnstorableText, unstorableReason } from '../../src/hris/storable-text';
import { fuzz } from '../harness/fuzz-budget';
import { anyJson, mutated, nastyString } from '../harness/fuzz-http';
import { validBambooPayload, validWorkdayNotification } from '../harness/fuzz-webhooks';

/** The HRIS parsers and normalisers: total on any input, and what they accept they accept again. */

const bambooInput = fc.oneof(validBambooPayload, mutated(validBambooPayload), anyJson);
const workdayInput = fc.oneof(validWorkdayNotification, mutated(validWorkdayNotification), anyJson);
const receivedAt = '2026-03-10T09:00:00.000Z';
const now = new Date('2026-03-10T09:00:00Z');
const bytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));

describe('BambooHR parsing under fuzzing', () => {
  it('bamboohr.payload: any JSON parses or is refused naming a path; valid payloads parse; parsing is deterministic', async () => {
    await fuzz(
      'bamboohr.payload',
      fc.property(bambooInput, (json) => {
        const parsed = parseBambooPayload(json);
        expect(parsed).toEqual(parseBambooPayload(structuredClone(json)));
        if (!parsed.ok) {
          expect(typeof parsed.path).toBe('string');
          expect(parsed.message.length).toBeGreaterThan(0);
          return;
        }
        const changes = bambooChanges(parsed.payload);
        for (const c of changes) expect(c.employeeId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        expect(bambooChanges(parsed.payload).map((c) => c.eventId)).toEqual(changes.map((c) => c.eventId));
      }),
    );
    fc.assert(
      fc.property(validBambooPayload, (json) => {
        expect(parseBambooPayload(json).ok).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('bamboohr.normalize: every parsed change normalises to an event or nothing, the same each time, never throwing', async () => {
    await fuzz(
      'bamboohr.normalize',
      fc.property(fc.oneof(validBambooPayload, mutated(validBambooPayload)), fc.option(fc.dictionary(nastyString, fc.option(nastyString, { nil: null }), { maxKeys: 5 }), { nil: undefined }), (json, record) => {
        const parsed = parseBambooPayload(json);
        if (!parsed.ok) return;
        for (const change of bambooChanges(parsed.payload)) {
          const event = normalizeBambooChange(change, { receivedAt, via: 'webhook' }, record);
          expect(normalizeBambooChange(change, { receivedAt, via: 'webhook' }, record)).toEqual(event);
          if (event) {
            expect(event.employeeId).toBe(change.employeeId);
            expect(event.eventId).toBe(change.eventId);
            if (event.effectiveDate !== undefined) expect(event.effectiveDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          }
        }
      }),
    );
  });

  it('bamboohr.signature: what is signed verifies; a changed byte, key or timestamp does not; nothing throws', async () => {
    await fuzz(
      'bamboohr.signature',
      fc.property(bytes, fc.string({ minLength: 1, maxLength: 20 }), fc.nat(), fc.option(nastyString, { nil: undefined }), fc.option(nastyString, { nil: undefined }), (body, secret, flip, junkSig, junkTs) => {
        const timestamp = String(Math.floor(now.getTime() / 1000));
        const signature = signBambooBody(secret, body, timestamp);
        expect(verifyBambooSignature({ secret, rawBody: body, signature, timestamp, now, windowMs: 300_000 })).toEqual({ ok: true });
        const changed = Buffer.concat([body, Buffer.from([flip % 256])]);
        expect(verifyBambooSignature({ secret, rawBody: changed, signature, timestamp, now, windowMs: 300_000 }).ok).toBe(false);
        expect(verifyBambooSignature({ secret: `${secret}x`, rawBody: body, signature, timestamp, now, windowMs: 300_000 }).ok).toBe(false);
        const junk = verifyBambooSignature({ secret, rawBody: body, signature: junkSig, timestamp: junkTs, now, windowMs: 300_000 });
        if (!junk.ok) expect(['missing_signature', 'bad_signature', 'stale_timestamp', 'bad_timestamp']).toContain(junk.code);
      }),
    );
  });

  it('bamboohr.timestamp: unix seconds, milliseconds and zoned ISO times read back as the instant; anything else is undefined', async () => {
    await fuzz(
      'bamboohr.timestamp',
      fc.property(fc.date({ min: new Date('1971-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), nastyString, (d, junk) => {
        expect(parseBambooTimestamp(d.toISOString())).toBe(d.getTime());
        expect(parseBambooTimestamp(String(Math.floor(d.getTime() / 1000)))).toBe(Math.floor(d.getTime() / 1000) * 1000);
        // Twelve digits and more are milliseconds (documented: eleven and fewer are seconds).
        if (d.getTime() >= 1e11) expect(parseBambooTimestamp(String(d.getTime()))).toBe(d.getTime());
        const parsed = parseBambooTimestamp(junk);
        expect(parsed === undefined || Number.isFinite(parsed)).toBe(true);
      }),
    );
  });
});

describe('Workday parsing under fuzzing', () => {
  it('workday.notification: any JSON parses or is refused naming a field; what parses parses again to itself', async () => {
    await fuzz(
      'workday.notification',
      fc.property(workdayInput, (json) => {
        const parsed = parseWorkdayNotification(json);
        if (!parsed.ok) {
          expect(parsed.path.length).toBeGreaterThan(0);
          expect(parsed.message.length).toBeGreaterThan(0);
          return;
        }
        const n = parsed.notification;
        expect(n.transactionLogWid).toMatch(workdayWidPattern);
        expect(n.transactionLogWid).toBe(n.transactionLogWid.toLowerCase());
        expect(parseWorkdayNotification(n)).toEqual(parsed);
        expect(effectiveDateOf(n.effectiveMoment)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }),
    );
  });

  it('workday.signature: what is signed verifies; a changed byte or key does not; nothing throws', async () => {
    await fuzz(
      'workday.signature',
      fc.property(bytes, fc.string({ minLength: 1, maxLength: 20 }), fc.nat(), fc.option(nastyString, { nil: undefined }), fc.option(nastyString, { nil: undefined }), (body, secret, flip, junkSig, junkTs) => {
        const timestamp = String(Math.floor(now.getTime() / 1000));
        const signature = signWorkdayBody(secret, body, timestamp);
        const input = { secret, rawBody: body, signature, timestamp, now, windowMs: 300_000 };
        expect(verifyWorkdaySignature(input)).toEqual({ ok: true });
        expect(verifyWorkdaySignature({ ...input, rawBody: Buffer.concat([body, Buffer.from([flip % 256])]) }).ok).toBe(false);
        expect(verifyWorkdaySignature({ ...input, secret: `${secret}x` }).ok).toBe(false);
        const junk = verifyWorkdaySignature({ ...input, signature: junkSig, timestamp: junkTs });
        if (!junk.ok) expect(['missing_signature', 'bad_signature', 'stale_timestamp', 'bad_timestamp']).toContain(junk.code);
      }),
    );
  });

  it('workday.basic: the right credentials pass, any other Authorization header is refused, nothing throws', async () => {
    await fuzz(
      'workday.basic',
      fc.property(fc.string({ minLength: 1, maxLength: 16 }).filter((u) => !u.includes(':')), fc.string({ minLength: 1, maxLength: 16 }), fc.option(nastyString, { nil: undefined }), (username, password, junk) => {
        expect(verifyWorkdayBasic(basicAuthorization(username, password), { username, password })).toEqual({ ok: true });
        expect(verifyWorkdayBasic(basicAuthorization(username, `${password}x`), { username, password }).ok).toBe(false);
        if (junk !== basicAuthorization(username, password)) expect(verifyWorkdayBasic(junk, { username, password }).ok).toBe(false);
      }),
    );
  });

  it('workday.xml: any text parses or is undefined, workers and page counts read from it never throw, escaped text reads back', async () => {
    const tag = fc.constantFrom('Worker', 'Worker_Data', 'Worker_ID', 'Response_Results', 'Total_Pages', 'Page', 'Response_Data', 'Personal_Data', 'Employment_Data', 'Worker_Status_Data', 'Active', 'Hire_Date', 'ID');
    const xml: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, nastyString.map(xmlEscape), fc.tuple(tag, fc.array(tie('node'), { maxLength: 3 })).map(([t, kids]) => `<wd:${t} wd:type="Employee_ID">${kids.join('')}</wd:${t}>`)),
    })).node as fc.Arbitrary<string>;
    await fuzz(
      'workday.xml',
      fc.property(fc.oneof(xml.map((x) => `<root xmlns:wd="urn:com.workday/bsvc">${x}</root>`), nastyString, fc.constant('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')), nastyString, (text, value) => {
        const doc = parseXml(text);
        if (doc !== undefined) {
          const root = child(doc, 'root');
          const results = parseResponseResults(root ?? doc);
          for (const n of Object.values(results)) expect(Number.isInteger(n) && n >= 0).toBe(true);
          parseWorker(root ?? doc);
        }
        const trimmed = value.trim();
        if (trimmed !== '' && !unstorableReason(trimmed) && !/[\uFFFE\uFFFF\uD800-\uDFFF]/.test(trimmed)) expect(textOf(child(parseXml(`<a>${xmlEscape(trimmed)}</a>`), 'a'))).toBe(trimmed);
      }),
    );
  });

  it('workday.dates: dates, effective moments and zones read as real ones or not at all', async () => {
    await fuzz(
      'workday.dates',
      fc.property(nastyString, fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), fc.constantFrom(undefined, 'America/Los_Angeles', 'Europe/London', 'Mars/Base', ''), (junk, d, zone) => {
        const day = d.toISOString().slice(0, 10);
        expect(workdayDate(day)).toBe(day);
        expect(workdayDate(`${day}-08:00`)).toBe(day);
        expect(workdayEffectiveDate(`${day}T00:00:00.000-08:00`, zone)).toBe(day);
        for (const out of [workdayDate(junk), workdayEffectiveDate(junk, zone)]) if (out !== undefined) expect(out).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const z = ianaTimeZone(junk);
        if (z !== undefined) expect(z).toBe(junk.trim());
      }),
    );
  });

  it('storable-text: a value is refused exactly when one of its strings (or keys) cannot be stored', async () => {
    await fuzz(
      'storable-text',
      fc.property(anyJson, (value) => {
        const strings: string[] = [];
        const walk = (v: unknown) => {
          if (typeof v === 'string') strings.push(v);
          else if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (strings.push(k), walk(x)));
        };
        walk(value);
        expect(findUnstorableText(value) !== undefined).toBe(strings.some((s) => unstorableReason(s) !== undefined));
      }),
    );
  });
});
