import jsep from 'jsep';
import jsepArrow from '@jsep-plugin/arrow';
import jsepObject from '@jsep-plugin/object';
import jsepTemplate from '@jsep-plugin/template';
import { ExpressionError } from '../errors/errors.js';
import { depthLimitError, type ResolvedCompileLimits } from './limits.js';

/** A node of the syntax tree as jsep and its plugins produce it. */
export type ExprNode = jsep.Expression;

// jsep keeps its configuration in module-wide state; this module owns it. Registration is guarded so the
// plugins' hooks are never added twice.
for (const plugin of [jsepArrow, jsepObject, jsepTemplate]) {
  if (jsep.plugins.registered[plugin.name] === undefined) jsep.plugins.register(plugin);
}
if (!Object.hasOwn(jsep.unary_ops, 'typeof')) jsep.addUnaryOp('typeof');
if (!Object.hasOwn(jsep.literals, 'undefined')) jsep.addLiteral('undefined', undefined);

/** True when `value` is a syntax-tree node. */
export function isNode(value: unknown): value is ExprNode {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * Parses one expression into a syntax tree, enforcing the compile limits. Throws `ExpressionError`:
 * `EXPRESSION_SYNTAX` with the character `index` for text that is not an expression, `EXPRESSION_FORBIDDEN`
 * for assignment or increment operators, `EXPRESSION_LIMIT` for source that is too long or too deep.
 */
export function parseExpression(source: string, limits: ResolvedCompileLimits): ExprNode {
  if (source.length > limits.maxSourceLength) {
    throw new ExpressionError(
      'EXPRESSION_LIMIT',
      `expression is ${source.length} characters long; the limit is ${limits.maxSourceLength}`,
    );
  }
  // The lexical scan rejects deep bracket nesting before jsep, whose recursive descent would otherwise
  // run out of stack on something like ten thousand `(`.
  scanSource(source, limits.maxDepth);
  let tree: ExprNode;
  try {
    tree = jsep(source);
  } catch (error) {
    throw parseFailure(error, limits.maxDepth);
  }
  if (tree.type === 'Compound') {
    const body = tree['body'];
    const first: unknown = Array.isArray(body) ? body[0] : undefined;
    if (isNode(first) && first.type === 'Identifier' && first['name'] === 'new') {
      throw new ExpressionError(
        'EXPRESSION_FORBIDDEN',
        '"new" is not allowed: expressions cannot create objects',
      );
    }
    const message = Array.isArray(body) && body.length === 0 ? 'empty expression' : 'expected one expression';
    throw new ExpressionError('EXPRESSION_SYNTAX', `${message}; combine values with operators`);
  }
  if (exceedsDepth(tree, limits.maxDepth, 0)) throw depthLimitError(limits.maxDepth);
  return tree;
}

function parseFailure(error: unknown, maxDepth: number): ExpressionError {
  // Deep nesting without brackets (`!!!!…`, `a ? a ? …`) can still exhaust jsep's stack.
  if (error instanceof RangeError) return depthLimitError(maxDepth);
  if (error instanceof Error) {
    const index = (error as { index?: unknown }).index;
    const description = (error as { description?: unknown }).description;
    if (typeof index === 'number' && typeof description === 'string') {
      return new ExpressionError('EXPRESSION_SYNTAX', `${description} at character ${index}`, { index });
    }
  }
  // A plugin tripping over malformed input: still just a syntax error to the user.
  return new ExpressionError('EXPRESSION_SYNTAX', 'malformed expression');
}

function exceedsDepth(node: ExprNode, maxDepth: number, depth: number): boolean {
  if (depth > maxDepth) return true;
  for (const key of Object.keys(node)) {
    const value: unknown = node[key];
    if (isNode(value)) {
      if (exceedsDepth(value, maxDepth, depth + 1)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) if (isNode(item) && exceedsDepth(item, maxDepth, depth + 1)) return true;
    }
  }
  return false;
}

/**
 * One pass over the source outside string and template literals: measures bracket depth (template
 * `${` counts) and rejects assignment (`=`, `+=`, `??=`, …) and `++`/`--` with a clear message.
 */
function scanSource(source: string, maxDepth: number): void {
  // Each entry is the character that closes the open construct; '`' marks the inside of a template literal.
  const open: string[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] ?? '';
    const inTemplate = open[open.length - 1] === '`';
    if (inTemplate) {
      if (ch === '\\') i += 2;
      else if (ch === '`') {
        open.pop();
        i++;
      } else if (ch === '$' && source[i + 1] === '{') {
        open.push('}');
        if (open.length > maxDepth) throw depthLimitError(maxDepth, i);
        i += 2;
      } else i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipString(source, i);
      continue;
    }
    if (ch === '`' || ch === '(' || ch === '[' || ch === '{') {
      open.push(ch === '`' ? '`' : ch === '(' ? ')' : ch === '[' ? ']' : '}');
      if (open.length > maxDepth) throw depthLimitError(maxDepth, i);
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (open[open.length - 1] === ch) open.pop();
    } else if ((ch === '+' || ch === '-') && source[i + 1] === ch) {
      throw new ExpressionError(
        'EXPRESSION_FORBIDDEN',
        `"${ch}${ch}" is not allowed: expressions never change data`,
        {
          index: i,
        },
      );
    } else if (ch === '=') {
      const next = source[i + 1];
      const previous = source[i - 1] ?? '';
      const isComparisonOrArrow = next === '=' || next === '>' || '=!<>'.includes(previous);
      if (!isComparisonOrArrow) {
        throw new ExpressionError(
          'EXPRESSION_FORBIDDEN',
          'assignment is not allowed: expressions never change data (compare with ==)',
          { index: i },
        );
      }
    }
    i++;
  }
}

/** The index just past the string literal starting at `start` (or the end of the source if unclosed). */
export function skipString(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\') i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return i;
}
