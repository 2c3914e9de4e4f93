import { describe, expect, it } from 'vitest';
import { validateWorkflow } from './validate-workflow.js';
import { codesAndPaths, validWorkflow } from './validation-fixtures.js';

type Doc = ReturnType<typeof validWorkflow>;

function check(mutate: (w: Doc) => void): ReturnType<typeof validateWorkflow> {
  const workflow = validWorkflow();
  mutate(workflow);
  return validateWorkflow(workflow);
}

function replaceNode(index: number, changes: Record<string, unknown>, drop: string[] = []): (w: Doc) => void {
  return (w) => {
    const node: Record<string, unknown> = { ...w.nodes[index], ...changes };
    for (const key of drop) delete node[key];
    w.nodes[index] = node;
  };
}

describe('exactly one of two fields', () => {
  it('asks an agent node for a pinned agent or a capability query', () => {
    const result = check(replaceNode(0, {}, ['agent']));
    expect(result.problems).toEqual([
      {
        code: 'AGENT_NODE_SHAPE',
        path: 'nodes[0]',
        message:
          'agent node "extract" needs one of "agent" (a pinned agent) or "select" (a capability query)',
        severity: 'error',
      },
    ]);
  });

  it('rejects an agent node with both, at the second field', () => {
    const result = check(replaceNode(0, { select: { skills: ['extraction'] } }));
    expect(codesAndPaths(result.problems)).toEqual(['AGENT_NODE_SHAPE nodes[0].select']);
    expect(result.problems[0]?.message).toBe(
      'agent node "extract" sets "agent" and "select", but takes exactly one of "agent" or "select": keep one',
    );
  });

  it('asks a conditional for a condition or cases', () => {
    expect(codesAndPaths(check(replaceNode(1, {}, ['condition'])).problems)).toContain(
      'CONDITIONAL_SHAPE nodes[1]',
    );
    expect(codesAndPaths(check(replaceNode(1, { cases: [{ port: 'a', when: 'true' }] })).problems)).toContain(
      'CONDITIONAL_SHAPE nodes[1].cases',
    );
  });

  it('asks a loop for forEach or while', () => {
    expect(codesAndPaths(check(replaceNode(2, {}, ['forEach'])).problems)).toEqual(['LOOP_SHAPE nodes[2]']);
    expect(codesAndPaths(check(replaceNode(2, { while: 'loop.index < 3' })).problems)).toEqual([
      'LOOP_SHAPE nodes[2].while',
    ]);
  });

  it('asks a wait node for exactly one of a delay, a moment or an event', () => {
    const none = check((w) => {
      w.nodes.push({ id: 'pause', type: 'wait' });
    });
    expect(none.problems[0]?.message).toBe(
      'wait node "pause" needs one of "durationMs" (a delay), "until" (a moment) or "event" (an event)',
    );
    const two = check((w) => {
      w.nodes.push({ id: 'pause', type: 'wait', durationMs: 10, event: { name: 'go' } });
    });
    expect(codesAndPaths(two.problems)).toEqual(['WAIT_SHAPE nodes[5].event']);
  });
});

describe('ports and decisions', () => {
  it('rejects a switch with the same case port twice, or a built-in port name', () => {
    const result = check(
      replaceNode(
        1,
        {
          cases: [
            { port: 'many', when: 'true' },
            { port: 'many', when: 'false' },
            { port: 'default', when: 'true' },
          ],
        },
        ['condition'],
      ),
    );
    expect(codesAndPaths(result.problems)).toEqual([
      'DUPLICATE_PORT nodes[1].cases[1].port',
      'DUPLICATE_PORT nodes[1].cases[2].port',
      'UNKNOWN_PORT edges[1].port',
    ]);
    expect(result.problems[1]?.message).toBe(
      'case port "default" of node "check" clashes with its built-in port "default": rename the case port',
    );
  });

  it('rejects approval options named twice', () => {
    const result = check(replaceNode(3, { options: ['approved', 'rejected', 'approved'] }));
    expect(codesAndPaths(result.problems)).toEqual(['DUPLICATE_PORT nodes[3].options[2]']);
  });

  it('rejects an automatic decision that is not an option', () => {
    const result = check(replaceNode(3, { autoDecision: 'aproved', deadlineMs: 1000 }));
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_DECISION',
        path: 'nodes[3].autoDecision',
        message:
          'autoDecision "aproved" is not one of the options "approved" and "rejected" (did you mean "approved"?)',
        severity: 'error',
      },
    ]);
  });

  it('rejects a deadline whose default decision is not an option', () => {
    const result = check((w) => {
      replaceNode(3, { options: ['approved', 'declined'], deadlineMs: 1000 })(w);
    });
    expect(codesAndPaths(result.problems)).toEqual(['UNKNOWN_DECISION nodes[3].deadlineMs']);
    expect(result.problems[0]?.message).toContain('set autoDecision to one of them');
  });
});

describe('retry policies', () => {
  it('warns when the largest delay is below the first one, for the workflow and for nodes', () => {
    const result = check((w) => {
      w['policies'] = { retry: { maxRetries: 3, initialDelayMs: 5000, maxDelayMs: 1000 } };
      replaceNode(4, { retry: { maxRetries: 1, initialDelayMs: 90_000 } })(w);
    });
    expect(result.ok).toBe(true);
    expect(codesAndPaths(result.problems)).toEqual([
      'RETRY_DELAYS nodes[4].retry.maxDelayMs',
      'RETRY_DELAYS policies.retry.maxDelayMs',
    ]);
    expect(result.problems[1]?.message).toBe(
      'maxDelayMs (1000) is below initialDelayMs (5000), so every delay is cut to 1000 ms: raise maxDelayMs or lower initialDelayMs',
    );
  });
});
