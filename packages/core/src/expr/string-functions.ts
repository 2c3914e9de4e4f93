import { ExpressionError } from '../errors/errors.js';
import type { EvalContext } from './eval-context.js';
import { arrayArg, stringArg, type LibraryFunction } from './function-arguments.js';
import { arrayItem, toText } from './plain-data.js';

function built(ctx: EvalContext, text: string, name: string): string {
  ctx.checkString(text.length, `${name}()`);
  return text;
}

/** Text functions. None takes a regular expression: `replace` and `split` match literal text. */
export const STRING_FUNCTIONS: Readonly<Record<string, LibraryFunction>> = {
  lower: {
    arity: [1, 1],
    signature: 'lower(text) → text in lower case',
    call: (ctx, args, name) => built(ctx, stringArg(name, args, 0).toLowerCase(), name),
  },
  upper: {
    arity: [1, 1],
    signature: 'upper(text) → text in upper case',
    call: (ctx, args, name) => built(ctx, stringArg(name, args, 0).toUpperCase(), name),
  },
  trim: {
    arity: [1, 1],
    signature: 'trim(text) → text without leading and trailing white space',
    call: (_ctx, args, name) => stringArg(name, args, 0).trim(),
  },
  startsWith: {
    arity: [2, 2],
    signature: 'startsWith(text, prefix) → boolean',
    call: (_ctx, args, name) => stringArg(name, args, 0).startsWith(stringArg(name, args, 1)),
  },
  endsWith: {
    arity: [2, 2],
    signature: 'endsWith(text, suffix) → boolean',
    call: (_ctx, args, name) => stringArg(name, args, 0).endsWith(stringArg(name, args, 1)),
  },
  split: {
    arity: [2, 2],
    signature: 'split(text, separator) → array of strings (separator is literal text)',
    call: (ctx, args, name) => {
      const text = stringArg(name, args, 0);
      // Asking for one part more than allowed is enough to tell an oversized result, without building it.
      const parts = text.split(stringArg(name, args, 1), ctx.maxArrayLength + 1);
      ctx.checkArray(parts.length, `${name}()`);
      return parts;
    },
  },
  replace: {
    arity: [3, 3],
    signature: 'replace(text, search, replacement) → text with every occurrence of search replaced',
    call: (ctx, args, name) => {
      const text = stringArg(name, args, 0);
      const search = stringArg(name, args, 1);
      const replacement = stringArg(name, args, 2);
      if (search === '') throw new ExpressionError('EXPRESSION_TYPE', `${name}(): the search text is empty`);
      let count = 0;
      for (let at = text.indexOf(search); at !== -1; at = text.indexOf(search, at + search.length)) count++;
      ctx.charge(count);
      ctx.checkString(text.length + count * (replacement.length - search.length), `${name}()`);
      // A replacer function keeps `$&`-style patterns in the replacement literal.
      return text.replaceAll(search, () => replacement);
    },
  },
  join: {
    arity: [1, 2],
    signature: 'join(list, separator = ",") → text; items render as in templates',
    call: (ctx, args, name) => {
      const list = arrayArg(name, args, 0);
      const separator = args.length > 1 ? stringArg(name, args, 1) : ',';
      ctx.charge(list.length);
      const parts: string[] = [];
      let length = 0;
      for (let i = 0; i < list.length; i++) {
        const part = toText(arrayItem(list, i), ctx);
        length += part.length + (i === 0 ? 0 : separator.length);
        // Checked as the text grows, so joining a huge list fails before the huge string exists.
        if (length > ctx.maxStringLength) ctx.checkString(length, `${name}()`);
        parts.push(part);
      }
      return built(ctx, parts.join(separator), name);
    },
  },
};
