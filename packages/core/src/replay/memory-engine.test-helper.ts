import { Engine } from '../engine/engine.js';
import type { RunDelta, RunEvent } from '../execution/run-event.js';
import type { RunRecord, TaskRecord } from '../execution/records.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { AgentRuntime } from '../ports/agent-runtime.js';
import type { NewRun, Store, StoredWorkflow } from '../ports/store.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';

/** Through JSON, as a persistent store would keep it. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The least `Store` an engine runs on in one process, for replaying logs a real engine wrote. Core cannot use
 * `@baton/testing`'s `MemoryStore` (that package depends on core); this one keeps no leases and checks nothing.
 */
class RunsInMemory implements Store {
  readonly #workflows: StoredWorkflow[] = [];
  readonly #runs = new Map<string, { run: RunRecord; tasks: Map<string, TaskRecord>; events: RunEvent[] }>();

  saveWorkflow(workflow: Workflow, savedAt: number): Promise<void> {
    this.#workflows.push(copy({ workflow, savedAt }));
    return Promise.resolve();
  }
  getWorkflow(id: string, version?: string): Promise<StoredWorkflow | undefined> {
    const saved = this.#workflows.filter(
      (w) => w.workflow.id === id && (version === undefined || w.workflow.version === version),
    );
    return Promise.resolve(saved.length ? copy(saved.at(-1)) : undefined);
  }
  listWorkflows(): Promise<StoredWorkflow[]> {
    return Promise.resolve(copy(this.#workflows));
  }
  createRun(run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]): Promise<void> {
    this.#runs.set(run.id, {
      run: copy(run),
      tasks: new Map(tasks.map((t) => [t.key, copy(t)])),
      events: copy([...events]),
    });
    return Promise.resolve();
  }
  async commit(deltas: readonly RunDelta[], created: readonly NewRun[] = []): Promise<void> {
    for (const { run, tasks, events } of created) await this.createRun(run, tasks, events);
    for (const delta of deltas) {
      const held = this.#runs.get(delta.runId);
      if (!held) throw new Error(`no run ${delta.runId}`);
      if (delta.run) held.run = copy({ ...held.run, ...delta.run });
      for (const task of delta.tasks) held.tasks.set(task.key, copy(task));
      held.events.push(...copy(delta.events));
    }
  }
  loadRun(runId: string): Promise<{ run: RunRecord; tasks: TaskRecord[] } | undefined> {
    const held = this.#runs.get(runId);
    return Promise.resolve(held && copy({ run: held.run, tasks: [...held.tasks.values()] }));
  }
  getRun(runId: string): Promise<RunRecord | undefined> {
    const held = this.#runs.get(runId);
    return Promise.resolve(held && copy(held.run));
  }
  listRuns(): Promise<RunRecord[]> {
    return Promise.resolve([...this.#runs.values()].map((r) => copy(r.run)));
  }
  readEvents(runId: string, afterSeq = 0, limit = Infinity): Promise<RunEvent[]> {
    const events = this.#runs.get(runId)?.events ?? [];
    return Promise.resolve(copy(events.filter((e) => e.seq > afterSeq).slice(0, limit)));
  }
  claimRuns(): Promise<string[]> {
    return Promise.resolve([]);
  }
  runOwners(): Promise<string[]> {
    return Promise.resolve([]);
  }
  renewLease(_owner: string, runIds: readonly string[]): Promise<string[]> {
    return Promise.resolve([...runIds]);
  }
  releaseRuns(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Answers every call with the agent's id and the input it got, for $0.01. */
const echo: AgentRuntime = {
  kind: 'builtin',
  supports: () => true,
  invoke: ({ agent, input }) => Promise.resolve({ output: { agent: agent.id, input }, costUsd: 0.01 }),
};

/** A started engine on an in-memory store whose clock stands still (no timer ever fires). */
export async function memoryEngine(catalog: AgentCatalog): Promise<{ engine: Engine; store: Store }> {
  let ids = 0;
  const store = new RunsInMemory();
  const engine = new Engine({
    store,
    clock: { now: () => Date.UTC(2026, 0, 1), setTimer: () => () => undefined },
    ids: { next: (prefix) => `${prefix}-${++ids}` },
    catalog,
    runtimes: [echo],
  });
  await engine.start();
  return { engine, store };
}
