/**
 * The fixed library of pure functions that expressions may call — the only things they can call.
 *
 * Call style: every function can be called in function style, `lower(input.name)`, or in method style,
 * `input.name.lower()`, which means the same call with the receiver as the first argument. Function style is
 * the canonical one in the docs; method style reads naturally for the list functions that take an arrow:
 * `items.filter(x => x.ok).map(x => x.id)`. The only properties (as opposed to calls) are data: own
 * properties of objects, items and `length` of arrays and strings. JavaScript's own methods
 * (`toLowerCase`, `Array#push`, …) do not exist; an unknown name is `EXPRESSION_FORBIDDEN` with a hint.
 *
 * Every function is pure: it reads its arguments, never changes them (`sort` returns a sorted copy), reads
 * time only from the injected clock, and checks every string and array it builds against the limits.
 */
import { didYouMean } from './did-you-mean.js';
import { COLLECTION_FUNCTIONS } from './collection-functions.js';
import { CONVERSION_FUNCTIONS } from './conversion-functions.js';
import { DATE_FUNCTIONS } from './date-functions.js';
import type { LibraryFunction } from './function-arguments.js';
import { ITERATION_FUNCTIONS } from './iteration-functions.js';
import { NUMBER_FUNCTIONS } from './number-functions.js';
import { STRING_FUNCTIONS } from './string-functions.js';

// A Map rather than an object: looking up "constructor" or "__proto__" must find nothing.
const LIBRARY: ReadonlyMap<string, LibraryFunction> = new Map(
  [
    COLLECTION_FUNCTIONS,
    ITERATION_FUNCTIONS,
    STRING_FUNCTIONS,
    NUMBER_FUNCTIONS,
    CONVERSION_FUNCTIONS,
    DATE_FUNCTIONS,
  ].flatMap((table) => Object.entries(table)),
);

const NAMES: readonly string[] = Object.freeze([...LIBRARY.keys()].sort());

// Names people reach for from JavaScript, and what to use instead.
const HINTS: ReadonlyMap<string, string> = new Map([
  ['toLowerCase', 'lower'],
  ['toUpperCase', 'upper'],
  ['toString', 'string'],
  ['String', 'string'],
  ['Number', 'number'],
  ['parseInt', 'number'],
  ['parseFloat', 'number'],
  ['Boolean', 'boolean'],
  ['stringify', 'toJson'],
  ['json', 'toJson'],
  ['parse', 'parseJson'],
  ['indexOf', 'findIndex'],
  ['replaceAll', 'replace'],
  ['substring', 'slice'],
  ['contains', 'includes'],
  ['count', 'length'],
  ['size', 'length'],
]);

/** The library function called `name`, if there is one. */
export function libraryFunction(name: string): LibraryFunction | undefined {
  return LIBRARY.get(name);
}

/** The names of every library function, sorted: what an editor may offer for completion. */
export function expressionFunctionNames(): readonly string[] {
  return NAMES;
}

/** The signature line of each library function, for docs and help output. */
export function expressionFunctionSignatures(): readonly { name: string; signature: string }[] {
  return NAMES.map((name) => ({ name, signature: LIBRARY.get(name)?.signature ?? name }));
}

/** The message for a call to a function that is not in the library, with the closest alternative. */
export function unknownFunctionMessage(name: string): string {
  const suggestion = HINTS.get(name) ?? didYouMean(name, NAMES);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return `"${name}" is not a function of the expression library${hint}; only library functions can be called`;
}
