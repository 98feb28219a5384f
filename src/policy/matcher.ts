import type { ConfigFile } from '../config/file';
import type { WorkerAttributes } from '../hris/hr-event';

export type PolicyRule = ConfigFile['policy']['rules'][number];
export type RuleConditions = PolicyRule['when'];
export type MatchedAttribute = keyof RuleConditions & keyof WorkerAttributes;

/** Tests one worker attribute value, already known to be present. */
export type ValueMatcher = (value: string) => boolean;

// `g` and `y` make RegExp.test remember lastIndex, so one worker's result would depend on the previous one's.
const statefulFlags = /[gy]/;

/**
 * Compiles one matcher as written in `when`. Any text starting with "/" is a regular expression
 * and must be written `/pattern/flags`, case-sensitive unless flagged `i`: a missing closing
 * slash is a typo worth refusing, not an exact value. Anything else is compared exactly,
 * ignoring case and surrounding whitespace. Throws a message fit to show beside the config path.
 */
export function compileMatcher(text: string): ValueMatcher {
  if (!text.startsWith('/')) {
    const expected = normalise(text);
    return (value) => normalise(value) === expected;
  }
  const closing = text.lastIndexOf('/');
  if (closing === 0) throw new Error(`"${text}" starts with "/" but has no closing "/"; write /pattern/ or /pattern/i`);
  const pattern = text.slice(1, closing);
  const flags = text.slice(closing + 1);
  if (pattern === '') throw new Error(`"${text}" is an empty regular expression`);
  if (statefulFlags.test(flags)) throw new Error(`"${text}": flags g and y are not allowed in a matcher`);
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (err) {
    throw new Error(`"${text}" is not a valid regular expression: ${(err as Error).message}`);
  }
  return (value) => regex.test(value.trim());
}

/** A matcher as the config allows it: one text, or a list where any may match. */
export function compileMatcherList(matcher: string | readonly string[]): ValueMatcher {
  const tests = (typeof matcher === 'string' ? [matcher] : matcher).map(compileMatcher);
  return (value) => tests.some((test) => test(value));
}

/**
 * Compiles a rule's `when` into one predicate: every key must match. A key the worker lacks,
 * or reports blank, never matches, so a missing attribute cannot grant access by regex.
 * A rule with an empty `when` matches everyone.
 */
export function compileConditions(when: RuleConditions): (worker: WorkerAttributes) => boolean {
  const checks = (Object.entries(when) as [MatchedAttribute, string | string[] | undefined][])
    .filter((entry): entry is [MatchedAttribute, string | string[]] => entry[1] !== undefined)
    .map(([attribute, matcher]) => ({ attribute, test: compileMatcherList(matcher) }));
  return (worker) =>
    checks.every(({ attribute, test }) => {
      const value = worker[attribute];
      return value !== undefined && value.trim() !== '' && test(value);
    });
}

function normalise(text: string): string {
  return text.trim().toLowerCase();
}
