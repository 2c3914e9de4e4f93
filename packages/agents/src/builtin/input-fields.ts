import { AgentError } from '@baton/core';

/** Checks for a string field. `default` makes the field optional. */
export interface StringRules {
  default?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
}

/** Checks for a number field. `default` makes the field optional. */
export interface NumberRules {
  default?: number;
  min?: number;
  max?: number;
  /** Lower bound the value must stay above. */
  above?: number;
  integer?: boolean;
}

/** Checks for a list field. `optional` turns a missing list into an empty one. */
export interface ListRules {
  optional?: boolean;
  minItems?: number;
  maxItems?: number;
}

/** Texts longer than this are refused: the agents work in memory and in one pass. */
export const MAX_TEXT_LENGTH = 2_000_000;

/**
 * Typed, checked access to an agent's input, one field at a time. A missing required field or a value of
 * the wrong type throws a non-retryable `AgentError` whose message names the field by its path
 * (`input.items[2].quantity: expected a number, got a string`), since the same input fails the same way on
 * every attempt. `null` counts as absent. Fields the agent does not read are ignored.
 */
export class InputFields {
  readonly path: string;
  readonly #data: Readonly<Record<string, unknown>>;

  private constructor(data: Readonly<Record<string, unknown>>, path: string) {
    this.#data = data;
    this.path = path;
  }

  /** Wraps an input object; throws when `value` is not a plain object. */
  static of(value: unknown, path = 'input'): InputFields {
    if (!isPlainObject(value)) throw invalidInput(path, `expected an object, got ${describe(value)}`);
    return new InputFields(value, path);
  }

  /** True when the field is present and not `null`. */
  has(key: string): boolean {
    return this.#get(key) !== undefined;
  }

  /** The field's raw value (`undefined` when absent). */
  raw(key: string): unknown {
    return this.#get(key);
  }

  /** A string field; required unless `rules.default` is given. */
  string(key: string, rules: StringRules = {}): string {
    const value = this.#get(key);
    if (value === undefined) {
      if (rules.default !== undefined) return rules.default;
      throw invalidInput(this.#at(key), 'required; give a string');
    }
    if (typeof value !== 'string')
      throw invalidInput(this.#at(key), `expected a string, got ${describe(value)}`);
    const max = rules.maxLength ?? MAX_TEXT_LENGTH;
    if (rules.minLength !== undefined && value.length < rules.minLength) {
      throw invalidInput(
        this.#at(key),
        rules.minLength === 1 ? 'must not be empty' : `needs at least ${rules.minLength} characters`,
      );
    }
    if (value.length > max)
      throw invalidInput(this.#at(key), `is ${value.length} characters long; the limit is ${max}`);
    if (rules.pattern && !rules.pattern.test(value)) {
      throw invalidInput(
        this.#at(key),
        `${JSON.stringify(value.slice(0, 60))} does not match ${String(rules.pattern)}`,
      );
    }
    return value;
  }

  /** A string field that may be absent. */
  optionalString(key: string, rules: Omit<StringRules, 'default'> = {}): string | undefined {
    return this.has(key) ? this.string(key, rules) : undefined;
  }

  /** A number field; required unless `rules.default` is given. */
  number(key: string, rules: NumberRules = {}): number {
    const value = this.#get(key);
    if (value === undefined) {
      if (rules.default !== undefined) return rules.default;
      throw invalidInput(this.#at(key), `required; give ${rules.integer ? 'an integer' : 'a number'}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidInput(this.#at(key), `expected a finite number, got ${describe(value)}`);
    }
    if (rules.integer && !Number.isInteger(value))
      throw invalidInput(this.#at(key), `expected an integer, got ${value}`);
    if (rules.min !== undefined && value < rules.min)
      throw invalidInput(this.#at(key), `must be at least ${rules.min}, got ${value}`);
    if (rules.max !== undefined && value > rules.max)
      throw invalidInput(this.#at(key), `must be at most ${rules.max}, got ${value}`);
    if (rules.above !== undefined && value <= rules.above) {
      throw invalidInput(this.#at(key), `must be greater than ${rules.above}, got ${value}`);
    }
    return value;
  }

  /** A number field that may be absent. */
  optionalNumber(key: string, rules: Omit<NumberRules, 'default'> = {}): number | undefined {
    return this.has(key) ? this.number(key, rules) : undefined;
  }

  /** A boolean field; `fallback` when absent. */
  boolean(key: string, fallback: boolean): boolean {
    const value = this.#get(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean')
      throw invalidInput(this.#at(key), `expected true or false, got ${describe(value)}`);
    return value;
  }

  /** One of a fixed set of strings; required unless `fallback` is given. */
  choice<T extends string>(key: string, values: readonly T[], fallback?: T): T {
    const value = this.#get(key);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      const got =
        value === undefined ? 'nothing' : typeof value === 'string' ? JSON.stringify(value) : describe(value);
      throw invalidInput(this.#at(key), `expected one of ${values.join(', ')}, got ${got}`);
    }
    return value as T;
  }

  /** A nested object field. */
  object(key: string): InputFields {
    const value = this.#get(key);
    if (value === undefined) throw invalidInput(this.#at(key), 'required; give an object');
    return InputFields.of(value, this.#at(key));
  }

  /** A nested object field that may be absent. */
  optionalObject(key: string): InputFields | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  /** The nested object's own entries, for label → value maps. */
  entries(): [string, unknown][] {
    return Object.entries(this.#data);
  }

  /** A list of objects, each wrapped for checked access with its index in the path. */
  objects(key: string, rules: ListRules = {}): InputFields[] {
    return this.#list(key, rules).map((item, i) => InputFields.of(item, `${this.#at(key)}[${i}]`));
  }

  /** A list of strings. */
  strings(key: string, rules: ListRules = {}): string[] {
    return this.#list(key, rules).map((item, i) => {
      if (typeof item !== 'string')
        throw invalidInput(`${this.#at(key)}[${i}]`, `expected a string, got ${describe(item)}`);
      return item;
    });
  }

  #list(key: string, rules: ListRules): unknown[] {
    const value = this.#get(key);
    if (value === undefined) {
      if (rules.optional) return [];
      throw invalidInput(this.#at(key), 'required; give a list');
    }
    if (!Array.isArray(value)) throw invalidInput(this.#at(key), `expected a list, got ${describe(value)}`);
    if (rules.minItems !== undefined && value.length < rules.minItems) {
      throw invalidInput(this.#at(key), `needs at least ${rules.minItems} item(s), got ${value.length}`);
    }
    if (rules.maxItems !== undefined && value.length > rules.maxItems) {
      throw invalidInput(this.#at(key), `allows at most ${rules.maxItems} item(s), got ${value.length}`);
    }
    return value as unknown[];
  }

  #get(key: string): unknown {
    if (!Object.hasOwn(this.#data, key)) return undefined;
    const value = this.#data[key];
    return value === null ? undefined : value;
  }

  #at(key: string): string {
    return `${this.path}.${key}`;
  }
}

/** The non-retryable error for input an agent cannot use; `path` names the field. */
export function invalidInput(path: string, message: string): AgentError {
  return new AgentError(`invalid input: ${path}: ${message}`, {
    retryable: false,
    details: { reason: 'invalid_input', path },
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(value) ? `the number ${value}` : String(value);
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
