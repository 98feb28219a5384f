import { describe, expect, it } from 'vitest';
import { holdIdFor, limitOf, overLimit, parseThreshold, thresholdText } from '../../../src/leaver/mass-termination';
import { parseConfigFile } from '../../../src/config/load';

describe('mass-termination threshold', () => {
  it.each([
    [25, { count: 25 }],
    ['25', { count: 25 }],
    ['5%', { share: 0.05 }],
    [' 12.5 % ', { share: 0.125 }],
    [0, { count: 0 }],
  ])('reads %j', (input, expected) => {
    expect(parseThreshold(input)).toEqual(expected);
  });

  it.each([-1, 2.5, '0%', '101%', 'lots', '', '5 percent'])('refuses %j', (input) => {
    expect(parseThreshold(input)).toBeUndefined();
  });

  it('a count is the limit; a share counts against the active workers, rounded down, never below one', () => {
    expect(limitOf({ count: 25 }, 0)).toBe(25);
    expect(limitOf({ share: 0.05 }, 1000)).toBe(50);
    expect(limitOf({ share: 0.05 }, 119)).toBe(5);
    expect(limitOf({ share: 0.05 }, 3)).toBe(1);
    expect(limitOf({ share: 0.05 }, 0)).toBe(1);
  });

  it('holds only past the limit', () => {
    expect(overLimit(25, 25)).toBe(false);
    expect(overLimit(26, 25)).toBe(true);
    expect(overLimit(1, 0)).toBe(true);
  });

  it('names holds per HRIS and shows the threshold as written', () => {
    expect(holdIdFor('bamboohr', 3)).toBe('hold-bamboohr-3');
    expect(thresholdText({ share: 0.05 })).toBe('5%');
    expect(thresholdText({ count: 25 })).toBe('25');
  });

  it('is configured under leaver.massTermination with defaults, and a bad threshold names the key', () => {
    const file = parseConfigFile('leaver:\n  massTermination: { threshold: "5%", window: 1h }\n', 't.yaml');
    expect(file.leaver.massTermination).toEqual({ threshold: { share: 0.05 }, window: 3_600_000, holdSessionKills: false, remindEvery: 900_000, escalateAfter: 3_600_000, deciders: [] });
    expect(parseConfigFile('leaver: {}\n', 't.yaml').leaver.massTermination).toBeUndefined();
    expect(() => parseConfigFile('leaver:\n  massTermination: { threshold: "many" }\n', 't.yaml')).toThrow(/leaver\.massTermination\.threshold/);
    expect(() => parseConfigFile('leaver:\n  massTermination: { threshold: 5, window: 0s }\n', 't.yaml')).toThrow(/leaver\.massTermination\.window/);
  });
});
