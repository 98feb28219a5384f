import { describe, expect, it } from 'vitest';
import { joinerTiming } from '../../src/joiner/timing';

const now = new Date('2026-03-10T12:00:00Z');
const day = 86_400_000;

describe('joinerTiming', () => {
  it('starts at midnight of the start date in the worker zone and provisions the lead time before', () => {
    const t = joinerTiming('2026-03-20', 'Europe/Berlin', 3 * day, now);
    expect(t.startAt.toISOString()).toBe('2026-03-19T23:00:00.000Z');
    expect(t.provisionAt.toISOString()).toBe('2026-03-16T23:00:00.000Z');
  });

  it.each([
    // zone, start date, local start time, expected start (UTC)
    ['UTC', '2026-03-20', '00:00', '2026-03-20T00:00:00.000Z'],
    ['UTC', '2026-03-20', '09:30', '2026-03-20T09:30:00.000Z'],
    ['UTC', '2026-03-20', '09:30:15', '2026-03-20T09:30:15.000Z'],
    // Ahead of UTC: the start falls on the previous UTC date when early enough.
    ['Asia/Tokyo', '2026-03-20', '09:00', '2026-03-20T00:00:00.000Z'],
    ['Asia/Tokyo', '2026-03-20', '08:59:59', '2026-03-19T23:59:59.000Z'],
    ['Asia/Kathmandu', '2026-03-20', '00:00', '2026-03-19T18:15:00.000Z'],
    ['Pacific/Kiritimati', '2026-03-20', '13:45:30', '2026-03-19T23:45:30.000Z'],
    // Behind UTC: a late start falls on the next UTC date.
    ['America/Los_Angeles', '2026-03-20', '08:15:30', '2026-03-20T15:15:30.000Z'],
    ['Pacific/Honolulu', '2026-03-20', '23:59:59', '2026-03-21T09:59:59.000Z'],
    ['America/St_Johns', '2026-01-15', '09:00', '2026-01-15T12:30:00.000Z'],
    // Daylight-saving days: the offset in force at that local time, not at midnight.
    ['America/New_York', '2026-03-08', '00:00', '2026-03-08T05:00:00.000Z'],
    ['America/New_York', '2026-03-08', '01:59:59', '2026-03-08T06:59:59.000Z'],
    ['America/New_York', '2026-03-08', '09:00', '2026-03-08T13:00:00.000Z'],
    ['America/New_York', '2026-11-01', '09:00:05', '2026-11-01T14:00:05.000Z'],
    ['Europe/London', '2026-03-29', '00:00', '2026-03-29T00:00:00.000Z'],
    ['Europe/London', '2026-03-29', '09:00', '2026-03-29T08:00:00.000Z'],
    ['Europe/London', '2026-10-25', '09:00', '2026-10-25T09:00:00.000Z'],
    ['Australia/Sydney', '2026-04-05', '09:00', '2026-04-04T23:00:00.000Z'],
    // A time the spring-forward skips moves forward by the gap; one repeated in autumn is its first occurrence.
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:30:00.000Z'],
    ['Europe/London', '2026-03-29', '01:15', '2026-03-29T01:15:00.000Z'],
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z'],
    ['Europe/London', '2026-10-25', '01:30', '2026-10-25T00:30:00.000Z'],
    ['Australia/Sydney', '2026-04-05', '02:30', '2026-04-04T15:30:00.000Z'],
    ['Australia/Sydney', '2026-10-04', '02:30', '2026-10-03T16:30:00.000Z'],
  ])('in %s, %s at %s starts at %s', (zone, date, local, expected) => {
    const t = joinerTiming(date, zone, 3 * day, now, local);
    expect(t.startAt.toISOString()).toBe(expected);
    expect(t.provisionAt.getTime()).toBe(t.startAt.getTime() - 3 * day);
  });

  it('defaults to midnight when no local start time is given', () => {
    expect(joinerTiming('2026-03-08', 'America/New_York', 0, now).startAt).toEqual(joinerTiming('2026-03-08', 'America/New_York', 0, now, '00:00').startAt);
    expect(joinerTiming('2026-03-08', 'America/New_York', 0, now, '00:00:00').startAt.toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });

  it.each([[undefined], ['09:00'], ['17:30:45']])('starts an undated hire now (start time %s)', (local) => {
    const t = joinerTiming(undefined, 'America/New_York', 3 * day, now, local);
    expect(t.startAt.toISOString()).toBe(now.toISOString());
    expect(t.provisionAt.toISOString()).toBe(new Date(now.getTime() - 3 * day).toISOString());
  });

  it.each(['24:00', '9:00', '09:60', '09:00:60', '09:00:00.5', 'noon', ''])('refuses the local start time %j', (local) => {
    expect(() => joinerTiming('2026-03-20', 'UTC', 0, now, local)).toThrow(RangeError);
  });
});
