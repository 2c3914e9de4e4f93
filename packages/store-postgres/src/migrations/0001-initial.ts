import type { Migration } from '../migrations.js';

/**
 * The statuses of runs that were not finished when this schema was written. A partial index's predicate is part
 * of the schema, so a shipped migration keeps its list; 0004 rebuilds the indexes for today's list.
 */
const UNFINISHED_AT_0001 = "'queued', 'running', 'paused', 'waiting'";

/**
 * The first schema. The same tables as the SQLite store; payloads are `jsonb`, times and money `double
 * precision` (see row-codec).
 *
 * - `runs` and `tasks` are updated at every step; `fillfactor = 90` leaves room on each page for the new row
 *   version, so most of those updates are HOT updates that touch no index.
 * - `runs` has one index per `listRuns` shape (all runs, by status, by workflow), each ending in
 *   (created_at, id) for newest-first keyset paging, and two partial indexes over unfinished runs only, which
 *   stay small however many finished runs pile up: one in claim order for `claimRuns`, one by owner for
 *   `runOwners`.
 * - Text columns hold identifiers and compare byte by byte (`COLLATE "C"`): index comparisons skip the locale's
 *   rules, and runs and tasks sort the same as in the SQLite store whatever the database's default collation.
 * - `events` is keyed by (run_id, seq): a duplicate seq fails on the key, and `readEvents` is a range scan of it.
 * - `baton_missing_run` raises the error `commit` reports for a change to a run that does not exist: a commit is
 *   one statement, so the check has to fail inside it for nothing of the commit to stay.
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE workflows (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id text COLLATE "C" NOT NULL,
      version text COLLATE "C" NOT NULL,
      saved_at double precision NOT NULL,
      body jsonb NOT NULL,
      CONSTRAINT workflows_id_version_key UNIQUE (id, version)
    );
    CREATE INDEX workflows_latest ON workflows (id, saved_at DESC, seq DESC);

    CREATE TABLE runs (
      id text COLLATE "C" PRIMARY KEY,
      workflow_id text COLLATE "C" NOT NULL,
      workflow_version text COLLATE "C" NOT NULL,
      status text COLLATE "C" NOT NULL,
      priority integer NOT NULL,
      input jsonb NOT NULL,
      vars jsonb NOT NULL,
      output jsonb,
      error jsonb,
      cost_usd double precision NOT NULL,
      created_at double precision NOT NULL,
      started_at double precision,
      ended_at double precision,
      parent_run_id text COLLATE "C",
      parent_task_key text COLLATE "C",
      labels jsonb,
      owner text COLLATE "C",
      lease_until double precision
    ) WITH (fillfactor = 90);
    CREATE INDEX runs_created ON runs (created_at, id);
    CREATE INDEX runs_status_created ON runs (status, created_at, id);
    CREATE INDEX runs_workflow_created ON runs (workflow_id, created_at, id);
    CREATE INDEX runs_unfinished_claim ON runs (priority DESC, created_at, id)
      WHERE status IN (${UNFINISHED_AT_0001});
    CREATE INDEX runs_unfinished_owner ON runs (owner)
      WHERE status IN (${UNFINISHED_AT_0001}) AND owner IS NOT NULL;

    CREATE TABLE tasks (
      run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      key text COLLATE "C" NOT NULL,
      node_id text COLLATE "C" NOT NULL,
      status text COLLATE "C" NOT NULL,
      attempt integer NOT NULL,
      agent text COLLATE "C",
      input jsonb,
      output jsonb,
      error jsonb,
      port text COLLATE "C",
      cost_usd double precision NOT NULL,
      ready_at double precision,
      started_at double precision,
      ended_at double precision,
      wake_at double precision,
      checkpoint jsonb,
      CONSTRAINT tasks_pkey PRIMARY KEY (run_id, key)
    ) WITH (fillfactor = 90);

    CREATE TABLE events (
      run_id text COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      seq integer NOT NULL,
      type text COLLATE "C" NOT NULL,
      at double precision NOT NULL,
      body jsonb NOT NULL,
      CONSTRAINT events_pkey PRIMARY KEY (run_id, seq)
    );

    CREATE FUNCTION baton_missing_run(run_id text) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION 'run "%" does not exist', run_id USING ERRCODE = 'no_data_found', DETAIL = run_id;
    END
    $fn$;
  `,
};
