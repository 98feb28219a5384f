import { describe, expect, it } from 'vitest';
import { effectiveDateOf, parseWorkdayNotification, workdayEventId } from '../../../src/hris/workday/notification';

const wid = 'b0685b69d8ac412582c0a44d7973f707';
const valid = { workerId: '21001', businessProcessType: 'Hire Employee', effectiveMoment: '2026-03-16T09:00:00-08:00', transactionLogWid: wid };

describe('parseWorkdayNotification', () => {
  it('accepts a notification, trimming values and dropping unknown keys', () => {
    const result = parseWorkdayNotification({ ...valid, workerId: ' 21001 ', businessProcessType: ' Hire Employee ', tenant: 'acme', extra: { a: 1 } });
    expect(result).toEqual({ ok: true, notification: valid });
  });

  it('lower-cases the transaction WID', () => {
    expect(parseWorkdayNotification({ ...valid, transactionLogWid: wid.toUpperCase() })).toMatchObject({ ok: true, notification: { transactionLogWid: wid } });
  });

  it.each([
    '2026-03-16T09:00:00-08:00',
    '2026-03-16T09:00:00.123+05:30',
    '2026-03-16T17:00:00Z',
    '2026-03-16T17:00Z',
    '2026-03-16T09:00:00+0800',
    '2026-03-16',
    '2026-03-16-08:00',
    '2026-03-16Z',
  ])('accepts the effective moment %s', (effectiveMoment) => {
    expect(parseWorkdayNotification({ ...valid, effectiveMoment })).toMatchObject({ ok: true, notification: { effectiveMoment } });
  });

  it.each([
    ['a missing workerId', { workerId: undefined }, 'workerId', 'is required'],
    ['a numeric workerId', { workerId: 21001 }, 'workerId', 'must be a string, got a number'],
    ['a null workerId', { workerId: null }, 'workerId', 'must be a string, got null'],
    ['a blank workerId', { workerId: '   ' }, 'workerId', 'must not be blank'],
    ['a workerId with a slash', { workerId: '21/001' }, 'workerId', 'must be 1-64 letters, digits, ".", "-" or "_"'],
    ['a missing businessProcessType', { businessProcessType: undefined }, 'businessProcessType', 'is required'],
    ['a blank businessProcessType', { businessProcessType: '' }, 'businessProcessType', 'must not be blank'],
    ['an overlong businessProcessType', { businessProcessType: 'x'.repeat(201) }, 'businessProcessType', 'must be at most 200 characters'],
    ['an array businessProcessType', { businessProcessType: ['Hire Employee'] }, 'businessProcessType', 'must be a string, got an array'],
    ['a missing effectiveMoment', { effectiveMoment: undefined }, 'effectiveMoment', 'is required'],
    ['a zoneless date-time', { effectiveMoment: '2026-03-16T09:00:00' }, 'effectiveMoment', 'must be an ISO-8601 date-time with a zone'],
    ['an impossible date', { effectiveMoment: '2026-02-30' }, 'effectiveMoment', 'must be an ISO-8601 date-time with a zone'],
    ['an impossible hour', { effectiveMoment: '2026-03-16T24:00:00Z' }, 'effectiveMoment', 'must be an ISO-8601 date-time with a zone'],
    ['a US date', { effectiveMoment: '03/16/2026' }, 'effectiveMoment', 'must be an ISO-8601 date-time with a zone'],
    ['a numeric effectiveMoment', { effectiveMoment: 1773651600 }, 'effectiveMoment', 'must be a string, got a number'],
    ['a missing transactionLogWid', { transactionLogWid: undefined }, 'transactionLogWid', 'is required'],
    ['a short WID', { transactionLogWid: wid.slice(1) }, 'transactionLogWid', 'must be a Workday ID: 32 hexadecimal characters'],
    ['a non-hex WID', { transactionLogWid: `${wid.slice(1)}g` }, 'transactionLogWid', 'must be a Workday ID: 32 hexadecimal characters'],
    ['a hyphenated UUID', { transactionLogWid: 'b0685b69-d8ac-4125-82c0-a44d7973f707' }, 'transactionLogWid', 'must be a Workday ID: 32 hexadecimal characters'],
  ])('refuses %s, naming the field', (_name, change, path, message) => {
    const result = parseWorkdayNotification({ ...valid, ...change });
    expect(result).toMatchObject({ ok: false, path });
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it.each([
    [[valid], 'must be a JSON object, got an array'],
    [null, 'must be a JSON object, got null'],
    ['hire', 'must be a JSON object, got a string'],
  ])('refuses a body that is not an object (%j)', (body, message) => {
    expect(parseWorkdayNotification(body)).toEqual({ ok: false, path: '(root)', message });
  });

  it('reports an empty object by its first field', () => {
    expect(parseWorkdayNotification({})).toEqual({ ok: false, path: 'workerId', message: 'is required' });
  });
});

describe('workdayEventId and effectiveDateOf', () => {
  it('keys events by the transaction WID, in lower case', () => {
    expect(workdayEventId(wid.toUpperCase())).toBe(`workday:${wid}`);
  });

  it('takes the date as Workday states it, in its own zone', () => {
    expect(effectiveDateOf('2026-03-16T23:30:00-08:00')).toBe('2026-03-16');
    expect(effectiveDateOf('2026-03-16-08:00')).toBe('2026-03-16');
    expect(effectiveDateOf('2026-03-16')).toBe('2026-03-16');
  });
});
