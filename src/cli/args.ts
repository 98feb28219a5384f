/** Minimal `--key value` / `--key=value` / `--flag` parsing; commands validate what they get. */
export interface ParsedArgs {
  positional: string[];
  /** The last value of each option. */
  options: Record<string, string | true>;
  /** Every value of each option, in order, for options that may repeat (`--set a=1 --set b=2`). */
  repeated: ReadonlyMap<string, readonly (string | true)[]>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  const repeated = new Map<string, (string | true)[]>();
  const put = (name: string, value: string | true) => {
    options[name] = value;
    repeated.set(name, [...(repeated.get(name) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      put(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) {
      put(arg.slice(2), argv[++i] as string);
    } else {
      put(arg.slice(2), true);
    }
  }
  return { positional, options, repeated };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function stringOption(args: ParsedArgs, name: string, required: true): string;
export function stringOption(args: ParsedArgs, name: string, required?: false): string | undefined;
export function stringOption(args: ParsedArgs, name: string, required = false): string | undefined {
  const value = args.options[name];
  if (value === true) throw new UsageError(`--${name} needs a value`);
  if (value === undefined && required) throw new UsageError(`--${name} is required`);
  return value;
}

/** Every value given for a repeatable option, in order; none given is an empty list. */
export function allOptions(args: ParsedArgs, name: string): string[] {
  return (args.repeated.get(name) ?? []).map((value) => {
    if (value === true) throw new UsageError(`--${name} needs a value`);
    return value;
  });
}
