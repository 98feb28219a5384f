/** A benchmark's command-line options: parsed strictly, and whole numbers checked, as UsageErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './common';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `--name value` options only (no positionals); anything unknown or malformed is a UsageError. */
export function benchArgs<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A whole number from `min` to `max`, or a UsageError naming the option. */
export function wholeNumber(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number ${min}${max === Number.MAX_SAFE_INTEGER ? ' or more' : `-${max}`} (got "${raw}")`);
  }
  return value;
}
