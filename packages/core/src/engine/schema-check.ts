import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../model/common-schema.js';

/**
 * Checks user data against user JSON Schemas (run inputs, agent outputs). Compiles each schema once and
 * keeps it: schemas come from workflow and agent versions, which never change once saved.
 */
export class SchemaCheck {
  readonly #ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
  readonly #compiled = new WeakMap<JsonSchema, ValidateFunction>();

  /**
   * Validates `data` in place (filling `default`s the schema gives) and returns the problems as
   * `path: message` strings; empty when valid.
   */
  check(schema: JsonSchema, data: unknown): string[] {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#ajv.compile(schema);
      this.#compiled.set(schema, validate);
    }
    if (validate(data)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'is invalid'}`,
    );
  }
}
