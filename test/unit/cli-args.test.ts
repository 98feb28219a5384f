import { describe, expect, it } from 'vitest';
import { allOptions, parseArgs, stringOption, UsageError } from '../../src/cli/args';

describe('parseArgs', () => {
  it('reads positionals, spaced and = options and flags', () => {
    const args = parseArgs(['report', 'offboarding', '--from', '2026-01-01', '--to=2026-02-01', '--verbose']);
    expect(args.positional).toEqual(['report', 'offboarding']);
    expect(args.options).toEqual({ from: '2026-01-01', to: '2026-02-01', verbose: true });
  });

  it('refuses a missing required option and a valueless one', () => {
    expect(() => stringOption(parseArgs([]), 'from', true)).toThrow(UsageError);
    expect(() => stringOption(parseArgs(['--from']), 'from')).toThrow('--from needs a value');
  });

  it('keeps every value of a repeated option for allOptions, the last for stringOption', () => {
    const args = parseArgs(['preview', '--set', 'department=Sales', '--employee', '951', '--set=jobTitle=SRE']);
    expect(allOptions(args, 'set')).toEqual(['department=Sales', 'jobTitle=SRE']);
    expect(stringOption(args, 'set')).toBe('jobTitle=SRE');
    expect(allOptions(args, 'employee')).toEqual(['951']);
    expect(allOptions(args, 'missing')).toEqual([]);
    expect(() => allOptions(parseArgs(['--set', 'a=1', '--set']), 'set')).toThrow('--set needs a value');
  });
});
