import { pathToFileURL } from 'node:url';
import { compileExpression, evaluateExpression, renderTemplate } from '@baton/core';
import type { BenchResult } from './measure.js';

/** The typical condition of a conditional node: the figure the 500,000 evaluations/s budget is about. */
const CONDITION = 'input.amount > 1000 && input.region == "EU"';
const CONDITION_BUDGET = 500_000;

const scope = {
  input: {
    amount: 1500,
    region: 'EU',
    customer: { name: 'Ada', tier: 'gold' },
    items: [3, 1, 4, 1, 5, 9, 2, 6],
  },
  nodes: { extract: { output: { items: [{ price: 10 }, { price: 25 }, { price: 7 }] } } },
};

// Written by every iteration so that the engine cannot drop the work as dead code.
let sink: unknown;

/** Runs `fn` in batches for about `durationMs` after a warm-up, and returns calls per second. */
function opsPerSecond(fn: () => unknown, durationMs = 1_000): number {
  for (let i = 0; i < 50_000; i++) sink = fn();
  const batch = 10_000;
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) sink = fn();
    calls += batch;
    elapsed = performance.now() - start;
  }
  return Math.round((calls / elapsed) * 1_000);
}

/** Lets the event loop (and the collector) breathe between measurements. */
function pause(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Measures the expression language: a compiled condition (the engine's fast path), the same condition
 * through the source-keyed cache, a list pipeline with arrow callbacks, and an embedded template.
 */
export async function runExprBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const record = (name: string, value: number, budget?: number): void => {
    results.push({
      name,
      value,
      unit: 'ops/s',
      budget: budget === undefined ? 'none (reported)' : `>= ${budget}`,
      met: budget === undefined || value >= budget,
    });
  };

  const condition = compileExpression(CONDITION);
  record(
    'expr: compiled condition evaluate',
    opsPerSecond(() => condition.evaluate(scope)),
    CONDITION_BUDGET,
  );
  await pause();
  record(
    'expr: evaluateExpression (cached) condition',
    opsPerSecond(() => evaluateExpression(CONDITION, scope)),
    CONDITION_BUDGET,
  );
  await pause();
  const pipeline = compileExpression(
    'sum(nodes.extract.output.items.filter(x => x.price > 8).map(x => x.price))',
  );
  record(
    'expr: filter/map/sum pipeline evaluate',
    opsPerSecond(() => pipeline.evaluate(scope)),
  );
  await pause();
  record(
    'expr: renderTemplate with two expressions',
    opsPerSecond(() =>
      renderTemplate('Dear {{ input.customer.name }}, your tier is {{ upper(input.customer.tier) }}.', scope),
    ),
  );
  await pause();
  let n = 0;
  // A fresh source each time defeats the cache: this is the cost of a first parse and compile.
  record(
    'expr: compile (uncached)',
    opsPerSecond(() => compileExpression(`input.amount > ${n++}`), 500),
  );
  return results;
}

// Run on its own: `node bench/dist/expr-bench.js`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runExprBench();
  for (const result of results) {
    const verdict = result.met ? 'ok' : 'MISSED';
    console.log(
      `${result.name}: ${result.value.toLocaleString('en-US')} ${result.unit} (budget ${result.budget}) ${verdict}`,
    );
  }
  void sink;
}
