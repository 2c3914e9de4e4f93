/** A task the engine wants run, with what the queue orders and limits it by. */
export interface QueuedTask {
  runId: string;
  taskKey: string;
  attempt: number;
  /** The agent's id, for per-agent concurrency limits. */
  agentId?: string;
  /** The run's org, for per-org concurrency limits. */
  org?: string | undefined;
  /** The run's priority: higher runs first. */
  runPriority: number;
  /** Critical-path rank (longest remaining path in ms): higher first within a priority. */
  rank: number;
  /** Tie-break: earlier first. */
  enqueuedAt: number;
}

/**
 * Ready tasks waiting for a slot. Orders by run priority, then critical-path rank, then age; hands a task to
 * the consumer only while the global, per-agent and per-run limits allow.
 * Contract: a task is handed out at most once per enqueue; `remove` drops tasks not yet handed out; when a
 * handler's promise settles its slot frees and the next task is handed out in the same turn (never through a
 * timer).
 */
export interface TaskQueue {
  enqueue(tasks: readonly QueuedTask[]): void;
  /** Drops queued (not yet started) tasks of a run; all of them without `taskKeys`. */
  remove(runId: string, taskKeys?: readonly string[]): void;
  /** Starts handing out tasks. Returns a function that stops and waits for running handlers. */
  consume(handler: (task: QueuedTask) => Promise<void>): () => Promise<void>;
  /** Tasks waiting for a slot. */
  readonly size: number;
}
