import { describe, expect, it } from 'vitest';
import { parseArgs, stringOption, UsageError } from '../../src/cli/args';

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
});
