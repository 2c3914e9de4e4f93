import { z } from 'zod';
import type { Problem } from '../errors/errors.js';
import { childPath, formatPath, valueAt } from './json-path.js';
import { describeValue, error, jsonTypeOf, listOf, suggestion, warning, withArticle } from './problem.js';

type Issue = z.core.$ZodIssue;

/** Item nouns for "must have at least 1 node", by the key of the list. */
const ITEM_NOUNS: Readonly<Record<string, [string, string]>> = {
  nodes: ['node', 'nodes'],
  branches: ['branch', 'branches'],
  cases: ['case', 'cases'],
  options: ['option', 'options'],
  skills: ['skill', 'skills'],
};

const EXPECTED: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
};

function expectedPhrase(expected: string): string {
  return EXPECTED[expected] ?? withArticle(expected);
}

function lastKey(path: readonly PropertyKey[]): string {
  const key = path.at(-1);
  return key === undefined ? 'document' : String(key);
}

function countOf(n: number | bigint, path: readonly PropertyKey[]): string {
  const [one, many] = ITEM_NOUNS[lastKey(path)] ?? ['item', 'items'];
  return `${n} ${Number(n) === 1 ? one : many}`;
}

/** The noun for a discriminated union's members, from where it sits: `node type`, `compensation type`. */
function unionNoun(path: readonly PropertyKey[]): string {
  const owner = path.at(-2);
  if (typeof owner === 'number' && path.at(-3) === 'nodes') return 'node type';
  if (typeof owner === 'string') return `${owner} type`;
  return 'type';
}

function boundMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = small ? issue.minimum : issue.maximum;
  switch (issue.origin) {
    case 'string':
      if (small && Number(bound) === 1) return 'must not be empty';
      return `must be at ${small ? 'least' : 'most'} ${bound} characters long`;
    case 'array':
    case 'set':
      return `must have at ${small ? 'least' : 'most'} ${countOf(bound, issue.path)}`;
    default: {
      const relation =
        issue.inclusive === false
          ? `${small ? 'greater' : 'less'} than ${bound}`
          : `at ${small ? 'least' : 'most'} ${bound}`;
      return `must be ${relation}, got ${describeValue(value)}`;
    }
  }
}

function formatMessage(issue: Extract<Issue, { code: 'invalid_format' }>, value: unknown): string {
  if (issue.format === 'regex') return `${describeValue(value)} ${issue.message}`;
  if (issue.format === 'datetime') {
    return `${describeValue(value)} is not an ISO 8601 date-time such as "2025-01-31T09:00:00Z"`;
  }
  return `${describeValue(value)} is not a valid ${issue.format}`;
}

function discriminatorProblem(issue: Extract<Issue, { code: 'invalid_union' }>, value: unknown): Problem {
  const path = formatPath(issue.path);
  const allowed = ('options' in issue ? (issue.options ?? []) : []).map(String);
  const noun = unionNoun(issue.path);
  if (value === undefined) {
    return error(
      'MISSING_FIELD',
      path,
      `missing required field "${lastKey(issue.path)}": set it to one of ${listOf(allowed, 'or')}`,
    );
  }
  const code = noun === 'node type' ? 'UNKNOWN_NODE_TYPE' : 'INVALID_VALUE';
  const hint = typeof value === 'string' ? suggestion(value, allowed) : '';
  return error(code, path, `unknown ${noun} ${describeValue(value)}${hint}; ${noun}s are ${listOf(allowed)}`);
}

/** One zod issue as a problem with a readable message; `document` is the raw input, to quote what was there. */
function issueProblem(issue: Issue, document: unknown): Problem {
  const path = formatPath(issue.path);
  const value = valueAt(document, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) {
        return error(
          'MISSING_FIELD',
          path,
          `missing required field "${lastKey(issue.path)}": add it (${expectedPhrase(issue.expected)})`,
        );
      }
      if (issue.expected === 'int' && typeof value === 'number') {
        return error('INVALID_VALUE', path, `must be a whole number, got ${describeValue(value)}`);
      }
      return error(
        'WRONG_TYPE',
        path,
        `expected ${expectedPhrase(issue.expected)}, got ${value === null ? 'null' : `${withArticle(jsonTypeOf(value))} (${describeValue(value)})`}`,
      );
    case 'too_small':
    case 'too_big':
      return error('INVALID_VALUE', path, boundMessage(issue, value));
    case 'invalid_format':
      return error('INVALID_VALUE', path, formatMessage(issue, value));
    case 'not_multiple_of':
      return error(
        'INVALID_VALUE',
        path,
        `must be a multiple of ${issue.divisor}, got ${describeValue(value)}`,
      );
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      if (value === undefined) {
        return error(
          'MISSING_FIELD',
          path,
          `missing required field "${lastKey(issue.path)}": set it to ${listOf(allowed, 'or')}`,
        );
      }
      const hint = typeof value === 'string' ? suggestion(value, allowed) : '';
      return error(
        'INVALID_VALUE',
        path,
        `${describeValue(value)} is not one of ${listOf(allowed, 'or')}${hint}`,
      );
    }
    case 'invalid_union':
      if (issue.discriminator !== undefined) return discriminatorProblem(issue, value);
      return error('SCHEMA_INVALID', path, `${describeValue(value)} does not match any of the allowed forms`);
    case 'invalid_key': {
      const inner = issue.issues[0];
      const reason =
        inner?.code === 'invalid_format' && inner.format === 'regex' ? inner.message : 'is not allowed';
      return error('INVALID_VALUE', path, `key ${JSON.stringify(lastKey(issue.path))} ${reason}`);
    }
    case 'unrecognized_keys':
      return warning('UNKNOWN_FIELD', path, `unknown fields ${listOf(issue.keys)} are ignored: remove them`);
    case 'invalid_element':
    case 'custom':
      return error('SCHEMA_INVALID', path, issue.message);
  }
}

/** Translates zod issues into problems, one each, with paths in the document's notation. */
export function schemaProblems(issues: readonly Issue[], document: unknown): Problem[] {
  return issues.map((issue) => issueProblem(issue, document));
}

/** Peels wrappers that do not change the shape of the data (optional, default, nullable, ...). */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let depth = 0; depth < 16; depth++) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodReadonly ||
      current instanceof z.ZodNonOptional ||
      current instanceof z.ZodCatch ||
      current instanceof z.ZodLazy
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
  return current;
}

/** What the unknown-field walk needs to know of a schema. */
type Form =
  | { kind: 'object'; fields: Readonly<Record<string, z.ZodType>> }
  | { kind: 'array'; element: z.ZodType }
  | { kind: 'record'; value: z.ZodType }
  | { kind: 'union'; key: string; members: ReadonlyMap<unknown, z.ZodType> }
  | { kind: 'other' };

// Zod's `instanceof` checks and the lazy getters of recursive schemas (`get nodes()`, which build a new
// schema on every access) are slow enough to matter over a large workflow: each schema is read once.
const forms = new WeakMap<z.ZodType, Form>();

function formOf(schema: z.ZodType): Form {
  let form = forms.get(schema);
  if (form) return form;
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    form = { kind: 'object', fields: { ...(inner.shape as Record<string, z.ZodType>) } };
  } else if (inner instanceof z.ZodArray) {
    form = { kind: 'array', element: inner.element as z.ZodType };
  } else if (inner instanceof z.ZodRecord) {
    form = { kind: 'record', value: inner.valueType as z.ZodType };
  } else if (inner instanceof z.ZodDiscriminatedUnion) {
    const key = inner.def.discriminator;
    const members = new Map<unknown, z.ZodType>();
    for (const option of inner.options as readonly z.ZodType[]) {
      const member = formOf(option);
      const tag = member.kind === 'object' ? member.fields[key] : undefined;
      const literal = tag === undefined ? undefined : unwrap(tag);
      if (literal instanceof z.ZodLiteral) for (const value of literal.values) members.set(value, option);
    }
    form = { kind: 'union', key, members };
  } else {
    form = { kind: 'other' };
  }
  forms.set(schema, form);
  return form;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fields of `document` that `schema` does not know. The format's objects are not strict (unknown keys are
 * dropped when parsing), so a misspelt optional field would silently do nothing: each one is a warning with
 * the closest known field.
 */
export function unknownFieldProblems(schema: z.ZodType, document: unknown): Problem[] {
  const problems: Problem[] = [];
  const walk = (schema: z.ZodType, value: unknown, path: string): void => {
    const form = formOf(schema);
    switch (form.kind) {
      case 'object':
        if (!isRecord(value)) return;
        for (const [key, child] of Object.entries(value)) {
          const field = Object.hasOwn(form.fields, key) ? form.fields[key] : undefined;
          if (field) {
            walk(field, child, childPath(path, key));
          } else {
            const hint = suggestion(key, Object.keys(form.fields));
            problems.push(
              warning('UNKNOWN_FIELD', childPath(path, key), `unknown field "${key}"${hint} is ignored`),
            );
          }
        }
        return;
      case 'array':
        if (Array.isArray(value)) value.forEach((item, i) => walk(form.element, item, childPath(path, i)));
        return;
      case 'record':
        if (!isRecord(value)) return;
        for (const [key, child] of Object.entries(value)) walk(form.value, child, childPath(path, key));
        return;
      case 'union': {
        const member = isRecord(value) ? form.members.get(value[form.key]) : undefined;
        if (member) walk(member, value, path);
        return;
      }
      case 'other':
        return;
    }
  };
  walk(schema, document, '');
  return problems;
}
