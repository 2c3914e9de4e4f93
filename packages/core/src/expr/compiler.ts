import { ExpressionError } from '../errors/errors.js';
import { Callback, type Evaluator, type Frame } from './callback.js';
import { didYouMean } from './did-you-mean.js';
import type { EvalContext } from './eval-context.js';
import type { LibraryFunction } from './function-arguments.js';
import { libraryFunction, unknownFunctionMessage } from './library.js';
import { binaryOperator, numericUnary } from './operators.js';
import {
  checkName,
  child,
  children,
  computedKey,
  describe,
  field,
  forbidden,
  literalKey,
  nameOf,
  syntax,
} from './ast-access.js';
import { isNode, type ExprNode } from './parser.js';
import { ABSENT, ownData, ownDataOrAbsent, readProperty, toText, truthy } from './plain-data.js';

/** The parameter names of the enclosing arrow functions, innermost first (mirrors `Frame`). */
interface Params {
  readonly names: readonly string[];
  readonly parent: Params | undefined;
}

// Returned inside a member/call chain when an optional link (`?.`) met null or undefined: the rest of the
// chain is skipped and the whole chain is undefined, as in JavaScript. It never escapes a chain.
const SHORT: unique symbol = Symbol('short-circuit');

/**
 * Compiles a syntax tree into nested closures, once, so that evaluation is plain function calls with no
 * tree walking or dispatch on node types. Throws `ExpressionError` (`EXPRESSION_FORBIDDEN` for what the
 * language does not allow, `EXPRESSION_SYNTAX` for malformed calls and arrows).
 */
export function compileTree(tree: ExprNode): Evaluator {
  return compileNode(tree, undefined);
}

function step(ctx: EvalContext): void {
  if (++ctx.steps > ctx.maxSteps) ctx.stepLimitExceeded();
}

function compileNode(node: ExprNode, params: Params | undefined): Evaluator {
  switch (node.type) {
    case 'Literal': {
      const value: unknown = node['value'];
      if (value !== null && typeof value === 'object')
        throw forbidden('regular expressions are not supported');
      return (ctx) => {
        step(ctx);
        return value;
      };
    }
    case 'Identifier':
      return compileIdentifier(checkName(nameOf(node)), params);
    case 'MemberExpression':
    case 'CallExpression':
      return compileChain(node, params);
    case 'UnaryExpression':
      return compileUnary(node, params);
    case 'BinaryExpression':
      return compileBinary(node, params);
    case 'ConditionalExpression': {
      const test = compileNode(child(node, 'test'), params);
      const consequent = compileNode(child(node, 'consequent'), params);
      const alternate = compileNode(child(node, 'alternate'), params);
      return (ctx, frame) => {
        step(ctx);
        return truthy(test(ctx, frame)) ? consequent(ctx, frame) : alternate(ctx, frame);
      };
    }
    case 'ArrayExpression': {
      const elements = children(node, 'elements').map((element) => compileNode(element, params));
      return (ctx, frame) => {
        step(ctx);
        return elements.map((element) => element(ctx, frame));
      };
    }
    case 'ObjectExpression':
      return compileObject(node, params);
    case 'TemplateLiteral':
      return compileTemplateLiteral(node, params);
    case 'ArrowFunctionExpression':
      throw forbidden(
        'arrow functions are allowed only as the argument of some, every, filter, map, find, findIndex, reduce or sort',
      );
    case 'ThisExpression':
      throw forbidden('"this" is not available in expressions');
    case 'SequenceExpression':
    case 'Compound':
      throw syntax('expected one expression, found several separated by commas');
    case 'TaggedTemplateExpression':
      throw forbidden('tagged templates are not supported');
    default:
      throw syntax(`${node.type} is not supported in expressions`);
  }
}

function compileIdentifier(name: string, params: Params | undefined): Evaluator {
  let depth = 0;
  for (let scope = params; scope !== undefined; scope = scope.parent, depth++) {
    const index = scope.names.indexOf(name);
    if (index === -1) continue;
    const up = depth;
    return (ctx, frame) => {
      step(ctx);
      let current = frame;
      for (let i = 0; i < up; i++) current = current?.parent;
      return current?.values[index];
    };
  }
  return (ctx) => {
    step(ctx);
    const value = ownDataOrAbsent(ctx.scope, name);
    if (value === ABSENT) throw unknownName(name, ctx);
    return value;
  };
}

function unknownName(name: string, ctx: EvalContext): ExpressionError {
  if (libraryFunction(name) !== undefined) {
    return new ExpressionError('EXPRESSION_TYPE', `"${name}" is a function; call it as ${name}(…)`);
  }
  const available = Object.keys(ctx.scope);
  const suggestion = didYouMean(name, available);
  const hint =
    suggestion !== undefined
      ? ` (did you mean "${suggestion}"?)`
      : available.length > 0 && available.length <= 12
        ? ` (available: ${available.join(', ')})`
        : '';
  return new ExpressionError('EXPRESSION_TYPE', `unknown name "${name}"${hint}`);
}

function compileUnary(node: ExprNode, params: Params | undefined): Evaluator {
  const operator = field(node, 'operator');
  const argumentNode = child(node, 'argument');
  if (operator === 'typeof' && argumentNode.type === 'Identifier' && !isParam(nameOf(argumentNode), params)) {
    // As in JavaScript, `typeof missing` is "undefined" rather than an unknown-name error.
    const name = checkName(nameOf(argumentNode));
    return (ctx) => {
      ctx.charge(2);
      return typeof ownData(ctx.scope, name);
    };
  }
  const argument = compileNode(argumentNode, params);
  switch (operator) {
    case '!':
      return (ctx, frame) => {
        step(ctx);
        return !truthy(argument(ctx, frame));
      };
    case '-':
    case '+':
      return (ctx, frame) => {
        step(ctx);
        return numericUnary(operator, argument(ctx, frame));
      };
    case 'typeof':
      return (ctx, frame) => {
        step(ctx);
        return typeof argument(ctx, frame);
      };
    default:
      throw forbidden(`operator "${operator}" is not supported`);
  }
}

function isParam(name: string, params: Params | undefined): boolean {
  for (let scope = params; scope !== undefined; scope = scope.parent)
    if (scope.names.includes(name)) return true;
  return false;
}

function compileBinary(node: ExprNode, params: Params | undefined): Evaluator {
  const operator = field(node, 'operator');
  const left = compileNode(child(node, 'left'), params);
  const right = compileNode(child(node, 'right'), params);
  switch (operator) {
    case '&&':
      return (ctx, frame) => {
        step(ctx);
        const value = left(ctx, frame);
        return truthy(value) ? right(ctx, frame) : value;
      };
    case '||':
      return (ctx, frame) => {
        step(ctx);
        const value = left(ctx, frame);
        return truthy(value) ? value : right(ctx, frame);
      };
    case '??':
      return (ctx, frame) => {
        step(ctx);
        const value = left(ctx, frame);
        return value === null || value === undefined ? right(ctx, frame) : value;
      };
  }
  const apply = binaryOperator(operator);
  if (apply === undefined) throw forbidden(`operator "${operator}" is not supported`);
  return (ctx, frame) => {
    step(ctx);
    return apply(left(ctx, frame), right(ctx, frame), ctx);
  };
}

function compileObject(node: ExprNode, params: Params | undefined): Evaluator {
  const properties = children(node, 'properties').map((property) => {
    if (property.type !== 'Property') throw syntax('object literals take only key: value pairs');
    const keyNode = child(property, 'key');
    const value = compileNode(child(property, 'value'), params);
    if (property['computed'] === true) return { key: compileNode(keyNode, params), value };
    const key = keyNode.type === 'Literal' ? literalKey(keyNode['value']) : nameOf(keyNode);
    return { key: checkName(key), value };
  });
  return (ctx, frame) => {
    step(ctx);
    const result: Record<string, unknown> = {};
    for (const property of properties) {
      const key = typeof property.key === 'string' ? property.key : computedKey(property.key(ctx, frame));
      result[key] = property.value(ctx, frame);
    }
    return result;
  };
}

function compileTemplateLiteral(node: ExprNode, params: Params | undefined): Evaluator {
  const quasis = children(node, 'quasis').map((quasi) => {
    const value = quasi['value'] as { cooked?: unknown } | undefined;
    return typeof value?.cooked === 'string' ? value.cooked : '';
  });
  const expressions = children(node, 'expressions').map((expression) => compileNode(expression, params));
  return (ctx, frame) => {
    step(ctx);
    let text = quasis[0] ?? '';
    for (let i = 0; i < expressions.length; i++) {
      const part = toText(expressions[i]?.(ctx, frame), ctx) + (quasis[i + 1] ?? '');
      ctx.checkString(text.length + part.length, 'a template string');
      text += part;
    }
    return text;
  };
}

/** A member or call chain; when it has an optional link, the short-circuit marker becomes undefined here. */
function compileChain(node: ExprNode, params: Params | undefined): Evaluator {
  const link = compileLink(node, params);
  if (!hasOptionalLink(node)) return link;
  return (ctx, frame) => {
    const value = link(ctx, frame);
    return value === SHORT ? undefined : value;
  };
}

function hasOptionalLink(node: ExprNode): boolean {
  for (let current: unknown = node; isNode(current);) {
    if (current.type === 'MemberExpression') {
      if (current['optional'] === true) return true;
      current = current['object'];
    } else if (current.type === 'CallExpression') {
      current = current['callee'];
    } else return false;
  }
  return false;
}

/** One link of a chain: may return `SHORT`, which the links above pass on untouched. */
function compileLink(node: ExprNode, params: Params | undefined): Evaluator {
  if (node.type === 'MemberExpression') return compileMember(node, params);
  if (node.type === 'CallExpression') return compileCall(node, params);
  return compileNode(node, params);
}

function compileMember(node: ExprNode, params: Params | undefined): Evaluator {
  const objectNode = child(node, 'object');
  const object = compileLink(objectNode, params);
  const optional = node['optional'] === true;
  const describeObject = (): string => describe(objectNode);
  const propertyNode = child(node, 'property');
  if (node['computed'] !== true) {
    const key = checkName(nameOf(propertyNode));
    return (ctx, frame) => {
      step(ctx);
      const target = object(ctx, frame);
      if (target === SHORT || (optional && (target === null || target === undefined))) return SHORT;
      return readProperty(target, key, describeObject);
    };
  }
  if (propertyNode.type === 'Literal' && typeof propertyNode['value'] === 'string') {
    checkName(propertyNode['value']);
  }
  const property = compileNode(propertyNode, params);
  return (ctx, frame) => {
    step(ctx);
    const target = object(ctx, frame);
    if (target === SHORT || (optional && (target === null || target === undefined))) return SHORT;
    const key = property(ctx, frame);
    if (typeof key === 'number') return readProperty(target, key, describeObject);
    return readProperty(target, computedKey(key), describeObject);
  };
}

function compileCall(node: ExprNode, params: Params | undefined): Evaluator {
  if (node['optional'] === true)
    throw forbidden('optional calls ?.() are not supported; library functions always exist');
  const callee = child(node, 'callee');
  const argumentNodes = children(node, 'arguments');
  let name: string;
  let receiver: Evaluator | undefined;
  let receiverOptional = false;
  if (callee.type === 'Identifier') {
    name = nameOf(callee);
  } else if (callee.type === 'MemberExpression' && callee['computed'] !== true) {
    name = nameOf(child(callee, 'property'));
    receiver = compileLink(child(callee, 'object'), params);
    receiverOptional = callee['optional'] === true;
  } else {
    throw forbidden('only library functions can be called, by name: lower(x) or x.lower()');
  }
  const fn = libraryFunction(name);
  if (fn === undefined) throw forbidden(unknownFunctionMessage(name));
  const offset = receiver === undefined ? 0 : 1;
  checkArity(name, fn, argumentNodes.length + offset, offset);
  const args = argumentNodes.map((argument, i) => compileArgument(argument, i + offset, name, fn, params));
  const count = args.length + offset;
  return (ctx, frame) => {
    step(ctx);
    const values: unknown[] = new Array<unknown>(count);
    if (receiver !== undefined) {
      const target = receiver(ctx, frame);
      if (target === SHORT || (receiverOptional && (target === null || target === undefined))) return SHORT;
      values[0] = target;
    }
    for (let i = 0; i < args.length; i++) values[i + offset] = args[i]?.(ctx, frame);
    return fn.call(ctx, values, name);
  };
}

function checkArity(name: string, fn: LibraryFunction, count: number, offset: number): void {
  const [min, max] = fn.arity;
  if (count >= min && count <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  const style = offset === 1 ? ' (counting the value before the dot)' : '';
  throw syntax(`${name}() takes ${expected} argument${max === 1 ? '' : 's'}${style}, got ${count}`);
}

function compileArgument(
  node: ExprNode,
  position: number,
  name: string,
  fn: LibraryFunction,
  params: Params | undefined,
): Evaluator {
  const takesArrow = fn.callback?.position === position;
  if (node.type !== 'ArrowFunctionExpression') {
    if (takesArrow)
      throw syntax(`${name}() needs an arrow function such as x => x.ok as argument ${position + 1}`);
    return compileNode(node, params);
  }
  if (!takesArrow || fn.callback === undefined) {
    throw forbidden(`${name}() does not take an arrow function as argument ${position + 1}`);
  }
  const rawParams: unknown = node['params'];
  const names = (Array.isArray(rawParams) ? rawParams : []).map((param: unknown) => {
    if (!isNode(param) || param.type !== 'Identifier') throw syntax('arrow parameters must be plain names');
    return checkName(nameOf(param));
  });
  if (names.length > fn.callback.params) {
    throw syntax(`the arrow function of ${name}() takes at most ${fn.callback.params} parameters`);
  }
  if (new Set(names).size !== names.length) throw syntax('arrow parameters must have different names');
  const body = compileNode(child(node, 'body'), { names, parent: params });
  return (ctx, frame: Frame | undefined) => {
    step(ctx);
    return new Callback(body, frame);
  };
}
