import type { ErrorCode } from '../errors/baton-error.js';
import { ExpressionError } from '../errors/errors.js';
import { EvalContext } from './eval-context.js';
import { compileCached } from './expression.js';
import type { EvalOptions } from './limits.js';
import { LruCache } from './lru-cache.js';
import { skipString } from './parser.js';
import { arrayItem, isPlainObject, ownData, toText } from './plain-data.js';

/** A piece of a template string: literal text, or the source of one `{{ }}` expression and where it starts. */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; source: string; start: number };

/** How deep `resolveTemplates` walks into arrays and objects. */
const MAX_RESOLVE_DEPTH = 1_000;
/** Longer texts are parsed every time rather than held in the cache. */
const MAX_CACHED_TEXT = 100_000;

interface ParsedTemplate {
  readonly parts: readonly TemplatePart[];
  /** The one expression when the text is a single `{{ }}` with only white space around it. */
  readonly whole: (TemplatePart & { kind: 'expr' }) | undefined;
}

const cache = new LruCache<string, ParsedTemplate>(1_000);

/** True when `text` contains `{{`, i.e. it must be rendered (an unclosed `{{` is then a syntax error). */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

/**
 * Splits a template into text and expressions. Inside `{{ }}`, string literals and object braces may
 * contain `}}`. Throws `EXPRESSION_SYNTAX` for an unclosed `{{` or an empty `{{ }}`, with its `index`.
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let textStart = 0;
  for (let open = text.indexOf('{{'); open !== -1; open = text.indexOf('{{', textStart)) {
    const close = findClose(text, open + 2);
    if (close === -1) {
      throw new ExpressionError('EXPRESSION_SYNTAX', `unclosed {{ at character ${open}: add the closing }}`, {
        index: open,
      });
    }
    const raw = text.slice(open + 2, close);
    const source = raw.trim();
    if (source === '') {
      throw new ExpressionError('EXPRESSION_SYNTAX', `empty {{ }} at character ${open}`, { index: open });
    }
    if (open > textStart) parts.push({ kind: 'text', text: text.slice(textStart, open) });
    parts.push({ kind: 'expr', source, start: open + 2 + (raw.length - raw.trimStart().length) });
    textStart = close + 2;
  }
  if (textStart < text.length) parts.push({ kind: 'text', text: text.slice(textStart) });
  return parts;
}

/** The index of the `}}` closing an expression that starts at `from`, or -1. */
function findClose(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipString(text, i) - 1;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

/** The sources of the expressions inside `{{ }}`, in order. Throws like `parseTemplate`. */
export function templateExpressions(text: string): string[] {
  return parsed(text).parts.flatMap((part) => (part.kind === 'expr' ? [part.source] : []));
}

function parsed(text: string): ParsedTemplate {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const parts = parseTemplate(text);
  const expressions = parts.filter((part) => part.kind === 'expr');
  const onlySpace = parts.every((part) => part.kind === 'expr' || part.text.trim() === '');
  const template: ParsedTemplate = {
    parts,
    whole: expressions.length === 1 && onlySpace ? expressions[0] : undefined,
  };
  if (text.length <= MAX_CACHED_TEXT) cache.set(text, template);
  return template;
}

/**
 * Renders a template over `scope`. A text that is exactly one `{{ expr }}` (white space around allowed)
 * gives the expression's value with its type kept: an array stays an array. Otherwise each value is
 * written into the text: strings as they are, `null`/`undefined` as nothing, numbers and booleans as in
 * JavaScript, arrays and objects as JSON. A text without `{{` is returned as it is.
 * All expressions of one call share one step budget.
 */
export function renderTemplate(
  text: string,
  scope: Readonly<Record<string, unknown>>,
  options?: EvalOptions,
): unknown {
  if (!isTemplate(text)) return text;
  return renderIn(text, new EvalContext(scope, options), options);
}

function renderIn(text: string, ctx: EvalContext, options: EvalOptions | undefined): unknown {
  const template = parsed(text);
  if (template.whole !== undefined) return evaluatePart(template.whole, ctx, options);
  let result = '';
  for (const part of template.parts) {
    const piece = part.kind === 'text' ? part.text : toText(evaluatePart(part, ctx, options), ctx);
    ctx.checkString(result.length + piece.length, 'the template');
    result += piece;
  }
  return result;
}

/** Evaluates one `{{ }}`; errors name the expression and point into the template text. */
function evaluatePart(
  part: TemplatePart & { kind: 'expr' },
  ctx: EvalContext,
  options: EvalOptions | undefined,
): unknown {
  try {
    return compileCached(part.source, options).evaluateIn(ctx);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    const shown = part.source.length > 60 ? `${part.source.slice(0, 60)}…` : part.source;
    // An ExpressionError only ever carries an EXPRESSION_* code.
    const code = error.code as Extract<ErrorCode, `EXPRESSION_${string}`>;
    throw new ExpressionError(code, `in {{ ${shown} }}: ${error.message}`, {
      index: part.start + (error.index ?? 0),
      cause: error,
    });
  }
}

/**
 * Renders every string inside `value`, walking arrays and plain objects, with one step budget for the
 * whole walk. What holds no template is returned as it is — the same object when nothing inside changed —
 * so resolving a definition that uses no templates allocates nothing.
 */
export function resolveTemplates<T>(
  value: T,
  scope: Readonly<Record<string, unknown>>,
  options?: EvalOptions,
): unknown {
  return resolveIn(value, new EvalContext(scope, options), options, 0);
}

function resolveIn(
  value: unknown,
  ctx: EvalContext,
  options: EvalOptions | undefined,
  depth: number,
): unknown {
  if (typeof value === 'string') return isTemplate(value) ? renderIn(value, ctx, options) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_RESOLVE_DEPTH) {
    throw new ExpressionError(
      'EXPRESSION_LIMIT',
      `cannot resolve templates nested deeper than ${MAX_RESOLVE_DEPTH}`,
    );
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = arrayItem(value, i);
      const resolved = resolveIn(item, ctx, options, depth + 1);
      if (copy === undefined && resolved !== item) {
        copy = [];
        for (let j = 0; j < i; j++) copy.push(arrayItem(value, j));
      }
      copy?.push(resolved);
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(value)) {
    const field = ownData(value, key);
    const resolved = resolveIn(field, ctx, options, depth + 1);
    changed ||= resolved !== field;
    entries.push([key, resolved]);
  }
  // Object.fromEntries defines properties, so even a "__proto__" key stays a plain data key.
  return changed ? Object.fromEntries(entries) : value;
}
