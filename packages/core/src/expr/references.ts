import { resolveCompileLimits, withStackGuard, type CompileOptions } from './limits.js';
import { isNode, parseExpression, type ExprNode } from './parser.js';

/**
 * The data an expression reads: one path per free name with the static segments that follow it, in order of
 * first appearance and without duplicates. `nodes.extract.output.items.length > input.min` gives
 * `[['nodes','extract','output','items','length'], ['input','min']]`. Arrow parameters are not free; a
 * computed segment that is not a literal ends its path (`a[b].c` gives `['a']` and `['b']`); function names
 * are not data. Validation uses it to check that every name and node an expression mentions exists.
 * Throws `ExpressionError` for source that does not parse (`EXPRESSION_SYNTAX`/`_FORBIDDEN`/`_LIMIT`).
 */
export function expressionReferences(source: string, options?: CompileOptions): string[][] {
  return withStackGuard(() => {
    const collector = new ReferenceCollector();
    collector.walk(parseExpression(source, resolveCompileLimits(options)), []);
    return collector.paths;
  });
}

class ReferenceCollector {
  readonly paths: string[][] = [];
  readonly #seen = new Set<string>();

  add(path: string[]): void {
    const key = JSON.stringify(path);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.paths.push(path);
  }

  walk(node: ExprNode, bound: readonly string[]): void {
    switch (node.type) {
      case 'Identifier':
      case 'MemberExpression': {
        const path = this.pathOf(node, bound);
        if (path !== undefined) this.add(path);
        return;
      }
      case 'CallExpression':
        return this.walkCall(node, bound);
      case 'ArrowFunctionExpression':
        return this.walkArrow(node, bound);
      case 'Property':
        // Keys are names of the object being built, not references, unless computed.
        if (node['computed'] === true && isNode(node['key'])) this.walk(node['key'], bound);
        if (isNode(node['value'])) this.walk(node['value'], bound);
        return;
      default:
        for (const key of Object.keys(node)) this.walkValue(node[key], bound);
    }
  }

  private walkValue(value: unknown, bound: readonly string[]): void {
    if (isNode(value)) this.walk(value, bound);
    else if (Array.isArray(value)) for (const item of value) this.walkValue(item, bound);
  }

  /** The static path of a member chain rooted at a free name; records the references inside it on the way. */
  private pathOf(node: ExprNode, bound: readonly string[]): string[] | undefined {
    if (node.type === 'Identifier') {
      const name = node['name'];
      return typeof name === 'string' && !bound.includes(name) ? [name] : undefined;
    }
    if (node.type !== 'MemberExpression' || !isNode(node['object']) || !isNode(node['property'])) {
      this.walk(node, bound);
      return undefined;
    }
    const base = this.pathOf(node['object'], bound);
    const property = node['property'];
    const segment = node['computed'] === true ? literalSegment(property) : property['name'];
    if (typeof segment !== 'string') {
      if (base !== undefined) this.add(base);
      this.walk(property, bound);
      return undefined;
    }
    return base === undefined ? undefined : [...base, segment];
  }

  private walkCall(node: ExprNode, bound: readonly string[]): void {
    const callee = node['callee'];
    // In method style the receiver is data; the function name after the dot is not.
    if (isNode(callee) && callee.type === 'MemberExpression' && isNode(callee['object'])) {
      this.walk(callee['object'], bound);
    } else if (isNode(callee) && callee.type !== 'Identifier') {
      this.walk(callee, bound);
    }
    this.walkValue(node['arguments'], bound);
  }

  private walkArrow(node: ExprNode, bound: readonly string[]): void {
    const params = Array.isArray(node['params']) ? node['params'] : [];
    const names = params.flatMap((param: unknown) =>
      isNode(param) && typeof param['name'] === 'string' ? [param['name']] : [],
    );
    if (isNode(node['body'])) this.walk(node['body'], [...bound, ...names]);
  }
}

/** The segment a computed property stands for when it is a string or number literal. */
function literalSegment(property: ExprNode): string | undefined {
  if (property.type !== 'Literal') return undefined;
  const value = property['value'];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
