/**
 * A small GraphQL executor for the GitHub peer: it parses a query document (one operation,
 * variables, aliases, arguments of every literal kind, nested selections; no fragments or
 * directives) and runs it against typed resolvers, answering as GitHub does: validation errors
 * alone (no data) for an unknown field or argument, a missing variable or a syntax error, and
 * NOT_FOUND errors beside null data for things that do not exist.
 */

export interface GraphqlErrorOut {
  message: string;
  type?: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
  locations?: { line: number; column: number }[];
}

/** Thrown by a resolver: the field becomes null and the error is reported at its path. */
export class FieldError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

/** Thrown anywhere during parsing or validation: the whole answer is errors only. */
class ValidationError extends Error {
  constructor(message: string, readonly extensions: Record<string, unknown> = {}) {
    super(message);
  }
}

type Value = string | number | boolean | null | Value[] | { $var: string } | { [key: string]: Value };
interface Field { alias: string; name: string; args: Record<string, Value>; selections: Field[] }

export interface FieldDef {
  /** The type the field resolves to: an object type's name, or 'scalar'. A trailing [] means a list. */
  type: string;
  args?: readonly string[];
  resolve: (parent: unknown, args: Record<string, unknown>) => unknown;
}
export type Schema = Record<string, Record<string, FieldDef>>;

export function executeGraphql(schema: Schema, query: unknown, variables: unknown): { data?: unknown; errors?: GraphqlErrorOut[] } {
  try {
    if (typeof query !== 'string') throw new ValidationError('A query attribute must be specified and must be a string.');
    const vars = variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : {};
    const { declared, selections } = parse(query);
    for (const [name, nonNull] of declared) if (nonNull && (vars[name] === undefined || vars[name] === null)) throw new ValidationError(`Variable $${name} of type is required but was not provided.`);
    validate(schema, 'Query', selections, ['query'], new Set(declared.keys()));
    const errors: GraphqlErrorOut[] = [];
    const data = run(schema, 'Query', null, selections, vars, [], errors);
    return errors.length > 0 ? { data, errors } : { data };
  } catch (err) {
    if (err instanceof ValidationError) return { errors: [{ message: err.message, ...(Object.keys(err.extensions).length > 0 ? { extensions: err.extensions } : {}), locations: [{ line: 1, column: 1 }] }] };
    throw err;
  }
}

function validate(schema: Schema, typeName: string, selections: Field[], path: string[], declared: Set<string>): void {
  const type = schema[typeName];
  if (!type) throw new Error(`github peer: no type ${typeName}`);
  for (const field of selections) {
    const def = type[field.name];
    const at = [...path, field.alias];
    if (!def) throw new ValidationError(`Field '${field.name}' doesn't exist on type '${typeName}'`, { code: 'undefinedField', typeName, fieldName: field.name });
    for (const arg of Object.keys(field.args)) {
      if (!def.args?.includes(arg)) throw new ValidationError(`Field '${field.name}' doesn't accept argument '${arg}'`, { code: 'argumentNotAccepted', name: field.name, typeName, argumentName: arg });
    }
    for (const name of variablesIn(Object.values(field.args))) if (!declared.has(name)) throw new ValidationError(`Variable $${name} is used by anonymous query but not declared`, { code: 'variableNotDefined', variableName: name });
    const inner = def.type.replace(/\[\]$/, '');
    if (inner === 'scalar') {
      if (field.selections.length > 0) throw new ValidationError(`Selections can't be made on scalars (field '${field.name}' returns a scalar but has selections [${field.selections.map((s) => s.name).join(', ')}])`, { code: 'selectionMismatch' });
    } else {
      if (field.selections.length === 0) throw new ValidationError(`Field must have selections (field '${field.name}' returns ${inner} but has no selections. Did you mean '${field.name} { ... }'?)`, { code: 'selectionMismatch' });
      validate(schema, inner, field.selections, at, declared);
    }
  }
}

function run(schema: Schema, typeName: string, parent: unknown, selections: Field[], vars: Record<string, unknown>, path: (string | number)[], errors: GraphqlErrorOut[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of selections) {
    const def = schema[typeName]![field.name]!;
    const at = [...path, field.alias];
    let value: unknown;
    try {
      const args = Object.fromEntries(Object.entries(field.args).map(([k, v]) => [k, resolveValue(v, vars)]));
      value = def.resolve(parent, args);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      errors.push({ type: err.type, path: at, locations: [{ line: 1, column: 1 }], message: err.message });
      out[field.alias] = null;
      continue;
    }
    const inner = def.type.replace(/\[\]$/, '');
    if (value === null || value === undefined || inner === 'scalar') out[field.alias] = value ?? null;
    else if (Array.isArray(value)) out[field.alias] = value.map((item, i) => (item === null ? null : run(schema, inner, item, field.selections, vars, [...at, i], errors)));
    else out[field.alias] = run(schema, inner, value, field.selections, vars, at, errors);
  }
  return out;
}

function resolveValue(value: Value, vars: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, vars));
  if (value && typeof value === 'object') {
    if ('$var' in value && typeof value.$var === 'string') return vars[value.$var] ?? null;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, vars)]));
  }
  return value;
}

function variablesIn(values: Value[]): string[] {
  return values.flatMap((v) => {
    if (Array.isArray(v)) return variablesIn(v);
    if (v && typeof v === 'object') return '$var' in v && typeof v.$var === 'string' ? [v.$var] : variablesIn(Object.values(v));
    return [];
  });
}

const TOKEN = /\s*(?:#[^\n]*\n\s*)*(\.\.\.|[!$():=@[\]{}|,]|-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|[_A-Za-z][_0-9A-Za-z]*)/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(source);
    if (!match) throw new ValidationError(`Parse error on "${source.slice(at).trim().slice(0, 10)}" (error)`);
    if (match[1] !== ',') tokens.push(match[1]!);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

function parse(source: string): { declared: Map<string, boolean>; selections: Field[] } {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new ValidationError(`Parse error on ${t === undefined ? 'end of query' : `"${t}"`} (expected ${expected ?? 'more'})`);
    return t;
  };
  const name = () => {
    const t = take();
    if (!/^[_A-Za-z]/.test(t)) throw new ValidationError(`Parse error on "${t}" (expected a name)`);
    return t;
  };
  const value = (): Value => {
    const t = take();
    if (t === '$') return { $var: name() };
    if (t === '[') {
      const items: Value[] = [];
      while (peek() !== ']') items.push(value());
      take(']');
      return items;
    }
    if (t === '{') {
      const obj: Record<string, Value> = {};
      while (peek() !== '}') {
        const key = name();
        take(':');
        obj[key] = value();
      }
      take('}');
      return obj;
    }
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (/^-?\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    return t;
  };
  const selectionSet = (): Field[] => {
    take('{');
    const fields: Field[] = [];
    while (peek() !== '}') {
      if (peek() === '...') throw new ValidationError('Fragments are not supported by this peer');
      const alias = name();
      let fieldName = alias;
      if (peek() === ':') {
        take(':');
        fieldName = name();
      }
      const args: Record<string, Value> = {};
      if (peek() === '(') {
        take('(');
        while (peek() !== ')') {
          const arg = name();
          take(':');
          args[arg] = value();
        }
        take(')');
      }
      fields.push({ alias, name: fieldName, args, selections: peek() === '{' ? selectionSet() : [] });
    }
    take('}');
    return fields;
  };
  const declared = new Map<string, boolean>();
  if (peek() !== '{') {
    const kind = take();
    if (kind !== 'query') throw new ValidationError(kind === 'mutation' ? 'This peer serves no mutations' : `Parse error on "${kind}"`);
    if (peek() !== '(' && peek() !== '{') name();
    if (peek() === '(') {
      take('(');
      while (peek() !== ')') {
        take('$');
        const variable = name();
        take(':');
        let type = '';
        while (peek() !== ')' && peek() !== '$' && peek() !== '=') type += take();
        if (peek() === '=') {
          take('=');
          value();
        }
        declared.set(variable, type.endsWith('!'));
      }
      take(')');
    }
  }
  const selections = selectionSet();
  if (i !== tokens.length) throw new ValidationError(`Parse error on "${tokens[i]}" (expected end of query)`);
  return { declared, selections };
}
