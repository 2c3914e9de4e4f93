import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunHarness, workflowOf } from './decide-harness.test-helper.js';
import { FINAL_RUN_STATUSES, SETTLED_TASK_STATUSES } from './lifecycle.js';

type Kind = 'agent' | 'transform' | 'broken' | 'conditional';

interface NodeSpec {
  kind: Kind;
  onError: 'route' | 'continue' | undefined;
  retries: number;
}

const nodeSpec = fc.record({
  kind: fc.constantFrom<Kind>('agent', 'agent', 'transform', 'broken', 'conditional'),
  onError: fc.constantFrom<'route' | 'continue' | undefined>(undefined, undefined, 'route', 'continue'),
  retries: fc.integer({ min: 0, max: 2 }),
});

/** A random DAG: nodes in order, edges only forward, ports fitting the source. */
const dag = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record({
    nodes: fc.array(nodeSpec, { minLength: n, maxLength: n }),
    edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.nat(3)), { maxLength: n * 2 }),
  }),
);

/** What the outside world does, one step at a time. */
const script = fc.array(
  fc.record({
    pick: fc.nat(),
    outcome: fc.constantFrom('ok', 'ok', 'retryable', 'fatal'),
    restart: fc.boolean(),
  }),
  { minLength: 60, maxLength: 60 },
);

function build(spec: { nodes: NodeSpec[]; edges: [number, number, number][] }) {
  const nodes = spec.nodes.map((s, i) => {
    const base = {
      id: `n${i}`,
      ...(s.onError ? { onError: s.onError } : {}),
      ...(s.retries > 0 ? { retry: { maxRetries: s.retries, initialDelayMs: 10 } } : {}),
    };
    switch (s.kind) {
      case 'agent':
        return { ...base, type: 'agent', agent: { id: 'worker' } };
      case 'transform':
        return { ...base, type: 'transform', set: { v: `${i}` } };
      case 'broken':
        return { ...base, type: 'transform', set: { v: 'input.missing.field' } };
      case 'conditional':
        return { ...base, type: 'conditional', condition: i % 2 === 0 ? 'true' : 'false' };
    }
  });
  const seen = new Set<string>();
  const edges: [string, string, string?][] = [];
  for (const [a, b, p] of spec.edges) {
    if (a >= b) continue;
    const source = spec.nodes[a]!;
    const ports = source.kind === 'conditional' ? ['true', 'false', 'error'] : ['out', 'out', 'error'];
    const port = ports[p % ports.length]!;
    const key = `${a}>${b}:${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push(port === 'out' ? [`n${a}`, `n${b}`] : [`n${a}`, `n${b}`, port]);
  }
  return workflowOf(nodes, edges);
}

describe('decide: properties', () => {
  it('ends every random DAG run in a final status with every task settled, whatever the agents do', () => {
    fc.assert(
      fc.property(dag, script, (spec, steps) => {
        const h = new RunHarness(build(spec));
        h.start();
        for (const step of steps) {
          if (FINAL_RUN_STATUSES.has(h.run.status)) break;
          if (step.restart) {
            h.restart();
            h.send({ type: 'recover' });
          }
          const running = [...h.rows.values()].filter((r) => r.status === 'running');
          const target = running[step.pick % Math.max(1, running.length)];
          if (target) {
            if (step.outcome === 'ok') h.succeed(target.key, { from: target.key }, 0.01);
            else h.fail(target.key, { retryable: step.outcome === 'retryable' });
            continue;
          }
          const waiting = [...h.rows.values()].filter(
            (r) => r.status === 'waiting' && r.wakeAt !== undefined,
          );
          const timer = waiting[step.pick % Math.max(1, waiting.length)];
          if (timer) h.fireTimer(timer.key);
        }
        // Whatever is left in flight completes, so that every run reaches an end.
        for (let guard = 0; guard < 200 && !FINAL_RUN_STATUSES.has(h.run.status); guard++) {
          const open = [...h.rows.values()].find(
            (r) => r.status === 'running' || (r.status === 'waiting' && r.wakeAt !== undefined),
          );
          if (!open) break;
          if (open.status === 'running') h.succeed(open.key);
          else h.fireTimer(open.key);
        }
        expect(FINAL_RUN_STATUSES.has(h.run.status)).toBe(true);
        for (const row of h.rows.values()) expect(SETTLED_TASK_STATUSES.has(row.status)).toBe(true);
        if (h.run.status === 'completed') {
          expect(h.rows.size).toBe(spec.nodes.length);
          expect(h.run.costUsd).toBeCloseTo([...h.rows.values()].reduce((sum, r) => sum + r.costUsd, 0));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same decisions for the same inputs (replay is exact)', () => {
    fc.assert(
      fc.property(dag, script, (spec, steps) => {
        const workflow = build(spec);
        const play = () => {
          const h = new RunHarness(workflow);
          h.start();
          for (const step of steps.slice(0, 20)) {
            const running = [...h.rows.values()].filter((r) => r.status === 'running');
            const target = running[step.pick % Math.max(1, running.length)];
            if (!target) break;
            if (step.outcome === 'ok') h.succeed(target.key, 1);
            else h.fail(target.key, { retryable: step.outcome === 'retryable' });
            h.advance(7);
          }
          return h.events;
        };
        expect(play()).toEqual(play());
      }),
      { numRuns: 100 },
    );
  });
});
