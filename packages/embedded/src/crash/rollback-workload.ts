import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { AgentError, type AgentInvocation } from '@baton/core';
import type { AgentRegistration } from '../create-baton.js';
import { functionAgent } from '../testing/temp-baton.js';

/** The steps of the saga, in the order they run; `ship` always fails, so the run rolls back. */
export const SAGA_STEPS = ['reserve', 'charge', 'ship'] as const;

/**
 * The saga the rollback crash test runs: reserve → charge → ship, each with an agent compensation that gets
 * the step's `ref` from its output. `ship` fails for good, so `charge` and then `reserve` are compensated.
 */
export const SAGA_WORKFLOW = {
  id: 'rollback-crash-test',
  name: 'Rollback crash test',
  version: '1.0.0',
  inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  policies: { onFailure: 'rollback' },
  nodes: SAGA_STEPS.map((step) => ({
    id: step,
    type: 'agent',
    agent: { id: 'saga.step' },
    inputs: { step, n: '{{ input.n }}' },
    compensation: {
      type: 'agent',
      agent: { id: 'saga.undo' },
      inputs: { step, n: '{{ input.n }}', ref: '{{ output.ref }}' },
    },
  })),
  edges: [
    { from: 'reserve', to: 'charge' },
    { from: 'charge', to: 'ship' },
  ],
};

/**
 * Where the child process holds run `n` until it is killed — the task whose agent call never returns there:
 * the first compensation, the second compensation, or the failing step before the rollback began.
 */
export function holdPoint(n: number): string {
  return ['charge~undo', 'reserve~undo', 'ship'][n % 3] ?? 'ship';
}

/** One line of the journal: an agent call of the saga began (`start`) or returned its output (`end`). */
export interface JournalEntry {
  phase: 'start' | 'end';
  runId: string;
  taskKey: string;
  n: number;
  /** The `ref` a compensation was given (the output of the step it undoes). */
  ref?: string;
  idempotencyKey: string;
  attempt: number;
  /** The process that made the call. */
  pid: number;
}

/** The journal's entries in the order they were written. */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalEntry);
}

/**
 * `saga.step` and `saga.undo`, journalling every call to `journal` (synchronously, so a kill loses no written
 * line). With `hold`, the call at `holdPoint(n)` never returns (until the process dies or the call is
 * aborted).
 */
export function sagaAgents(journal: string, hold: boolean): AgentRegistration[] {
  const record = (
    phase: JournalEntry['phase'],
    input: Readonly<Record<string, unknown>>,
    ctx: AgentInvocation,
  ) => {
    const entry: JournalEntry = {
      phase,
      runId: ctx.runId,
      taskKey: ctx.taskKey,
      n: Number(input['n']),
      ...(typeof input['ref'] === 'string' ? { ref: input['ref'] } : {}),
      idempotencyKey: ctx.idempotencyKey,
      attempt: ctx.attempt,
      pid: process.pid,
    };
    appendFileSync(journal, `${JSON.stringify(entry)}\n`);
  };
  const holdIfTold = async (input: Readonly<Record<string, unknown>>, ctx: AgentInvocation) => {
    if (!hold || ctx.taskKey !== holdPoint(Number(input['n']))) return;
    await new Promise((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted while held')), { once: true });
    });
  };
  // Long timeouts and no retries: a held call must stay in flight until the kill, and nothing runs twice but
  // what the crash interrupted.
  const config = {
    maxConcurrency: 100,
    timeout: 60_000,
    retryPolicy: { maxRetries: 0, backoff: 'exponential' as const },
  };
  return [
    {
      definition: functionAgent('saga.step', { config }),
      handler: async (input, ctx) => {
        record('start', input, ctx);
        await holdIfTold(input, ctx);
        // A few milliseconds of work, so each step completes strictly after the one before it.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (input['step'] === 'ship') throw new AgentError('out of stock', { retryable: false });
        record('end', input, ctx);
        return { ref: `${String(input['step'])}-${Number(input['n'])}` };
      },
    },
    {
      definition: functionAgent('saga.undo', { config }),
      handler: async (input, ctx) => {
        record('start', input, ctx);
        await holdIfTold(input, ctx);
        record('end', input, ctx);
        return { undone: input['ref'] };
      },
    },
  ];
}
