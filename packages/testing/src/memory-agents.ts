import {
  compareAgents,
  type AgentDefinition,
  type AgentExecution,
  type AgentStore,
  type TaskRecord,
} from '@baton/core';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const DEFAULT_EXECUTIONS_LIMIT = 1_000;

type Usage = Awaited<ReturnType<AgentStore['agentUsage']>>[number];
type SettledStatus = AgentExecution['status'];

const SETTLED: ReadonlySet<string> = new Set<SettledStatus>(['succeeded', 'failed', 'cancelled']);

/**
 * The agent registry in memory (the `AgentStore` half of `MemoryStore`): saved definitions in a map, and the
 * executions read from the store's task rows, as the SQLite and PostgreSQL stores read their tasks table.
 */
export class MemoryAgents {
  /** JSON of each definition by `id@version`. */
  readonly #saved = new Map<string, string>();

  constructor(private readonly tasks: () => Iterable<TaskRecord>) {}

  save(definition: AgentDefinition): void {
    this.#saved.set(`${definition.id}@${definition.version}`, JSON.stringify(definition));
  }

  list(): AgentDefinition[] {
    return [...this.#saved.values()].map((json) => JSON.parse(json) as AgentDefinition).sort(compareAgents);
  }

  executions(agent: string, limit = DEFAULT_EXECUTIONS_LIMIT): AgentExecution[] {
    const found: AgentExecution[] = [];
    for (const task of this.tasks()) {
      const { status, startedAt, endedAt } = task;
      if (task.agent !== agent || !SETTLED.has(status) || startedAt === undefined || endedAt === undefined)
        continue;
      const execution: AgentExecution = {
        runId: task.runId,
        taskKey: task.key,
        status: status as SettledStatus,
        startedAt,
        endedAt,
        costUsd: task.costUsd,
      };
      if (status === 'failed' && task.error !== undefined) execution.errorCode = task.error.code;
      found.push(execution);
    }
    return copy(found.sort(newestFirst).slice(0, limit));
  }

  usage(): Usage[] {
    const byAgent = new Map<string, { tasks: number; runs: Set<string>; lastUsedAt: number }>();
    for (const task of this.tasks()) {
      if (task.agent === undefined) continue;
      let entry = byAgent.get(task.agent);
      if (entry === undefined)
        byAgent.set(task.agent, (entry = { tasks: 0, runs: new Set(), lastUsedAt: 0 }));
      entry.tasks++;
      entry.runs.add(task.runId);
      entry.lastUsedAt = Math.max(entry.lastUsedAt, task.endedAt ?? 0, task.startedAt ?? 0);
    }
    return [...byAgent.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([agent, { tasks, runs, lastUsedAt }]) => ({ agent, tasks, runs: runs.size, lastUsedAt }));
  }
}

/** Latest end first; ties by latest start, then run id and task key, as the SQL stores order them. */
function newestFirst(a: AgentExecution, b: AgentExecution): number {
  return (
    b.endedAt - a.endedAt ||
    b.startedAt - a.startedAt ||
    (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0) ||
    (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0)
  );
}
