import { describe, expect, it } from 'vitest';
import { terminationTakesEffectAt, zonedTimeToUtc } from '../../src/leaver/timing';

const now = new Date('2026-03-10T12:00:00Z');

describe('terminationTakesEffectAt', () => {
  it('acts at once on an immediate termination even when dated in the future', () => {
    const at = terminationTakesEffectAt({ effectiveDate: '2026-04-01', immediate: true, timeZone: 'UTC', cutoffLocalTime: '18:00' }, now);
    expect(at.toISOString()).toBe(now.toISOString());
  });

  it('places a past-dated termination at its past cutoff, so it is acted on at once', () => {
    const at = terminationTakesEffectAt({ effectiveDate: '2026-03-01', immediate: false, timeZone: 'UTC', cutoffLocalTime: '18:00' }, now);
    expect(at.toISOString()).toBe('2026-03-01T18:00:00.000Z');
    expect(at.getTime()).toBeLessThan(now.getTime());
  });

  it('waits for the cutoff on a termination dated today, in the worker zone', () => {
    const at = terminationTakesEffectAt(
      { effectiveDate: '2026-03-10', immediate: false, timeZone: 'America/New_York', cutoffLocalTime: '18:00' },
      now,
    );
    // 18:00 EDT (DST began 2026-03-08) is 22:00 UTC.
    expect(at.toISOString()).toBe('2026-03-10T22:00:00.000Z');
  });

  it('puts today cutoff in a zone ahead of UTC before now when it has passed there', () => {
    const at = terminationTakesEffectAt(
      { effectiveDate: '2026-03-10', immediate: false, timeZone: 'Asia/Tokyo', cutoffLocalTime: '18:00' },
      now,
    );
    // 18:00 JST is 09:00 UTC, before now: acted on at once.
    expect(at.toISOString()).toBe('2026-03-10T09:00:00.000Z');
  });
});

describe('zonedTimeToUtc', () => {
  it.each([
    ['2026-01-15', 'Europe/London', '2026-01-15T18:00:00.000Z'],
    ['2026-07-15', 'Europe/London', '2026-07-15T17:00:00.000Z'],
    ['2026-07-15', 'Australia/Sydney', '2026-07-15T08:00:00.000Z'],
    ['2026-07-15', 'Asia/Kolkata', '2026-07-15T12:30:00.000Z'],
  ])('18:00 on %s in %s is %s', (date, zone, expected) => {
    expect(zonedTimeToUtc(date, 18, 0, zone).toISOString()).toBe(expected);
  });
});
