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

  it('starts an undated hire now', () => {
    const t = joinerTiming(undefined, 'UTC', 3 * day, now);
    expect(t.startAt.toISOString()).toBe(now.toISOString());
  });
});
