import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunEvent } from '@baton/core';
import { createBaton } from '@baton/embedded';
import { median, type BenchResult } from './measure.js';

const STEPS = 500;
const PAYLOAD_BYTES = 2048;
const WINDOW = 50;

/**
 * W6 state growth: one run of 500 chained steps, each adding 2 KB to the run's context (every output stays
 * readable as `nodes.<id>.output`), so the context ends near 1 MB. The per-step time — between one step's
 * commit and the next one's — must stay flat: the engine writes each step's delta, never the whole run.
 */
export async function runStateGrowthBench(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-state-bench-'));
  try {
    const baton = await createBaton({
      dataDir,
      agents: [
        {
          definition: {
            id: 'bench.grow',
            name: 'Grow',
            version: '1.0.0',
            kind: 'function',
            capabilities: { domain: 'engineering', skills: ['grow'] },
            performance: {
              avgLatency: 0,
              successRate: 100,
              throughput: 1e6,
              costPerExecution: 0,
              reliability: 100,
            },
            config: {
              maxConcurrency: 10,
              timeout: 10_000,
              retryPolicy: { maxRetries: 0, backoff: 'linear' },
            },
            createdAt: '2026-01-01T00:00:00Z',
            updatedAt: '2026-01-01T00:00:00Z',
          },
          handler: (input) => ({ n: Number(input['n']) + 1, blob: 'x'.repeat(PAYLOAD_BYTES) }),
        },
      ],
    });
    try {
      const ids = Array.from({ length: STEPS }, (_, i) => `s${i}`);
      const workflow = baton.parseWorkflow({
        id: 'state-growth',
        name: 'State growth',
        version: '1.0.0',
        nodes: ids.map((id, i) => ({
          id,
          type: 'agent',
          agent: { id: 'bench.grow' },
          inputs: { n: i === 0 ? 0 : `{{ nodes.s${i - 1}.output.n }}` },
        })),
        edges: ids.slice(1).map((to, i) => ({ from: ids[i] ?? '', to })),
        outputs: { n: { value: `nodes.s${STEPS - 1}.output.n` } },
      });
      const committed: number[] = [];
      const run = await baton.startRun(workflow);
      const stop = baton.subscribe(run.id, (event: RunEvent) => {
        if (event.type === 'task.succeeded') committed.push(performance.now());
      });
      const done = await baton.waitForRun(run.id);
      stop();
      if (done.status !== 'completed' || done.output?.['n'] !== STEPS) {
        throw new Error(
          `state growth bench: the run ended ${done.status} with ${JSON.stringify(done.output)}`,
        );
      }
      if (committed.length < STEPS - 1) throw new Error('state growth bench: steps were not all observed');
      const gaps = committed.slice(1).map((t, i) => (t - (committed[i] ?? t)) * 1000);
      const first = median(gaps.slice(0, WINDOW));
      const last = median(gaps.slice(-WINDOW));
      const ratio = last / first;
      return [
        {
          name: `W6 state growth: first ${WINDOW} steps, time per step`,
          value: Math.round(first),
          unit: 'µs',
          budget: '—',
          met: true,
        },
        {
          name: `W6 state growth: last ${WINDOW} steps (context ~1 MB), time per step`,
          value: Math.round(last),
          unit: 'µs',
          budget: '—',
          met: true,
        },
        {
          name: 'W6 state growth: last ÷ first',
          value: Math.round(ratio * 100) / 100,
          unit: '×',
          budget: '≤ 1.5 × (flat)',
          met: ratio <= 1.5,
        },
      ];
    } finally {
      await baton.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await runStateGrowthBench()) console.log(`${r.name}: ${r.value} ${r.unit} (${r.budget})`);
}
