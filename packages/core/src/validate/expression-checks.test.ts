import { describe, expect, it } from 'vitest';
import { wholeTemplateReference } from './expression-checks.js';
import { validateWorkflow } from './validate-workflow.js';
import { codesAndPaths, validWorkflow } from './validation-fixtures.js';

type Doc = ReturnType<typeof validWorkflow>;

function check(mutate: (w: Doc) => void): ReturnType<typeof validateWorkflow> {
  const workflow = validWorkflow();
  mutate(workflow);
  return validateWorkflow(workflow);
}

function set(index: number, changes: Record<string, unknown>): (w: Doc) => void {
  return (w) => {
    w.nodes[index] = { ...w.nodes[index], ...changes };
  };
}

function bodyNode(changes: Record<string, unknown>): (w: Doc) => void {
  return (w) => {
    const loop = w.nodes[2] as { body: { nodes: Record<string, unknown>[] } };
    loop.body.nodes[0] = { ...loop.body.nodes[0], ...changes };
  };
}

describe('expression syntax', () => {
  it('reports an expression that does not parse, with the parser message', () => {
    const result = check(set(1, { condition: 'nodes.extract.output.items.length >' }));
    expect(codesAndPaths(result.problems)).toEqual(['EXPRESSION_SYNTAX nodes[1].condition']);
    expect(result.problems[0]?.message).toMatch(
      /^expression "nodes\.extract\.output\.items\.length >" does not parse: /,
    );
  });

  it('reports an unclosed template and a broken one inside nested inputs', () => {
    const result = check(
      set(0, { inputs: { document: '{{ input.document', extra: { list: ['{{ 1 + }}'] } } }),
    );
    expect(codesAndPaths(result.problems)).toEqual([
      'EXPRESSION_SYNTAX nodes[0].inputs.document',
      'EXPRESSION_SYNTAX nodes[0].inputs.extra.list[0]',
    ]);
    expect(result.problems[0]?.message).toBe(
      'text "{{ input.document" does not parse: unclosed {{ at character 0: add the closing }}',
    );
    expect(result.problems[1]?.message).toMatch(/^template "\{\{ 1 \+ \}\}" does not parse/);
  });

  it('reports calls of functions outside the library as forbidden', () => {
    const result = check(set(4, { set: { count: 'eval("1")' } }));
    expect(codesAndPaths(result.problems)).toEqual(['EXPRESSION_FORBIDDEN nodes[4].set.count']);
  });

  it('checks every place that holds an expression or a template', () => {
    const broken = '(';
    const result = check((w) => {
      w.nodes.push(
        { id: 'pause', type: 'wait', until: broken, compensation: { type: 'transform', set: { a: broken } } },
        { id: 'hear', type: 'wait', event: { name: 'x', match: broken } },
        { id: 'tell', type: 'emit', event: 'done', payload: { text: `{{ ${broken} }}` } },
        { id: 'child', type: 'subworkflow', workflow: { id: 'other' }, inputs: { a: `{{ ${broken} }}` } },
        {
          id: 'fan',
          type: 'parallel',
          branches: [{ nodes: [{ id: 'solo', type: 'transform', set: {} }], output: broken }],
        },
        {
          id: 'again',
          type: 'loop',
          while: broken,
          output: broken,
          body: { nodes: [{ id: 'inner', type: 'transform', set: {} }] },
        },
      );
      set(3, { message: `{{ ${broken} }}`, assign: { attempts: broken } })(w);
      w['outputs'] = { count: { value: broken } };
    });
    expect(codesAndPaths(result.problems)).toEqual([
      'EXPRESSION_SYNTAX nodes[3].message',
      'EXPRESSION_SYNTAX nodes[3].assign.attempts',
      'EXPRESSION_SYNTAX nodes[5].until',
      'EXPRESSION_SYNTAX nodes[5].compensation.set.a',
      'EXPRESSION_SYNTAX nodes[6].event.match',
      'EXPRESSION_SYNTAX nodes[7].payload.text',
      'EXPRESSION_SYNTAX nodes[8].inputs.a',
      'EXPRESSION_SYNTAX nodes[9].branches[0].output',
      'EXPRESSION_SYNTAX nodes[10].while',
      'EXPRESSION_SYNTAX nodes[10].output',
      'EXPRESSION_SYNTAX outputs.count.value',
    ]);
  });
});

describe('names', () => {
  it('suggests the closest name for an unknown one and lists what may be read', () => {
    const result = check(set(1, { condition: 'inptu.document != ""' }));
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_NAME',
        path: 'nodes[1].condition',
        message:
          'unknown name "inptu" (did you mean "input"?); expressions here can read "input", "vars", "nodes", "run" and "secrets"',
        severity: 'error',
      },
    ]);
  });

  it("allows loop only inside loop bodies and in a loop's own while and output", () => {
    expect(check(set(1, { condition: 'loop.index > 0' })).problems[0]?.code).toBe('UNKNOWN_NAME');
    expect(check(set(2, { forEach: 'loop.item' })).problems[0]?.code).toBe('UNKNOWN_NAME');
    expect(check(set(2, { output: 'loop.item' })).problems).toEqual([]);
    expect(check(bodyNode({ inputs: { item: '{{ loop.item }}' } })).problems).toEqual([]);
  });

  it('allows output in assign and event in an event match only', () => {
    expect(check(set(3, { assign: { attempts: 'output.decision == "approved" ? 1 : 0' } })).problems).toEqual(
      [],
    );
    expect(check(set(4, { set: { x: 'output.count' } })).problems[0]?.code).toBe('UNKNOWN_NAME');
    const waits = check((w) => {
      w.nodes.push({
        id: 'hear',
        type: 'wait',
        event: { name: 'signed', match: 'event.payload.id == input.document' },
      });
    });
    expect(waits.problems).toEqual([]);
  });

  it('does not count called library functions or arrow parameters as names', () => {
    const result = check(set(4, { set: { count: 'length(filter(nodes.each.output, (x) => x != null))' } }));
    expect(result.problems).toEqual([]);
  });
});

describe('node references', () => {
  it('suggests the closest node for an unknown one', () => {
    const result = check(set(4, { set: { title: 'nodes.extrat.output.title' } }));
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_NODE',
        path: 'nodes[4].set.title',
        message: 'unknown node "extrat" (did you mean "extract"?)',
        severity: 'error',
      },
    ]);
  });

  it('warns when a node reads a node downstream of it', () => {
    const result = check(set(1, { condition: 'nodes.format.output.count > 0' }));
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      {
        code: 'NODE_NOT_UPSTREAM',
        path: 'nodes[1].condition',
        message:
          'nodes.format is not upstream of "check": its output is not available yet; add a path of edges from "format" to "check", or read a node that runs before it',
        severity: 'warning',
      },
    ]);
  });

  it('warns when a node reads itself before it runs, but not in its assign', () => {
    expect(codesAndPaths(check(set(4, { set: { x: 'nodes.format.output' } })).problems)).toEqual([
      'NODE_NOT_UPSTREAM nodes[4].set.x',
    ]);
    expect(check(set(4, { assign: { attempts: 'nodes.format.output.count' } })).problems).toEqual([]);
  });

  it('lets a loop body read nodes upstream of the loop and earlier nodes of the body', () => {
    const result = check((w) => {
      const loop = w.nodes[2] as { body: { nodes: Record<string, unknown>[]; edges: unknown[] } };
      loop.body.nodes.push({
        id: 'polish',
        type: 'transform',
        set: { a: 'nodes.draft.output.text', b: 'nodes.extract.output.title' },
      });
      loop.body.edges = [{ from: 'draft', to: 'polish' }];
    });
    expect(result.problems).toEqual([]);
  });

  it('warns when a loop body reads its own loop or a node after the loop', () => {
    const result = check(
      bodyNode({ inputs: { item: '{{ nodes.each.output }}', count: '{{ nodes.review.output }}' } }),
    );
    expect(codesAndPaths(result.problems)).toEqual([
      'NODE_NOT_UPSTREAM nodes[2].body.nodes[0].inputs.item',
      'NODE_NOT_UPSTREAM nodes[2].body.nodes[0].inputs.count',
    ]);
    expect(result.problems[0]?.message).toBe(
      'nodes.each is read inside "each", whose output is available only once it finishes',
    );
  });

  it('warns when a loop reads its body before it starts, but not in its output', () => {
    expect(codesAndPaths(check(set(2, { forEach: 'nodes.draft.output' })).problems)).toEqual([
      'NODE_NOT_UPSTREAM nodes[2].forEach',
    ]);
    expect(check(set(2, { output: 'nodes.draft.output' })).problems).toEqual([]);
  });

  it('warns when a parallel branch reads a node of another branch', () => {
    const result = check((w) => {
      w.nodes.push({
        id: 'fan',
        type: 'parallel',
        branches: [
          { nodes: [{ id: 'left', type: 'transform', set: {} }] },
          { nodes: [{ id: 'right', type: 'transform', set: { x: 'nodes.left.output' } }] },
        ],
      });
    });
    expect(result.problems[0]?.message).toBe(
      'nodes.left runs in another branch of "fan" than "right", so its output is not available there',
    );
  });

  it('lets workflow outputs read any node', () => {
    expect(check((w) => void (w['outputs'] = { d: { value: 'nodes.draft.output.text' } })).problems).toEqual(
      [],
    );
  });
});

describe('variables and inputs', () => {
  it('suggests the closest declared variable for an unknown one, read or assigned', () => {
    const result = check(set(3, { assign: { atempts: 'vars.attemps + 1' } }));
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_VARIABLE nodes[3].assign.atempts',
      'UNKNOWN_VARIABLE nodes[3].assign.atempts',
    ]);
    expect(result.problems.map((p) => p.message)).toEqual([
      'unknown variable "atempts" (did you mean "attempts"?): declare it under "variables" (declared: "attempts")',
      'unknown variable "attemps" (did you mean "attempts"?): declare it under "variables" (declared: "attempts")',
    ]);
  });

  it('rejects an input the closed input schema does not declare', () => {
    const result = check(set(1, { condition: 'input.regoin == "EU"' }));
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_INPUT',
        path: 'nodes[1].condition',
        message:
          'the workflow input has no property "regoin" (did you mean "region"?); it declares "document" and "region"',
        severity: 'error',
      },
    ]);
  });

  it('only warns about an undeclared input when other properties are allowed', () => {
    const result = check((w) => {
      w['inputs'] = { type: 'object', properties: { document: { type: 'string' } } };
      set(1, { condition: 'input.amount > 10' })(w);
    });
    expect(result.ok).toBe(true);
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_INPUT nodes[1].condition',
      'UNKNOWN_INPUT nodes[3].message',
    ]);
  });
});

describe('whole-template references', () => {
  it('recognises a text that is exactly one member path', () => {
    expect(wholeTemplateReference('{{ nodes.a.output.items }}')).toEqual(['nodes', 'a', 'output', 'items']);
    expect(wholeTemplateReference('  {{nodes.a.output.items[0]}} ')).toEqual([
      'nodes',
      'a',
      'output',
      'items',
      '0',
    ]);
    expect(wholeTemplateReference('{{ nodes.a.output["title"] }}')).toEqual([
      'nodes',
      'a',
      'output',
      'title',
    ]);
  });

  it('ignores texts around templates, computations and broken templates', () => {
    expect(wholeTemplateReference('Dear {{ input.name }}')).toBeUndefined();
    expect(wholeTemplateReference('{{ nodes.a.output.items.length > 0 }}')).toBeUndefined();
    expect(wholeTemplateReference('{{ a }} {{ b }}')).toBeUndefined();
    expect(wholeTemplateReference('{{ (a }}')).toBeUndefined();
  });
});
