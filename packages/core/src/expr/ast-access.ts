import { ExpressionError } from '../errors/errors.js';
import { isNode, type ExprNode } from './parser.js';
import { FORBIDDEN_NAMES, typeName } from './plain-data.js';

// Typed access to the loosely typed nodes jsep produces, and the errors the compiler raises about them.

/** An `EXPRESSION_FORBIDDEN` error found while compiling. */
export function forbidden(message: string): ExpressionError {
  return new ExpressionError('EXPRESSION_FORBIDDEN', message);
}

/** An `EXPRESSION_SYNTAX` error found while compiling. */
export function syntax(message: string): ExpressionError {
  return new ExpressionError('EXPRESSION_SYNTAX', message);
}

/** The child node under `key`, or a syntax error when the tree is malformed there. */
export function child(node: ExprNode, key: string): ExprNode {
  const value: unknown = node[key];
  if (!isNode(value)) throw syntax(`malformed ${node.type}`);
  return value;
}

/** The child nodes under `key`; holes (`[1, , 2]`) are syntax errors. */
export function children(node: ExprNode, key: string): ExprNode[] {
  const value: unknown = node[key];
  if (!Array.isArray(value)) throw syntax(`malformed ${node.type}`);
  return value.map((item: unknown) => {
    if (!isNode(item)) throw syntax('empty slots such as [1, , 2] are not allowed');
    return item;
  });
}

/** The name of an identifier node; any other node is a syntax error. */
export function nameOf(node: ExprNode): string {
  const name: unknown = node['name'];
  if (node.type !== 'Identifier' || typeof name !== 'string')
    throw syntax(`expected a name, found ${node.type}`);
  return name;
}

/** `name`, unless it is one of the names that lead to the host's prototypes. */
export function checkName(name: string): string {
  if (FORBIDDEN_NAMES.has(name)) throw forbidden(`"${name}" is not accessible in expressions`);
  return name;
}

/** A string field of a node, or '' when the field is missing or of another kind. */
export function field(node: ExprNode, key: string): string {
  const value: unknown = node[key];
  return typeof value === 'string' ? value : '';
}

/** The source-like text of a node, for error messages. */
export function describe(node: ExprNode): string {
  if (node.type === 'Identifier') return field(node, 'name');
  if (node.type === 'MemberExpression' && isNode(node['object']) && isNode(node['property'])) {
    const object = describe(node['object']);
    const link = node['optional'] === true ? '?.' : '.';
    const property = node['property'];
    if (node['computed'] !== true) return `${object}${link}${field(property, 'name')}`;
    if (property.type === 'Literal')
      return `${object}${node['optional'] === true ? '?.' : ''}[${field(property, 'raw')}]`;
  }
  return node.type === 'CallExpression' ? 'the call result' : 'the value';
}

/** The key a literal stands for in `{ "a": 1, 2: 3, true: 4 }`. */
export function literalKey(value: unknown): string {
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null
  ) {
    return String(value);
  }
  throw syntax('object keys must be names, strings or numbers');
}

/** A key computed at run time: a string or number, never one of the forbidden names. */
export function computedKey(key: unknown): string {
  if (typeof key === 'number') return String(key);
  if (typeof key !== 'string')
    throw new ExpressionError('EXPRESSION_TYPE', `a key must be a string or number, got ${typeName(key)}`);
  if (FORBIDDEN_NAMES.has(key)) throw forbidden(`"${key}" is not accessible in expressions`);
  return key;
}
