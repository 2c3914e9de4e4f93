import type {
  CommandSettlement,
  NewRun,
  RunDelta,
  RunEvent,
  RunRecord,
  TaskRecord,
  WorkItem,
} from '@baton/core';
import {
  EVENT_COLUMNS,
  OPEN_REQUEST_COLUMNS,
  RUN_COLUMNS,
  RUN_FIELD_COLUMNS,
  SETTLEMENT_COLUMNS,
  TASK_COLUMNS,
  WORK_COLUMNS,
  mergeRunChange,
  runFieldMask,
  type Column,
  type SqlValue,
} from './row-codec.js';
import { reduceRequests, type RequestRows } from './open-request-batch.js';

/** The changes of one existing run in a commit: which fields (a mask) and their new values. */
interface RunChange {
  id: string;
  mask: number;
  run: Partial<RunRecord>;
}

/**
 * The rows of one `commit` call, reduced to what one multi-row statement can apply: PostgreSQL cannot touch the
 * same row twice in one statement, so
 * - the changes a call makes to one run are merged into one (a later change of a field wins, as applying them in
 *   order would), and the changes to a run created by the same call are folded into its insert;
 * - of several writes of one task row only the last is kept, since task rows are replaced whole;
 * - events are all kept: a repeated (runId, seq) must fail on the primary key, as the contract demands;
 * - the outbox is reduced to its end state (see {@link reduceWork});
 * - of several settlements of one command only the first is kept, as settling in order would keep it;
 * - the open requests are reduced to their end state (see {@link reduceRequests}).
 */
export interface CommitRows {
  created: RunRecord[];
  changes: RunChange[];
  tasks: TaskRecord[];
  events: RunEvent[];
  /** The tasks whose stored work rows the commit deletes (all attempts): those written not `running`. */
  drops: TaskRef[];
  /** The work items that are in the outbox after the commit, at most one per run, task and attempt. */
  work: WorkItem[];
  /** The operator commands the deltas settle, one settlement per command. */
  commands: CommandSettlement[];
  /** The open requests the commit writes and deletes. */
  requests: RequestRows;
}

/** One task of one run. */
export interface TaskRef {
  runId: string;
  taskKey: string;
}

const taskId = (runId: string, taskKey: string): string => `${runId}\u0000${taskKey}`;

/**
 * What the deltas of a call do to the outbox, reduced to two sets one statement can apply without touching a
 * row twice. Applied one delta after the other — the work of the delta's tasks written in any status but
 * `running` is deleted, then the delta's work is inserted unless that run, task and attempt is already there —
 * the deltas leave:
 * - no stored row of a task any delta drops (`drops`);
 * - of the items, those that no later delta drops, the first of each run, task and attempt (`work`). An item
 *   whose task is dropped replaces a stored row of its attempt; any other yields to a stored row.
 *
 * Runs created by the same call have no stored work, and their task rows come before every delta.
 */
export function reduceWork(deltas: readonly RunDelta[]): { drops: TaskRef[]; work: WorkItem[] } {
  const drops = new Map<string, TaskRef>();
  const pending = new Map<string, Map<number, WorkItem>>();
  for (const delta of deltas) {
    for (const task of delta.tasks) {
      if (task.status === 'running') continue;
      const id = taskId(task.runId, task.key);
      drops.set(id, { runId: task.runId, taskKey: task.key });
      pending.delete(id);
    }
    for (const item of delta.work ?? []) {
      const id = taskId(item.runId, item.taskKey);
      let attempts = pending.get(id);
      if (attempts === undefined) pending.set(id, (attempts = new Map<number, WorkItem>()));
      if (!attempts.has(item.attempt)) attempts.set(item.attempt, item);
    }
  }
  return {
    drops: [...drops.values()],
    work: [...pending.values()].flatMap((attempts) => [...attempts.values()]),
  };
}

/** Reduces the deltas and new runs of a `commit` call to its rows (see {@link CommitRows}). */
export function commitRows(deltas: readonly RunDelta[], created: readonly NewRun[] = []): CommitRows {
  const newRuns = created.map((entry) => ({ ...entry.run }));
  const newById = new Map(newRuns.map((run) => [run.id, run]));
  const changes = new Map<string, RunChange>();
  const tasks = new Map<string, Map<string, TaskRecord>>();
  const events: RunEvent[] = [];
  const commands = new Map<number, CommandSettlement>();
  const addTasks = (rows: readonly TaskRecord[]): void => {
    for (const task of rows) {
      let byKey = tasks.get(task.runId);
      if (byKey === undefined) tasks.set(task.runId, (byKey = new Map<string, TaskRecord>()));
      byKey.set(task.key, task);
    }
  };

  for (const entry of created) {
    addTasks(entry.tasks);
    events.push(...entry.events);
  }
  for (const delta of deltas) {
    const change = delta.run;
    if (change !== undefined) {
      const mask = runFieldMask(change);
      const fresh = newById.get(delta.runId);
      if (fresh !== undefined) mergeRunChange(fresh, change);
      else if (mask !== 0) {
        let merged = changes.get(delta.runId);
        if (merged === undefined) changes.set(delta.runId, (merged = { id: delta.runId, mask: 0, run: {} }));
        merged.mask |= mask;
        mergeRunChange(merged.run, change);
      }
    }
    addTasks(delta.tasks);
    events.push(...delta.events);
    for (const settlement of delta.commands ?? []) {
      if (!commands.has(settlement.id)) commands.set(settlement.id, settlement);
    }
  }
  return {
    created: newRuns,
    changes: [...changes.values()],
    tasks: [...tasks.values()].flatMap((byKey) => [...byKey.values()]),
    events,
    ...reduceWork(deltas),
    commands: [...commands.values()],
    requests: reduceRequests(deltas, created),
  };
}

/** Whether a commit has nothing to write. */
export function isEmpty(rows: CommitRows): boolean {
  return (
    rows.created.length === 0 &&
    rows.changes.length === 0 &&
    rows.tasks.length === 0 &&
    rows.events.length === 0 &&
    rows.work.length === 0 &&
    rows.commands.length === 0
  );
}

function columnArrays<R>(columns: readonly Column<R>[], records: readonly R[]): SqlValue[][] {
  return columns.map((column) => records.map(column.value));
}

/**
 * The parameters of `COMMIT_SQL`: one array per column, in the order the statement unnests them — new runs,
 * run changes (id, mask, then every field column, NULL where the mask leaves it out), tasks, events, dropped
 * tasks (run id, task key), work items, command settlements, opened requests, closed requests (run id, task
 * key), ended runs. The statement's text never changes with the number of rows, so it is prepared once per
 * connection; a commit without work, settlements or requests sends empty arrays for them.
 */
export function commitParams(rows: CommitRows): SqlValue[][] {
  return [
    ...columnArrays(RUN_COLUMNS, rows.created),
    rows.changes.map((change) => change.id),
    rows.changes.map((change) => change.mask),
    ...RUN_FIELD_COLUMNS.map((column) =>
      rows.changes.map((change) => (change.mask & column.bit ? column.value(change.run) : null)),
    ),
    ...columnArrays(TASK_COLUMNS, rows.tasks),
    ...columnArrays(EVENT_COLUMNS, rows.events),
    rows.drops.map((drop) => drop.runId),
    rows.drops.map((drop) => drop.taskKey),
    ...columnArrays(WORK_COLUMNS, rows.work),
    ...columnArrays(SETTLEMENT_COLUMNS, rows.commands),
    ...columnArrays(OPEN_REQUEST_COLUMNS, rows.requests.opened),
    rows.requests.closed.map((closed) => closed.runId),
    rows.requests.closed.map((closed) => closed.taskKey),
    rows.requests.ended,
  ];
}
