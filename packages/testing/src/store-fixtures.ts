import {
  AgentDefinitionSchema,
  WorkflowSchema,
  type AgentDefinition,
  type AgentDefinitionInput,
  type RunEvent,
  type RunRecord,
  type TaskRecord,
  type Workflow,
  type WorkflowInput,
} from '@baton/core';

/** A small valid workflow (defaults applied), for store and engine tests. `overrides` replace top-level fields. */
export function sampleWorkflow(overrides: Partial<WorkflowInput> = {}): Workflow {
  return WorkflowSchema.parse({
    id: 'invoice-review',
    name: 'Invoice review',
    version: '1.0.0',
    nodes: [{ id: 'extract', type: 'transform', set: { total: 'input.amount' } }],
    ...overrides,
  });
}

/** A running run of `invoice-review@1.0.0` created at t=1000, with no optional field set. */
export function sampleRun(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    workflowId: 'invoice-review',
    workflowVersion: '1.0.0',
    status: 'running',
    priority: 50,
    input: { amount: 1200 },
    vars: {},
    costUsd: 0,
    createdAt: 1_000,
    ...overrides,
  };
}

/** A ready first attempt of node `key`, with no optional field set. */
export function sampleTask(runId: string, key: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return { runId, key, nodeId: key, status: 'ready', attempt: 1, costUsd: 0, ...overrides };
}

/** A `task.progress` event of node `extract`, numbered `seq`, stamped `1000 + seq`. */
export function sampleEvent(runId: string, seq: number): RunEvent {
  return {
    type: 'task.progress',
    runId,
    seq,
    at: 1_000 + seq,
    taskKey: 'extract',
    nodeId: 'extract',
    message: `step ${seq}`,
  };
}

/** A valid `builtin` agent definition `id@version` (defaults applied); `overrides` replace top-level fields. */
export function sampleAgent(
  id: string,
  version = '1.0.0',
  overrides: Partial<AgentDefinitionInput> = {},
): AgentDefinition {
  return AgentDefinitionSchema.parse({
    id,
    name: id,
    version,
    kind: 'builtin',
    capabilities: { domain: 'legal', skills: ['review'] },
    performance: {
      avgLatency: 100,
      successRate: 99,
      throughput: 100,
      costPerExecution: 0.01,
      reliability: 99,
    },
    config: { maxConcurrency: 4, timeout: 30_000, retryPolicy: { maxRetries: 2, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  });
}
