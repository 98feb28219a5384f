import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseBambooTimestamp, signBambooBody, verifyBambooSignature } from '../../../src/hris/bamboohr/signature';

const secret = 'whsec-0123456789abcdef';
const body = Buffer.from('{"type":"employee.updated","timestamp":"2026-01-31T18:42:00+0000","data":{"employeeId":"67890","changedFields":["jobTitle"]}}');
const now = new Date('2026-01-31T18:42:10Z');
const nowSeconds = String(Math.floor(now.getTime() / 1000));
const windowMs = 5 * 60_000;

/** Computed independently of the module under test. */
function hmac(key: string, raw: Buffer, timestamp: string): string {
  return createHmac('sha256', key).update(Buffer.concat([raw, Buffer.from(timestamp, 'utf8')])).digest('hex');
}

const verify = (overrides: Partial<Parameters<typeof verifyBambooSignature>[0]>) =>
  verifyBambooSignature({ secret, rawBody: body, signature: hmac(secret, body, nowSeconds), timestamp: nowSeconds, now, windowMs, ...overrides });

describe('verifyBambooSignature', () => {
  it('accepts a genuine signature over body + timestamp', () => {
    expect(verify({})).toEqual({ ok: true });
  });

  it('accepts upper-case hex', () => {
    expect(verify({ signature: hmac(secret, body, nowSeconds).toUpperCase() })).toEqual({ ok: true });
  });

  it('accepts an ISO-8601 timestamp header, signed as sent', () => {
    const ts = '2026-01-31T18:41:00+0000';
    expect(verify({ timestamp: ts, signature: hmac(secret, body, ts) })).toEqual({ ok: true });
  });

  it('rejects a signature made with another secret', () => {
    expect(verify({ signature: hmac('another-secret', body, nowSeconds) })).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('rejects a tampered body', () => {
    const tampered = Buffer.from(body.toString().replace('jobTitle', 'status'));
    expect(verify({ rawBody: tampered })).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('rejects a signature over the body alone (timestamp not bound)', () => {
    const bodyOnly = createHmac('sha256', secret).update(body).digest('hex');
    expect(verify({ signature: bodyOnly })).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('rejects a timestamp swapped after signing', () => {
    const other = String(Number(nowSeconds) - 5);
    expect(verify({ timestamp: other })).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('rejects signatures of a different length, and non-hex ones', () => {
    const good = hmac(secret, body, nowSeconds);
    expect(verify({ signature: good.slice(0, 62) })).toEqual({ ok: false, code: 'bad_signature' });
    expect(verify({ signature: good + '00' })).toEqual({ ok: false, code: 'bad_signature' });
    expect(verify({ signature: good.slice(0, 63) })).toEqual({ ok: false, code: 'bad_signature' });
    expect(verify({ signature: 'z'.repeat(64) })).toEqual({ ok: false, code: 'bad_signature' });
    expect(verify({ signature: `sha256=${good}` })).toEqual({ ok: false, code: 'bad_signature' });
  });

  it('rejects a stale timestamp even when the signature is genuine', () => {
    const old = String(Number(nowSeconds) - 301);
    expect(verify({ timestamp: old, signature: hmac(secret, body, old) })).toEqual({ ok: false, code: 'stale_timestamp' });
  });

  it('accepts a timestamp exactly at the edge of the window', () => {
    const edge = String(Number(nowSeconds) - 300);
    expect(verify({ timestamp: edge, signature: hmac(secret, body, edge), now: new Date(Number(nowSeconds) * 1000) })).toEqual({ ok: true });
  });

  it('rejects a timestamp too far in the future', () => {
    const future = String(Number(nowSeconds) + 301);
    expect(verify({ timestamp: future, signature: hmac(secret, body, future) })).toEqual({ ok: false, code: 'stale_timestamp' });
  });

  it('reports missing headers', () => {
    expect(verify({ signature: undefined })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ timestamp: undefined })).toEqual({ ok: false, code: 'missing_signature' });
    expect(verify({ signature: '' })).toEqual({ ok: false, code: 'missing_signature' });
  });

  it('reports an unreadable timestamp', () => {
    for (const ts of ['yesterday', '17e8', '2026-01-31T18:42:00', '-1700000000', '2026-13-45T99:99:99Z']) {
      expect(verify({ timestamp: ts, signature: hmac(secret, body, ts) }), ts).toEqual({ ok: false, code: 'bad_timestamp' });
    }
  });

  it('signBambooBody agrees with an independent HMAC', () => {
    expect(signBambooBody(secret, body, nowSeconds)).toBe(hmac(secret, body, nowSeconds));
    expect(signBambooBody(secret, body.toString('utf8'), nowSeconds)).toBe(hmac(secret, body, nowSeconds));
  });
});

describe('parseBambooTimestamp', () => {
  it.each([
    ['1769884920', 1769884920000],
    ['1769884920123', 1769884920123],
    ['2026-01-31T18:42:00Z', 1769884920000],
    ['2026-01-31T18:42:00+0000', 1769884920000],
    ['2026-01-31T19:42:00+01:00', 1769884920000],
    ['2026-01-31T18:42:00.5Z', 1769884920500],
  ])('%s', (text, ms) => {
    expect(parseBambooTimestamp(text)).toBe(ms);
  });
});
