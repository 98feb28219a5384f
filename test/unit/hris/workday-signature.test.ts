import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  basicAuthorization,
  parseWorkdayTimestamp,
  signWorkdayBody,
  verifyWorkdayBasic,
  verifyWorkdaySignature,
  type VerifyWorkdaySignatureInput,
} from '../../../src/hris/workday/signature';

const secret = 'wd-webhook-secret-0123456789';
const body = Buffer.from('{"workerId":"21001","businessProcessType":"Hire Employee","effectiveMoment":"2026-03-16","transactionLogWid":"b0685b69d8ac412582c0a44d7973f707"}');
const now = new Date('2026-03-10T09:00:00Z');
const ts = String(now.getTime() / 1000);
const windowMs = 5 * 60_000;

/** Computed independently of the module under test: timestamp + "." + body. */
function hmac(key: string, raw: Buffer, timestamp: string): string {
  return createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), raw])).digest('hex');
}

const good = hmac(secret, body, ts);
const tampered = Buffer.from(body.toString().replace('Hire Employee', 'Terminate Employee'));
const shifted = (seconds: number) => String(Number(ts) + seconds);

describe('verifyWorkdaySignature', () => {
  it.each<[string, Partial<VerifyWorkdaySignatureInput>, ReturnType<typeof verifyWorkdaySignature>]>([
    ['a genuine signature', {}, { ok: true }],
    ['upper-case hex', { signature: good.toUpperCase() }, { ok: true }],
    ['a sha256= prefix', { signature: `sha256=${good}` }, { ok: true }],
    ['surrounding whitespace', { signature: ` ${good} `, timestamp: ` ${ts} ` }, { ok: true }],
    ['a timestamp 4 minutes old', { timestamp: shifted(-240), signature: hmac(secret, body, shifted(-240)) }, { ok: true }],
    ['a tampered body', { rawBody: tampered }, { ok: false, code: 'bad_signature' }],
    ['another secret', { signature: hmac('not-the-secret', body, ts) }, { ok: false, code: 'bad_signature' }],
    ['a signature over the body alone', { signature: createHmac('sha256', secret).update(body).digest('hex') }, { ok: false, code: 'bad_signature' }],
    ['a timestamp swapped after signing', { timestamp: shifted(-5) }, { ok: false, code: 'bad_signature' }],
    ['a truncated signature', { signature: good.slice(0, 62) }, { ok: false, code: 'bad_signature' }],
    ['a non-hex signature', { signature: 'z'.repeat(64) }, { ok: false, code: 'bad_signature' }],
    ['another prefix', { signature: `sha1=${good}` }, { ok: false, code: 'bad_signature' }],
    ['no signature', { signature: undefined }, { ok: false, code: 'missing_signature' }],
    ['a blank signature', { signature: '  ' }, { ok: false, code: 'missing_signature' }],
    ['a bare prefix', { signature: 'sha256=' }, { ok: false, code: 'missing_signature' }],
    ['no timestamp', { timestamp: undefined }, { ok: false, code: 'missing_signature' }],
    ['a stale timestamp', { timestamp: shifted(-301), signature: hmac(secret, body, shifted(-301)) }, { ok: false, code: 'stale_timestamp' }],
    ['a future timestamp', { timestamp: shifted(3600), signature: hmac(secret, body, shifted(3600)) }, { ok: false, code: 'stale_timestamp' }],
    ['an ISO timestamp', { timestamp: '2026-03-10T09:00:00Z' }, { ok: false, code: 'bad_timestamp' }],
    ['a fractional timestamp', { timestamp: `${ts}.5` }, { ok: false, code: 'bad_timestamp' }],
    ['a millisecond timestamp', { timestamp: String(now.getTime()) }, { ok: false, code: 'bad_timestamp' }],
    ['a negative timestamp', { timestamp: '-1' }, { ok: false, code: 'bad_timestamp' }],
  ])('%s', (_name, overrides, expected) => {
    expect(verifyWorkdaySignature({ secret, rawBody: body, signature: good, timestamp: ts, now, windowMs, ...overrides })).toEqual(expected);
  });

  it('checks the MAC before the age, so a forged old request is bad_signature, not stale', () => {
    expect(verifyWorkdaySignature({ secret, rawBody: body, signature: hmac('x', body, shifted(-3600)), timestamp: shifted(-3600), now, windowMs })).toEqual({
      ok: false,
      code: 'bad_signature',
    });
  });

  it('defaults the window to 5 minutes', () => {
    const at = (s: number) => verifyWorkdaySignature({ secret, rawBody: body, signature: hmac(secret, body, shifted(s)), timestamp: shifted(s), now });
    expect(at(300)).toEqual({ ok: true });
    expect(at(-301)).toEqual({ ok: false, code: 'stale_timestamp' });
  });

  it('honours a narrower window', () => {
    const input = { secret, rawBody: body, signature: hmac(secret, body, shifted(-61)), timestamp: shifted(-61), now };
    expect(verifyWorkdaySignature({ ...input, windowMs: 60_000 })).toEqual({ ok: false, code: 'stale_timestamp' });
  });
});

describe('signWorkdayBody', () => {
  it('matches an independent HMAC over timestamp + "." + body, for strings and buffers', () => {
    expect(signWorkdayBody(secret, body, ts)).toBe(good);
    expect(signWorkdayBody(secret, body.toString('utf8'), ts)).toBe(good);
  });
});

describe('parseWorkdayTimestamp', () => {
  it('reads whole unix seconds only', () => {
    expect(parseWorkdayTimestamp(ts)).toBe(now.getTime());
    expect(parseWorkdayTimestamp('0')).toBe(0);
    expect(parseWorkdayTimestamp('1e9')).toBeUndefined();
    expect(parseWorkdayTimestamp('')).toBeUndefined();
  });
});

describe('verifyWorkdayBasic', () => {
  const expected = { username: 'workday', password: secret };
  const encoded = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

  it.each<[string, string | undefined, ReturnType<typeof verifyWorkdayBasic>, { username: string; password: string }?]>([
    ['the right user and password', basicAuthorization('workday', secret), { ok: true }],
    ['a lower-case scheme', basicAuthorization('workday', secret).replace('Basic', 'basic'), { ok: true }],
    ['a password containing colons', basicAuthorization('workday', 'a:b:c'), { ok: true }, { username: 'workday', password: 'a:b:c' }],
    ['the wrong password', basicAuthorization('workday', 'guess'), { ok: false, code: 'bad_credentials' }],
    ['the wrong user', basicAuthorization('admin', secret), { ok: false, code: 'bad_credentials' }],
    ['a password prefix', basicAuthorization('workday', secret.slice(0, -1)), { ok: false, code: 'bad_credentials' }],
    ['no header', undefined, { ok: false, code: 'missing_credentials' }],
    ['a blank header', '  ', { ok: false, code: 'missing_credentials' }],
    ['another scheme', `Bearer ${secret}`, { ok: false, code: 'missing_credentials' }],
    ['Basic without a token', 'Basic', { ok: false, code: 'bad_credentials' }],
    ['a token that is not base64', 'Basic not*base64!', { ok: false, code: 'bad_credentials' }],
    ['a token without a colon', encoded(`workday${secret}`), { ok: false, code: 'bad_credentials' }],
    ['an empty user and password', encoded(':'), { ok: false, code: 'bad_credentials' }],
  ])('%s', (_name, header, want, credentials = expected) => {
    expect(verifyWorkdayBasic(header, credentials)).toEqual(want);
  });

  it('never accepts an empty expected password', () => {
    expect(verifyWorkdayBasic(encoded('workday:'), { username: 'workday', password: '' })).toEqual({ ok: false, code: 'bad_credentials' });
  });
});
