import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  planWorkflow,
  type AgentPerformance,
  type Edge,
  type PlanMode,
  type PlanOptions,
  type Workflow,
  type WorkflowNode,
} from '@baton/core';
import type { BenchResult } from './measure.js';

const NODES = 10_000;
const LAYERS = 100;
const EDGES_PER_NODE = 2;
const AGENTS = 50;
const WARM_UP = 5;
const RUNS = 25;
const BUDGET_MS = 50;

/** A small seeded generator (mulberry32), so every run plans the same workflow. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A layered random DAG of 10,000 nodes and about 20,000 edges: each node after the first layer has two
 * incoming edges from the three layers above it. Nine in ten nodes call one of 50 agents, the rest are
 * transforms and conditionals, whose edges leave by `true` or `false`; one agent edge in a hundred is an
 * error route.
 */
export function layeredWorkflow(seed = 42): {
  workflow: Pick<Workflow, 'nodes' | 'edges'>;
  agents: Map<string, AgentPerformance>;
} {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const agents = new Map<string, AgentPerformance>();
  for (let a = 0; a < AGENTS; a++) {
    agents.set(`bench.agent${a}`, {
      avgLatencyMs: 50 + pick(5000),
      costPerExecution: Math.round(random() * 100) / 1000,
    });
  }
  const width = NODES / LAYERS;
  const nodes: WorkflowNode[] = [];
  for (let i = 0; i < NODES; i++) {
    const roll = random();
    const id = `n${i}`;
    if (roll < 0.9)
      nodes.push({ id, type: 'agent', agent: { id: `bench.agent${pick(AGENTS)}` }, inputs: {} });
    else if (roll < 0.95) nodes.push({ id, type: 'transform', set: { value: 'input.value' } });
    else nodes.push({ id, type: 'conditional', condition: 'input.value > 1' });
  }
  const edges: Edge[] = [];
  for (let i = width; i < NODES; i++) {
    const layer = Math.floor(i / width);
    for (let k = 0; k < EDGES_PER_NODE; k++) {
      const fromLayer = Math.max(0, layer - 1 - pick(3));
      const from = fromLayer * width + pick(width);
      const source = nodes[from];
      const port =
        source?.type === 'conditional'
          ? random() < 0.5
            ? 'true'
            : 'false'
          : random() < 0.01
            ? 'error'
            : undefined;
      edges.push(
        port === undefined ? { from: `n${from}`, to: `n${i}` } : { from: `n${from}`, to: `n${i}`, port },
      );
    }
  }
  return { workflow: { nodes, edges }, agents };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function measure(workflow: Pick<Workflow, 'nodes' | 'edges'>, options: PlanOptions): number {
  for (let i = 0; i < WARM_UP; i++) planWorkflow(workflow, options);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const plan = planWorkflow(workflow, options);
    times.push(performance.now() - start);
    if (plan.tasks.length !== NODES) throw new Error(`planned ${plan.tasks.length} tasks of ${NODES}`);
  }
  return median(times);
}

/** Plans the generated 10,000-node workflow in both modes and reports the median time of each (DESIGN §7). */
export async function runPlanBench(): Promise<BenchResult[]> {
  const { workflow, agents } = layeredWorkflow();
  const agentLookup: PlanOptions['agentLookup'] = (node) =>
    node.agent ? agents.get(node.agent.id) : undefined;
  const modes: PlanMode[] = ['worst', 'expected'];
  const results: BenchResult[] = [];
  for (const mode of modes) {
    const value = measure(workflow, { agentLookup, mode });
    results.push({
      name: `planner: ${NODES.toLocaleString('en-US')}-node workflow, ${mode} case (median of ${RUNS})`,
      value: Math.round(value * 100) / 100,
      unit: 'ms',
      budget: `≤ ${BUDGET_MS} ms`,
      met: value <= BUDGET_MS,
    });
    // Yield between modes so a caller running several benches stays responsive.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const result of await runPlanBench()) {
    console.log(
      `${result.name}: ${result.value} ${result.unit} (budget ${result.budget}) ${result.met ? 'met' : 'MISSED'}`,
    );
  }
}
