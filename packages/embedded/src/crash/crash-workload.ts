import { appendFileSync } from 'node:fs';
import type { AgentRegistration } from '../create-baton.js';

/** The workflow the crash test runs: a fan-out of three steps after a first one, then a join and a last step. */
export const CRASH_WORKFLOW = {
  id: 'crash-test',
  name: 'Crash test',
  version: '1.0.0',
  inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  nodes: [
    { id: 'first', type: 'agent', agent: { id: 'crash.step' }, inputs: { value: '{{ input.n }}' } },
    {
      id: 'left',
      type: 'agent',
      agent: { id: 'crash.step' },
      inputs: { value: '{{ nodes.first.output.value }}' },
    },
    {
      id: 'middle',
      type: 'agent',
      agent: { id: 'crash.step' },
      inputs: { value: '{{ nodes.first.output.value }}' },
    },
    {
      id: 'right',
      type: 'agent',
      agent: { id: 'crash.step' },
      inputs: { value: '{{ nodes.first.output.value }}' },
    },
    {
      id: 'join',
      type: 'agent',
      agent: { id: 'crash.step' },
      inputs: {
        value: '{{ nodes.left.output.value + nodes.middle.output.value + nodes.right.output.value }}',
      },
    },
    {
      id: 'last',
      type: 'agent',
      agent: { id: 'crash.step' },
      inputs: { value: '{{ nodes.join.output.value }}' },
    },
  ],
  edges: [
    { from: 'first', to: 'left' },
    { from: 'first', to: 'middle' },
    { from: 'first', to: 'right' },
    { from: 'left', to: 'join' },
    { from: 'middle', to: 'join' },
    { from: 'right', to: 'join' },
    { from: 'join', to: 'last' },
  ],
  outputs: { value: { value: 'nodes.last.output.value' } },
};

/** What each run must output: every step adds 1, the join adds the three branches. */
export function expectedOutput(n: number): number {
  const first = n + 1;
  return 3 * (first + 1) + 1 + 1;
}

/**
 * `crash.step`: waits a few milliseconds, adds 1, and appends `start`/`end` lines with its
 * idempotency key to `logFile` (synchronously, so a kill never loses a written line).
 */
export function crashStep(logFile: string): AgentRegistration {
  return {
    definition: {
      id: 'crash.step',
      name: 'Crash step',
      version: '1.0.0',
      kind: 'function',
      capabilities: { domain: 'engineering', skills: ['add_one'] },
      performance: {
        avgLatency: 10,
        successRate: 100,
        throughput: 1000,
        costPerExecution: 0,
        reliability: 100,
      },
      config: {
        maxConcurrency: 1000,
        timeout: 10_000,
        retryPolicy: { maxRetries: 3, backoff: 'exponential' },
      },
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    },
    handler: async (input, ctx) => {
      appendFileSync(logFile, `start ${ctx.idempotencyKey} ${Date.now()}\n`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 30)));
      appendFileSync(logFile, `end ${ctx.idempotencyKey} ${Date.now()}\n`);
      return { value: Number(input['value']) + 1 };
    },
  };
}
