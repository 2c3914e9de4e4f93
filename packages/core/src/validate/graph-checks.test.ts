import { describe, expect, it } from 'vitest';
import { validateWorkflow } from './validate-workflow.js';
import { codesAndPaths, validWorkflow } from './validation-fixtures.js';

type Doc = ReturnType<typeof validWorkflow>;

function check(mutate: (w: Doc) => void): ReturnType<typeof validateWorkflow> {
  const workflow = validWorkflow();
  mutate(workflow);
  return validateWorkflow(workflow);
}

function messageOf(result: ReturnType<typeof validateWorkflow>, code: string): string | undefined {
  return result.problems.find((p) => p.code === code)?.message;
}

function body(w: Doc): { nodes: Record<string, unknown>[]; edges?: unknown[] } {
  return (w.nodes[2] as { body: { nodes: Record<string, unknown>[]; edges?: unknown[] } }).body;
}

describe('duplicate ids', () => {
  it('reports an id used again inside a loop body, pointing at the first use', () => {
    const result = check((w) => {
      body(w).nodes.push({ id: 'review', type: 'transform', set: {} });
    });
    expect(codesAndPaths(result.problems)).toEqual(['DUPLICATE_ID nodes[2].body.nodes[1].id']);
    expect(messageOf(result, 'DUPLICATE_ID')).toContain('node id "review" is already used by nodes[3]');
  });

  it('reports duplicate ids even when the schema check fails elsewhere', () => {
    const result = check((w) => {
      w.nodes.push({ id: 'extract', type: 'emit', event: '' });
    });
    expect(result.workflow).toBeUndefined();
    expect(codesAndPaths(result.problems)).toEqual([
      'DUPLICATE_ID nodes[5].id',
      'INVALID_VALUE nodes[5].event',
    ]);
  });
});

describe('edges', () => {
  it('suggests the closest node for an edge end that names none', () => {
    const result = check((w) => {
      w.edges.push({ from: 'extrat', to: 'fromat' });
    });
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_NODE',
        path: 'edges[4].from',
        message: 'unknown node "extrat" (did you mean "extract"?)',
        severity: 'error',
      },
      {
        code: 'UNKNOWN_NODE',
        path: 'edges[4].to',
        message: 'unknown node "fromat" (did you mean "format"?)',
        severity: 'error',
      },
    ]);
  });

  it('rejects an edge between the top level and a loop body', () => {
    const result = check((w) => {
      w.edges.push({ from: 'format', to: 'draft' });
    });
    expect(codesAndPaths(result.problems)).toEqual(['EDGE_CROSSES_SCOPE edges[4].to']);
    expect(messageOf(result, 'EDGE_CROSSES_SCOPE')).toContain(
      'node "draft" is in the body of loop "each", but this edge is in the top level',
    );
  });

  it('rejects an edge from a node to itself', () => {
    const result = check((w) => {
      w.edges.push({ from: 'format', to: 'format' });
    });
    expect(codesAndPaths(result.problems)).toEqual(['SELF_LOOP edges[4]']);
  });

  it('warns about the same edge written twice, the default port included', () => {
    const result = check((w) => {
      w.edges.push({ from: 'extract', to: 'check', port: 'out' });
    });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      {
        code: 'DUPLICATE_EDGE',
        path: 'edges[4]',
        message: 'same edge as edges[0]: remove one of them',
        severity: 'warning',
      },
    ]);
  });

  it('names the ports a node has when an edge uses another', () => {
    const result = check((w) => {
      w.edges[1] = { from: 'check', to: 'each', port: 'ture' };
    });
    expect(result.problems).toContainEqual({
      code: 'UNKNOWN_PORT',
      path: 'edges[1].port',
      message:
        'conditional node "check" has no port "ture" (did you mean "true"?); its ports are "true", "false" and "error"',
      severity: 'error',
    });
  });

  it('accepts switch case ports and approval options as ports', () => {
    const result = check((w) => {
      w.nodes[1] = { id: 'check', type: 'conditional', cases: [{ port: 'many', when: 'true' }] };
      w.edges[1] = { from: 'check', to: 'each', port: 'many' };
      w.nodes.push({ id: 'reject', type: 'emit', event: 'rejected' });
      w.edges.push({ from: 'review', to: 'reject', port: 'rejected' });
    });
    expect(result.problems).toEqual([]);
  });
});

describe('cycles', () => {
  it('lists the nodes of a cycle and the edge that closes it', () => {
    const result = check((w) => {
      w.edges.push({ from: 'review', to: 'check' });
    });
    expect(codesAndPaths(result.problems)).toEqual(['CYCLE nodes[1]']);
    expect(messageOf(result, 'CYCLE')).toBe(
      'nodes "check", "each" and "review" form a cycle (check → each → review → check): edges may not loop; iterate with a loop node\'s body instead, or remove the edge from "review" to "check"',
    );
  });

  it('finds cycles inside loop bodies', () => {
    const result = check((w) => {
      body(w).nodes.push({ id: 'polish', type: 'transform', set: {} });
      body(w).edges = [
        { from: 'draft', to: 'polish' },
        { from: 'polish', to: 'draft' },
      ];
    });
    expect(codesAndPaths(result.problems)).toEqual(['CYCLE nodes[2].body.nodes[0]']);
  });

  it('reports a workflow whose nodes all sit on one cycle', () => {
    const result = validateWorkflow({
      id: 'ring',
      name: 'Ring',
      version: '1.0.0',
      nodes: [
        { id: 'a', type: 'transform', set: {} },
        { id: 'b', type: 'transform', set: {} },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    });
    expect(codesAndPaths(result.problems)).toEqual(['CYCLE nodes[0]']);
  });
});

describe('reachability and error routes', () => {
  it('reports a node reached only over the error port of a node that does not route errors', () => {
    const result = check((w) => {
      w.nodes.push({ id: 'apology', type: 'emit', event: 'failed' });
      w.edges.push({ from: 'extract', to: 'apology', port: 'error' });
    });
    expect(codesAndPaths(result.problems)).toEqual(['UNREACHABLE nodes[5]']);
    expect(messageOf(result, 'UNREACHABLE')).toBe(
      'runs only after an error of "extract", which does not route errors: set onError: "route" on "extract", or remove the edge',
    );
  });

  it('reports nodes that run only after a node that never runs', () => {
    const result = check((w) => {
      w.nodes.push(
        { id: 'apology', type: 'emit', event: 'failed' },
        { id: 'notify', type: 'emit', event: 'n' },
      );
      w.edges.push({ from: 'extract', to: 'apology', port: 'error' }, { from: 'apology', to: 'notify' });
    });
    expect(codesAndPaths(result.problems)).toEqual(['UNREACHABLE nodes[5]', 'UNREACHABLE nodes[6]']);
    expect(result.problems[1]?.message).toBe(
      'runs only after "apology", which never runs: connect it to a node that runs',
    );
  });

  it('accepts error edges from a node that routes errors', () => {
    const result = check((w) => {
      w.nodes[0] = { ...w.nodes[0], onError: 'route' };
      w.nodes.push({ id: 'apology', type: 'emit', event: 'failed' });
      w.edges.push({ from: 'extract', to: 'apology', port: 'error' });
    });
    expect(result.problems).toEqual([]);
  });

  it('warns about an error edge that is never taken when its target runs anyway', () => {
    const result = check((w) => {
      w.edges.push({ from: 'extract', to: 'format', port: 'error' });
    });
    expect(result.ok).toBe(true);
    expect(codesAndPaths(result.problems)).toEqual(['UNUSED_ERROR_EDGE edges[4]']);
    expect(messageOf(result, 'UNUSED_ERROR_EDGE')).toContain('(onError is not set)');
  });

  it('requires an error edge from a node that routes errors', () => {
    const result = check((w) => {
      w.nodes[4] = { ...w.nodes[4], onError: 'route' };
    });
    expect(codesAndPaths(result.problems)).toEqual(['ERROR_ROUTE_MISSING nodes[4].onError']);
    expect(messageOf(result, 'ERROR_ROUTE_MISSING')).toContain('no edge leaves the "error" port of "format"');
  });
});
