import type { Migration } from '../migrations.js';

/**
 * The outbox of distributed mode (ADR 0004): one `work` row per dispatched attempt of an agent task, written by
 * `commit` in the same statement as the task row that started it, and deleted when its outcome is taken or its
 * task is written in any status but `running`.
 *
 * - `state` moves `queued` → `claimed` (a worker holds it until `lease_until`) → `done` (`outcome` waits for the
 *   run's owner). Every claim raises `lease_version`; renewals and completions only apply while it is unchanged.
 * - The item's numbers are `double precision` like every other time and number the engine hands over, so they
 *   round-trip exactly; `run_priority` and `attempt` are integers, as in `runs` and `tasks`.
 * - Rows live for the seconds a task runs, so the indexes are partial, one per question asked of the table:
 *   queued rows by age and claimed rows by lease end (the reconciler's `pendingWork`), done rows by run
 *   (`takeResults`, which joins them to their runs' owners). The primary key serves claims, renewals,
 *   completions and the deletes of `commit`, and its `run_id` prefix serves the cascade from `runs`.
 */
export const workOutbox: Migration = {
  version: 2,
  name: 'work',
  sql: `
    CREATE TABLE work (
      run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      task_key text COLLATE "C" NOT NULL,
      attempt integer NOT NULL,
      agent text COLLATE "C" NOT NULL,
      pool text COLLATE "C" NOT NULL,
      input jsonb NOT NULL,
      timeout_ms double precision NOT NULL,
      checkpoint jsonb,
      run_priority integer NOT NULL,
      rank double precision NOT NULL,
      queued_at double precision NOT NULL,
      state text COLLATE "C" NOT NULL DEFAULT 'queued',
      worker text COLLATE "C",
      lease_until double precision,
      lease_version integer NOT NULL DEFAULT 0,
      outcome jsonb,
      CONSTRAINT work_pkey PRIMARY KEY (run_id, task_key, attempt),
      CONSTRAINT work_state_check CHECK (state IN ('queued', 'claimed', 'done'))
    ) WITH (fillfactor = 90);
    CREATE INDEX work_queued ON work (queued_at) WHERE state = 'queued';
    CREATE INDEX work_claimed ON work (lease_until) WHERE state = 'claimed';
    CREATE INDEX work_done ON work (run_id) WHERE state = 'done';
  `,
};
