import {
  parseAgentDefinition,
  parseWorkflow,
  type AgentInvocation,
  type RunEvent,
  type RunRecord,
  type Workflow,
} from '@baton/core';
import { describe, expect, it } from 'vitest';
import { functionAgent } from './testing/temp-baton.js';
import { WorkflowAgentRuntime, type WorkflowRunHost } from './workflow-agent-runtime.js';

const agent = parseAgentDefinition(
  functionAgent('t.enrich', { kind: 'workflow', settings: { workflow: { id: 'enrich' } } }),
);
const workflow: Workflow = parseWorkflow({
  id: 'enrich',
  name: 'Enrich',
  version: '1.0.0',
  nodes: [{ id: 'copy', type: 'transform', set: { name: 'input.name' } }],
});
const parentRun: RunRecord = {
  id: 'run-1',
  workflowId: 'main',
  workflowVersion: '1.0.0',
  status: 'running',
  priority: 50,
  input: {},
  vars: {},
  costUsd: 0,
  createdAt: 0,
};
const childRun = (patch: Partial<RunRecord>): RunRecord => ({
  ...parentRun,
  id: 'run-1:enrich:1',
  workflowId: 'enrich',
  ...patch,
});

/** A host over a map of runs; `waitForRun` resolves only when a test calls `end`. */
function fakeHost(runs: RunRecord[] = [parentRun]) {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const waiting = new Map<string, (run: RunRecord) => void>();
  const listeners = new Map<string, (event: RunEvent) => void>();
  const calls = { started: [] as string[], cancelled: [] as string[] };
  const host: WorkflowRunHost = {
    loadWorkflow: (id) => Promise.resolve(id === workflow.id ? workflow : undefined),
    getRun: (id) => Promise.resolve(byId.get(id)),
    startRun: (_workflow, input, options) => {
      const run = childRun({ id: options.runId ?? 'child', input, status: 'queued' });
      byId.set(run.id, run);
      calls.started.push(run.id);
      return Promise.resolve(run);
    },
    waitForRun: (id) => new Promise((resolve) => waiting.set(id, resolve)),
    cancelRun: (id) => {
      calls.cancelled.push(id);
      return Promise.resolve();
    },
    subscribe: (id, listener) => {
      listeners.set(id, listener);
      return () => listeners.delete(id);
    },
  };
  const end = (run: RunRecord): void => {
    byId.set(run.id, run);
    waiting.get(run.id)?.(run);
  };
  const emit = (event: RunEvent): void => listeners.get(event.runId)?.(event);
  return { host, calls, end, emit, byId };
}

function invocation(signal = new AbortController().signal): AgentInvocation & { progressed: string[] } {
  const progressed: string[] = [];
  return {
    agent,
    input: { name: 'ada' },
    runId: 'run-1',
    taskKey: 'enrich',
    attempt: 1,
    idempotencyKey: 'run-1:enrich:1',
    signal,
    checkpoint: undefined,
    saveCheckpoint: () => undefined,
    progress: (message) => progressed.push(message),
    progressed,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WorkflowAgentRuntime', () => {
  it('fails for good while no engine is attached', async () => {
    await expect(new WorkflowAgentRuntime().invoke(invocation())).rejects.toMatchObject({
      code: 'AGENT_FAILED',
      retryable: false,
    });
  });

  it('waits for the child an earlier delivery of the attempt started, without starting another', async () => {
    const fake = fakeHost([parentRun, childRun({ status: 'running' })]);
    const running = new WorkflowAgentRuntime(fake.host).invoke(invocation());
    await tick();
    fake.end(childRun({ status: 'completed', output: { name: 'ADA' }, costUsd: 0.5 }));
    expect(await running).toEqual({ output: { name: 'ADA' }, costUsd: 0.5 });
    expect(fake.calls.started).toEqual([]);
  });

  it('sees the end of a child another process drives on the bus', async () => {
    const fake = fakeHost();
    const running = new WorkflowAgentRuntime(fake.host).invoke(invocation());
    await tick();
    expect(fake.calls.started).toEqual(['run-1:enrich:1']);
    fake.byId.set('run-1:enrich:1', childRun({ status: 'completed', output: {}, costUsd: 0 }));
    fake.emit({ type: 'run.completed', runId: 'run-1:enrich:1', seq: 9, at: 0, output: {}, costUsd: 0 });
    expect(await running).toEqual({ output: {}, costUsd: 0 });
  });

  it('cancels the child when the task is aborted, but not once detached for a shutdown', async () => {
    for (const detach of [false, true]) {
      const fake = fakeHost();
      const runtime = new WorkflowAgentRuntime(fake.host);
      const controller = new AbortController();
      const running = runtime.invoke(invocation(controller.signal));
      await tick();
      if (detach) runtime.detach();
      controller.abort(new Error('run cancelled'));
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(fake.calls.cancelled).toEqual(detach ? [] : ['run-1:enrich:1']);
    }
  });

  it('fails the task with the child: retryable only when the failed child says so', async () => {
    const cases = [
      { status: 'failed', retryable: true },
      { status: 'failed', retryable: false },
      { status: 'cancelled', retryable: true },
    ] as const;
    for (const { status, retryable } of cases) {
      const fake = fakeHost();
      const running = new WorkflowAgentRuntime(fake.host).invoke(invocation());
      await tick();
      fake.end(childRun({ status, error: { code: 'AGENT_FAILED', message: 'boom', retryable } }));
      await expect(running).rejects.toMatchObject({
        code: 'AGENT_FAILED',
        retryable: status === 'failed' && retryable,
        message: `workflow enrich@1.0.0 (run run-1:enrich:1) ended ${status}: boom`,
      });
    }
  });
});
