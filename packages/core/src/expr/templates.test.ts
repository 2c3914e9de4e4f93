import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../errors/errors.js';
import {
  isTemplate,
  parseTemplate,
  renderTemplate,
  resolveTemplates,
  templateExpressions,
} from './templates.js';

const scope = {
  input: { name: 'Ada', count: 3, ok: true, missing: undefined, none: null, meta: { a: 1 } },
  nodes: { a: { output: { items: [1, 2, 3], text: 'draft' } } },
};

function thrown(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
}

describe('template parsing', () => {
  it('tells templates from plain text', () => {
    expect(isTemplate('Hello {{ input.name }}')).toBe(true);
    expect(isTemplate('Hello { name }')).toBe(false);
  });

  it('lists the expression sources, trimmed, with where they start', () => {
    expect(templateExpressions('{{ a.b }} and {{c}}')).toStrictEqual(['a.b', 'c']);
    expect(parseTemplate('Hi {{  input.name }}!')).toStrictEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'expr', source: 'input.name', start: 7 },
      { kind: 'text', text: '!' },
    ]);
  });

  it('finds the closing braces after strings and object literals that contain braces', () => {
    expect(templateExpressions('{{ "}}" + x }}')).toStrictEqual(['"}}" + x']);
    expect(templateExpressions('{{ {a: {b: 1}} }}')).toStrictEqual(['{a: {b: 1}}']);
  });

  it('rejects an unclosed {{ with its position', () => {
    const error = thrown(() => templateExpressions('Hello {{ input.name'));
    expect(error.code).toBe('EXPRESSION_SYNTAX');
    expect(error.index).toBe(6);
  });

  it('rejects an empty {{ }}', () => {
    expect(thrown(() => templateExpressions('a {{ }} b')).code).toBe('EXPRESSION_SYNTAX');
  });
});

describe('renderTemplate', () => {
  it('writes values into text', () => {
    expect(renderTemplate('Hello {{ input.name }}, you have {{ input.count }} items', scope)).toBe(
      'Hello Ada, you have 3 items',
    );
  });

  it('keeps the type of a value when the text is one whole template', () => {
    expect(renderTemplate('{{ nodes.a.output.items }}', scope)).toStrictEqual([1, 2, 3]);
    expect(renderTemplate('  {{ input.count }}\n', scope)).toBe(3);
    expect(renderTemplate('{{ input.ok }}', scope)).toBe(true);
    expect(renderTemplate('{{ input.missing }}', scope)).toBeUndefined();
  });

  it('renders missing values as nothing and objects as JSON inside text', () => {
    expect(renderTemplate('[{{ input.missing }}][{{ input.none }}]', scope)).toBe('[][]');
    expect(renderTemplate('items: {{ nodes.a.output.items }} meta: {{ input.meta }}', scope)).toBe(
      'items: [1,2,3] meta: {"a":1}',
    );
  });

  it('returns text without templates as it is', () => {
    expect(renderTemplate('no templates here', scope)).toBe('no templates here');
  });

  it('writes literal braces through a string expression', () => {
    expect(renderTemplate("use {{ '{{' }} name }}", scope)).toBe('use {{ name }}');
  });

  it('points errors at the expression inside the template text', () => {
    const error = thrown(() => renderTemplate('Hi {{ inptu.name }}', scope));
    expect(error.code).toBe('EXPRESSION_TYPE');
    expect(error.message).toBe('in {{ inptu.name }}: unknown name "inptu" (did you mean "input"?)');
    expect(error.index).toBe(6);
    const syntax = thrown(() => renderTemplate('Hi {{ input. }}', scope));
    expect(syntax.code).toBe('EXPRESSION_SYNTAX');
    expect(syntax.index).toBeGreaterThan(6);
  });

  it('shares one step budget between the expressions of one template', () => {
    const text = '{{ nodes.a.output.items.map(x => x) }} {{ nodes.a.output.items.map(x => x) }}';
    const half = '{{ nodes.a.output.items.map(x => x) }}!';
    expect(renderTemplate(half, scope, { maxSteps: 20 })).toBe('[1,2,3]!');
    expect(() => renderTemplate(text, scope, { maxSteps: 20 })).toThrow(/evaluation steps/);
    expect(renderTemplate(text, scope, { maxSteps: 40 })).toBe('[1,2,3] [1,2,3]');
  });

  it('limits the size of the rendered text', () => {
    const error = thrown(() =>
      renderTemplate('{{ nodes.a.output.text }}{{ nodes.a.output.text }}', scope, { maxStringLength: 8 }),
    );
    expect(error.code).toBe('EXPRESSION_LIMIT');
  });
});

describe('resolveTemplates', () => {
  it('renders every string inside arrays and objects', () => {
    const value = {
      prompt: 'Summarise {{ nodes.a.output.text }}',
      items: '{{ nodes.a.output.items }}',
      nested: [{ who: '{{ input.name }}' }, 'plain', 7, null],
    };
    expect(resolveTemplates(value, scope)).toStrictEqual({
      prompt: 'Summarise draft',
      items: [1, 2, 3],
      nested: [{ who: 'Ada' }, 'plain', 7, null],
    });
  });

  it('returns the same objects where nothing changed', () => {
    const untouched = { a: ['x', { b: 1 }] };
    const value = { untouched, changed: { c: '{{ input.count }}' } };
    const resolved = resolveTemplates(value, scope) as typeof value;
    expect(resolved).not.toBe(value);
    expect(resolved.untouched).toBe(untouched);
    expect(resolved.changed).toStrictEqual({ c: 3 });
    expect(value.changed.c).toBe('{{ input.count }}');
    const plain = { a: [1, 'two', { three: 3 }] };
    expect(resolveTemplates(plain, scope)).toBe(plain);
  });

  it('keeps a "__proto__" key as data when copying', () => {
    const value: unknown = JSON.parse('{"__proto__": {"polluted": "{{ input.name }}"}}');
    const resolved = resolveTemplates(value, scope);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(Object.hasOwn(resolved as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('leaves non-string leaves and non-plain objects alone', () => {
    const date = new Date(0);
    expect(resolveTemplates([1, true, null, date], scope)).toStrictEqual([1, true, null, date]);
    expect(resolveTemplates('{{ input.count }}', scope)).toBe(3);
  });
});
