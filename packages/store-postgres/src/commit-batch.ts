import type { NewRun, RunDelta, RunEvent, RunRecord, TaskRecord } from '@baton/core';
import {
  EVENT_COLUMNS,
  RUN_COLUMNS,
  RUN_FIELD_COLUMNS,
  TASK_COLUMNS,
  mergeRunChange,
  runFieldMask,
  type Column,
  type SqlValue,
} from './row-codec.js';

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
 * - events are all kept: a repeated (runId, seq) must fail on the primary key, as the contract demands.
 */
export interface CommitRows {
  created: RunRecord[];
  changes: RunChange[];
  tasks: TaskRecord[];
  events: RunEvent[];
}

/** Reduces the deltas and new runs of a `commit` call to its rows (see {@link CommitRows}). */
export function commitRows(deltas: readonly RunDelta[], created: readonly NewRun[] = []): CommitRows {
  const newRuns = created.map((entry) => ({ ...entry.run }));
  const newById = new Map(newRuns.map((run) => [run.id, run]));
  const changes = new Map<string, RunChange>();
  const tasks = new Map<string, Map<string, TaskRecord>>();
  const events: RunEvent[] = [];
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
  }
  return {
    created: newRuns,
    changes: [...changes.values()],
    tasks: [...tasks.values()].flatMap((byKey) => [...byKey.values()]),
    events,
  };
}

/** Whether a commit has nothing to write. */
export function isEmpty(rows: CommitRows): boolean {
  return (
    rows.created.length === 0 &&
    rows.changes.length === 0 &&
    rows.tasks.length === 0 &&
    rows.events.length === 0
  );
}

function columnArrays<R>(columns: readonly Column<R>[], records: readonly R[]): SqlValue[][] {
  return columns.map((column) => records.map(column.value));
}

/**
 * The parameters of `COMMIT_SQL`: one array per column, in the order the statement unnests them — new runs,
 * run changes (id, mask, then every field column, NULL where the mask leaves it out), tasks, events. The
 * statement's text never changes with the number of rows, so it is prepared once per connection.
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
  ];
}
