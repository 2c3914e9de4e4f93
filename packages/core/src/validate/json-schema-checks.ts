import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Problem } from '../errors/errors.js';
import { childPath, valueAt } from './json-path.js';
import { describeValue, error, listOf, suggestion } from './problem.js';

let metaValidator: Ajv2020 | undefined;

/** One Ajv instance for the whole process: building the draft 2020-12 meta-schema is the costly part. */
function validator(): Ajv2020 {
  metaValidator ??= new Ajv2020({ strict: false, allErrors: false });
  return metaValidator;
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Whether a JSON Schema embedded in a document (a workflow's inputs, an agent's input schema, ...) is itself
 * valid against draft 2020-12, so data is never checked against a schema that means something else than
 * intended. Reports the first problem Ajv finds, at its path inside the schema.
 */
export function jsonSchemaProblems(schema: unknown, path: string): Problem[] {
  const ajv = validator();
  let valid: unknown;
  try {
    valid = ajv.validateSchema(schema as object);
  } catch {
    // A `$schema` naming a meta-schema Ajv does not know: nothing to check against, so nothing to say.
    return [];
  }
  const [first] = ajv.errors ?? [];
  if (valid === true || !first) return [];
  const segments = pointerSegments(first.instancePath);
  let at = path;
  let value: unknown = schema;
  for (const segment of segments) {
    at = childPath(at, Array.isArray(value) ? Number(segment) : segment);
    value = valueAt(value, [segment]);
  }
  const allowed = (first.params as { allowedValues?: unknown }).allowedValues;
  const detail =
    first.keyword === 'enum' && Array.isArray(allowed)
      ? `${describeValue(value)} is not one of ${listOf(allowed.map(String), 'or')}${typeof value === 'string' ? suggestion(value, allowed.map(String)) : ''}`
      : `${describeValue(value)} ${first.message ?? 'is not allowed here'}`;
  return [error('INVALID_JSON_SCHEMA', at, `not a valid JSON Schema: ${detail}`)];
}
