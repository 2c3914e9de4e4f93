import { appendFileSync } from 'node:fs';
import type { AgentDefinitionInput } from '@baton/core';
import type { AgentRegistration } from '../agent-setup.js';

/** The workflow the distributed tests run: a first step, three branches, a join and a last step. */
export const FAN_WORKFLOW = {
  id: 'distributed-test',
  name: 'Distributed test',
  version: '1.0.0',
  inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  nodes: [
    { id: 'first', type: 'agent', agent: { id: 'dist.step' }, inputs: { value: '{{ input.n }}' } },
    ...['left', 'middle', 'right'].map((id) => ({
      id,
      type: 'agent',
      agent: { id: 'dist.step' },
      inputs: { value: '{{ nodes.first.output.value }}' },
    })),
    {
      id: 'join',
      type: 'agent',
      agent: { id: 'dist.step' },
      inputs: {
        value: '{{ nodes.left.output.value + nodes.middle.output.value + nodes.right.output.value }}',
      },
    },
    {
      id: 'last',
      type: 'agent',
      agent: { id: 'dist.step' },
      inputs: { value: '{{ nodes.join.output.value }}' },
    },
  ],
  edges: [
    ...['left', 'middle', 'right'].flatMap((id) => [
      { from: 'first', to: id },
      { from: id, to: 'join' },
    ]),
    { from: 'join', to: 'last' },
  ],
  outputs: { value: { value: 'nodes.last.output.value' } },
};

/** What a run of `FAN_WORKFLOW` outputs: every step adds 1, the join adds the three branches. */
export function fanOutput(n: number): number {
  return 3 * (n + 2) + 2;
}

const stepDefinition: AgentDefinitionInput = {
  id: 'dist.step',
  name: 'Distributed step',
  version: '1.0.0',
  kind: 'function',
  capabilities: { domain: 'engineering', skills: ['add_one'] },
  performance: { avgLatency: 10, successRate: 100, throughput: 1000, costPerExecution: 0, reliability: 100 },
  config: { maxConcurrency: 1000, timeout: 30_000, retryPolicy: { maxRetries: 3, backoff: 'exponential' } },
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

/** A one-task workflow whose task, `dist.crunch`, works through `input.chunks` chunks, saving a checkpoint each. */
export const CRUNCH_WORKFLOW = {
  id: 'distributed-checkpoints',
  name: 'Distributed checkpoints',
  version: '1.0.0',
  inputs: { type: 'object', properties: { chunks: { type: 'integer' } }, required: ['chunks'] },
  nodes: [
    { id: 'crunch', type: 'agent', agent: { id: 'dist.crunch' }, inputs: { chunks: '{{ input.chunks }}' } },
  ],
  edges: [],
  outputs: { result: { value: 'nodes.crunch.output' } },
};

/**
 * `dist.crunch`: a long task. Goes on from the chunk its checkpoint names, takes `chunkMs` a chunk, saves
 * `{ done }` after each, and returns `{ chunks, resumedFrom }`. With a log file it appends
 * `crunch <idempotencyKey> <pid> <resumedFrom>` synchronously as it starts. With `stallAfter`, the chunk after
 * that many never ends until the call is aborted: a worker stuck in the middle of a task.
 */
export function distCrunch(
  options: { logFile?: string; chunkMs?: number; stallAfter?: number } = {},
): AgentRegistration {
  const chunkMs = options.chunkMs ?? 10;
  return {
    definition: { ...stepDefinition, id: 'dist.crunch', name: 'Distributed crunch' },
    handler: async (input, ctx) => {
      const chunks = Number(input['chunks']);
      const from = (ctx.checkpoint as { done?: number } | undefined)?.done ?? 0;
      if (options.logFile)
        appendFileSync(options.logFile, `crunch ${ctx.idempotencyKey} ${process.pid} ${from}\n`);
      for (let done = from + 1; done <= chunks; done++) {
        if (options.stallAfter !== undefined && done > options.stallAfter) await aborted(ctx.signal);
        await new Promise((resolve) => setTimeout(resolve, chunkMs));
        ctx.saveCheckpoint({ done });
      }
      return { chunks, resumedFrom: from };
    },
  };
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
}

/**
 * `dist.step`: waits `minMs`–`maxMs`, adds 1, and (with a log file) appends `start <idempotencyKey> <pid>`
 * synchronously, so a kill never loses a written line.
 */
export function distStep(
  options: { logFile?: string; minMs?: number; maxMs?: number } = {},
): AgentRegistration {
  const min = options.minMs ?? 5;
  const spread = Math.max(0, (options.maxMs ?? 20) - min);
  return {
    definition: stepDefinition,
    handler: async (input, ctx) => {
      if (options.logFile) appendFileSync(options.logFile, `start ${ctx.idempotencyKey} ${process.pid}\n`);
      await new Promise((resolve) => setTimeout(resolve, min + Math.floor(Math.random() * spread)));
      return { value: Number(input['value']) + 1 };
    },
  };
}
